"""Masking of API keys, in one place, and a logging filter that applies it to every record."""

from __future__ import annotations

import logging
import re
import threading

# An OpenRouter key is sk-or-v1- followed by 64 hex digits; other OpenAI-style keys look alike.
_KEY_RE = re.compile(r"sk-[A-Za-z0-9][A-Za-z0-9_\-]{14,}")
_BEARER_RE = re.compile(r"(?i)(bearer\s+)[^\s'\",]+")

_extra_lock = threading.Lock()
_extra_secrets: set[str] = set()


def mask_key(key: str) -> str:
    """Show enough of a key to recognise it: ``sk-or-v1-abc...xyz``."""
    key = key.strip()
    if key.startswith("sk-or-v1-") and len(key) > 18:
        return f"sk-or-v1-{key[9:12]}...{key[-3:]}"
    if len(key) >= 12:
        return f"{key[:3]}...{key[-3:]}"
    return "***"


def register_secret(secret: str) -> None:
    """Mask this exact string too (keys that do not look like ``sk-...``)."""
    if len(secret) >= 8:
        with _extra_lock:
            _extra_secrets.add(secret)


def redact(text: str) -> str:
    """Replace anything shaped like a key, a bearer token or a registered secret with its mask."""
    with _extra_lock:
        extras = sorted(_extra_secrets, key=len, reverse=True)
    for secret in extras:
        if secret in text:
            text = text.replace(secret, mask_key(secret))
    text = _KEY_RE.sub(lambda m: mask_key(m.group(0)), text)
    return _BEARER_RE.sub(lambda m: m.group(1) + "***", text)


class RedactingFilter(logging.Filter):
    """Masks keys in the message and arguments of every record that passes through."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
