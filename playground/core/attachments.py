"""Attachments: images, PDFs and text files, checked, hashed and turned into chat content parts.

Images go as OpenAI-style ``image_url`` parts holding a base64 data URL; PDFs as OpenRouter's ``file``
part (``file_data`` data URL, which OpenRouter parses for models without native PDF input); text files
as a text part with their name. Each is identified by the SHA-256 of its bytes, so history stores it once.
"""

from __future__ import annotations

import base64
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playground.core.errors import ConfigError

IMAGE_TYPES = {
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
    "image/gif": b"GIF8",
    "image/webp": b"RIFF",
}
_TEXT_SUFFIXES = """
.txt .md .markdown .csv .json .py .js .ts .html .css .xml .yaml .yml .toml .log .rst .sql .sh .java .c .h .cpp
.go .rs .rb
"""
TEXT_SUFFIXES = frozenset(_TEXT_SUFFIXES.split())
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_PDF_BYTES = 20 * 1024 * 1024
MAX_TEXT_BYTES = 1024 * 1024
MAX_TOTAL_BYTES = 40 * 1024 * 1024


class AttachmentError(ConfigError):
    """A file that cannot be attached (too big, unknown type, unreadable); ``str()`` says why."""


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


@dataclass(frozen=True)
class Attachment:
    """One attached file. ``kind`` is image, pdf or text; ``data`` its bytes."""

    name: str
    mime: str
    data: bytes = field(repr=False)

    @property
    def kind(self) -> str:
        if self.mime.startswith("image/"):
            return "image"
        return "pdf" if self.mime == "application/pdf" else "text"

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def hash(self) -> str:
        import hashlib  # with the first attachment: OpenSSL's hashes load after the window's first frame

        return hashlib.sha256(self.data).hexdigest()

    @property
    def modality(self) -> str | None:
        """The catalog input modality a model needs to read this (None: any model can)."""
        return "image" if self.kind == "image" else None

    def data_url(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"

    def content_part(self) -> dict[str, Any]:
        if self.kind == "image":
            return {"type": "image_url", "image_url": {"url": self.data_url()}}
        if self.kind == "pdf":
            return {"type": "file", "file": {"filename": self.name, "file_data": self.data_url()}}
        text = self.data.decode("utf-8", errors="replace")
        return {"type": "text", "text": f'<file name="{self.name}">\n{text}\n</file>'}

    def estimated_tokens(self) -> int:
        """Rough: text by length, an image as a typical tile count, a PDF by size."""
        if self.kind == "text":
            return max(1, self.size // 4)
        if self.kind == "image":
            return 1000
        return max(500, self.size // 60)

    def describe(self) -> str:
        size = _mb(self.size) if self.size >= 100_000 else f"{max(1, self.size // 1024)} KB"
        return f"{self.name} ({self.kind}, {size})"


def sniff_mime(name: str, data: bytes) -> str | None:
    """The attachment type from the bytes (images, PDF) or the name (text); None when unsupported."""
    for mime, magic in IMAGE_TYPES.items():
        if data.startswith(magic) and (mime != "image/webp" or data[8:12] == b"WEBP"):
            return mime
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    suffix = Path(name).suffix.lower()
    import mimetypes

    guessed = mimetypes.guess_type(name)[0] or ""
    if suffix in TEXT_SUFFIXES or guessed.startswith("text/"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "text/plain"
    return None


def make_attachment(name: str, data: bytes) -> Attachment:
    """An Attachment from bytes (a file, a drop, a pasted image), or AttachmentError saying why not."""
    mime = sniff_mime(name, data)
    if mime is None:
        raise AttachmentError(
            f"{name}: not an image (PNG, JPEG, GIF, WebP), a PDF or a UTF-8 text file - "
            "it cannot be attached."
        )
    attachment = Attachment(name, mime, data)
    limit = {"image": MAX_IMAGE_BYTES, "pdf": MAX_PDF_BYTES, "text": MAX_TEXT_BYTES}[attachment.kind]
    if attachment.size > limit:
        raise AttachmentError(
            f"{name} is {_mb(attachment.size)}; {attachment.kind} attachments can be at most {_mb(limit)}."
        )
    if attachment.size == 0:
        raise AttachmentError(f"{name} is empty.")
    return attachment


def load_attachment(path: Path) -> Attachment:
    """The file at ``path`` as an attachment: a regular file only (a device such as /dev/zero never
    ends and a FIFO waits for ever), and never more than the largest limit read."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise AttachmentError(f"{path.name} is not a regular file - it cannot be attached.")
            _check_size(path.name, info.st_size)  # refuse before reading a huge file into memory
            data = handle.read(MAX_PDF_BYTES + 1)
    except OSError as exc:
        raise AttachmentError(f"Could not read {path.name}: {exc.strerror or exc}.") from None
    _check_size(path.name, len(data))  # it may have grown since
    return make_attachment(path.name, data)


def _check_size(name: str, size: int) -> None:
    if size > MAX_PDF_BYTES:
        raise AttachmentError(f"{name} is {_mb(size)}; attachments can be at most {_mb(MAX_PDF_BYTES)}.")


def check_total(attachments: Iterable[Attachment]) -> None:
    total = sum(a.size for a in attachments)
    if total > MAX_TOTAL_BYTES:
        raise AttachmentError(
            f"The attachments add up to {_mb(total)}; one message can carry at most {_mb(MAX_TOTAL_BYTES)}."
        )


def user_content(text: str, attachments: Iterable[Attachment]) -> str | list[dict[str, Any]]:
    """A user message's content: plain text, or content parts when there are attachments."""
    parts = [a.content_part() for a in attachments]
    if not parts:
        return text
    return [{"type": "text", "text": text}, *parts]


def unreadable_by(attachments: Iterable[Attachment], input_modalities: Iterable[str]) -> list[Attachment]:
    """The attachments a model with these input modalities cannot read."""
    have = set(input_modalities)
    return [a for a in attachments if a.modality is not None and a.modality not in have]
