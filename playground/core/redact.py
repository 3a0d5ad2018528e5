"""Masking of API keys and terminal-safe text, in one place, and a logging filter that masks every record.

``terminal_safe`` is what every terminal view prints: text from a server or a file can carry escape
sequences (clear the screen, set the title, add a hyperlink) or a carriage return that overwrites an
earlier line (a forged cost line), so control characters are shown as visible escapes instead.
"""

from __future__ import annotations

import logging
import re
import threading

# An OpenRouter key in any case (an upper-cased echo still spells the key). Any other "sk-" token
# not right after a letter: "ask-", "task-", "risk-" start words, not keys ("risk-assessment-
# framework" in an answer must survive); after a digit it may be URL-encoded ("Bearer%20sk-...").
_KEY_RE = re.compile(r"(?i:sk-or-v1-[0-9a-f]{16,})|(?<![A-Za-z])sk-[A-Za-z0-9][A-Za-z0-9_\-]{14,}")
_BEARER_RE = re.compile(r"(?i)(bearer\s+)[^\s'\",]+")
# C0 controls except tab and newline, DEL, C1 controls (U+0080-U+009F, e.g. U+009B, a one-char CSI),
# and the bidi embeddings, overrides and isolates, which reorder what follows on the line (a "Trojan
# Source" cost line reads backwards).
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

_extra_lock = threading.Lock()
_extra_secrets: set[str] = set()
# The same secrets, longest first: replaced whole under the lock, read without it (one reference
# load), so masking a streamed chunk takes no lock and sorts nothing.
_extra_sorted: tuple[str, ...] = ()


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
    global _extra_sorted
    if len(secret) >= 8:
        with _extra_lock:
            _extra_secrets.add(secret)
            _extra_sorted = tuple(sorted(_extra_secrets, key=len, reverse=True))


def redact(text: str) -> str:
    """Replace anything shaped like a key, a bearer token or a registered secret with its mask."""
    for secret in _extra_sorted:
        if secret in text:
            text = text.replace(secret, mask_key(secret))
    text = _KEY_RE.sub(lambda m: mask_key(m.group(0)), text)
    return _BEARER_RE.sub(lambda m: m.group(1) + "***", text)


def may_hold_key(text: str) -> bool:
    """False when no key-shaped word (``sk-...``, in any case) and no registered secret can be in
    ``text``: such text needs no key masking (a bearer token alone is masked only in logs and errors).
    Most chunks hold no "-" at all, so the lower-cased copy is rarely made."""
    if "-" in text and "sk-" in text.lower():
        return True
    for secret in _extra_sorted:  # noqa: SIM110 - a loop: no generator made for every streamed chunk
        if secret in text:
            return True
    return False


def terminal_safe(text: str) -> str:
    """``text`` ready for a terminal: keys masked, control characters other than newline and tab shown
    as visible escapes (ESC as ``\\x1b``, CR as ``\\r``); a CR-LF line end becomes a plain newline."""
    text = redact(text)
    if not _CONTROL_RE.search(text):
        return text
    return _CONTROL_RE.sub(_visible, text.replace("\r\n", "\n"))


_NAMED = {"\r": "\\r", "\b": "\\b", "\f": "\\f", "\v": "\\v", "\x00": "\\0"}


def _visible(match: re.Match[str]) -> str:
    char = match.group(0)
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def log_safe(text: str) -> str:
    """``text`` for one log record: keys masked, control characters escaped as ``terminal_safe``
    does (the log is read with ``tail -f`` and mirrored to stderr by --verbose), and every line
    after the first indented, so text from a server cannot forge a log entry of its own."""
    return terminal_safe(text).replace("\n", "\n    ")


class RedactingFilter(logging.Filter):
    """Masks keys in the message and arguments of every record that passes through, and escapes
    what could take over a terminal or forge a line (``log_safe``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = log_safe(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = terminal_safe(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
