"""Logging to a rotating file in the log dir, every record passed through the key-masking filter."""

from __future__ import annotations

import contextlib
import io
import logging
import logging.handlers
import os
import sys
from typing import cast

from playground.core.paths import AppPaths
from playground.core.redact import RedactingFilter

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_installed: list[logging.Handler] = []


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log readable by its owner only (0600): with prompt logging on it holds prompts and
    answers. Rotation renames the file, so every generation keeps the mode."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with contextlib.suppress(OSError):
            os.fchmod(fd, 0o600)  # a log created by an older version was world-readable
        return cast(io.TextIOWrapper, open(fd, self.mode, encoding=self.encoding, errors=self.errors))


def setup_logging(paths: AppPaths, *, verbose: bool = False) -> logging.Handler | None:
    """Log to ``paths.log_file`` (DEBUG with ``verbose``, else INFO); with ``verbose`` also stderr."""
    root = logging.getLogger()
    for handler in _installed:
        root.removeHandler(handler)
        handler.close()
    _installed.clear()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    file_handler: logging.Handler | None
    try:
        paths.log_dir.mkdir(parents=True, exist_ok=True)
        file_handler = PrivateRotatingFileHandler(
            paths.log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        file_handler = None  # a read-only profile still runs, just without a log file
    handlers: list[logging.Handler] = [file_handler] if file_handler else []
    if verbose:
        handlers.append(logging.StreamHandler(sys.stderr))
    if not handlers:
        # With no handler at all, Python's "last resort" prints warnings and tracebacks raw on
        # stderr - unmasked, unescaped, and in the middle of the command's own output.
        handlers.append(logging.NullHandler())
    for handler in handlers:
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)
        _installed.append(handler)
    for noisy in ("httpcore", "hpack", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.INFO if verbose else logging.WARNING)
    return file_handler
