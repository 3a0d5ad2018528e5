"""Atomic file writes, strict reads of the app's JSON files, and quarantine of corrupt files: nothing
saved is ever half-written or lost, and nothing read is trusted."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import stat
import tempfile
import time
from pathlib import Path
from typing import Any


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write to a temp file in the same folder, fsync it, then rename over ``path``."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not possible on every platform (Windows); the rename is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems refuse fsync on folders; the data itself was synced
    finally:
        os.close(fd)


def quarantine(path: Path) -> Path:
    """Keep a corrupt file by renaming it aside with a timestamp; return its new path."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
    os.replace(path, target)
    return target


def keep_copy(path: Path) -> Path:
    """Keep a copy of a file with bad values aside (named as ``quarantine`` does) before it is
    rewritten with only its good values; return the copy's path."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
    shutil.copyfile(path, target)
    return target


MAX_JSON_BYTES = 64 * 1024 * 1024
_MAX_INT_DIGITS = 30


def read_json(path: Path, *, limit: int = MAX_JSON_BYTES) -> Any:
    """A JSON file the app wrote, read as untrusted: a regular file of at most ``limit`` bytes, UTF-8,
    no NaN / Infinity (nor 1e400), no whole number longer than 30 digits, no nesting deep enough to
    exhaust the stack.

    Raises FileNotFoundError when it is missing, OSError when it cannot be read, and ValueError (with
    what is wrong) for anything else - the caller sets such a file aside.
    """
    with open(path, "rb", opener=_nonblocking) as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise ValueError("not a regular file")
        raw = handle.read(limit + 1)
    if len(raw) > limit:
        raise ValueError(f"larger than {limit} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    try:
        return json.loads(
            text, parse_constant=_no_constant, parse_int=_bounded_int, parse_float=_finite_float
        )
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON at line {exc.lineno}") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None


def read_regular(path: Path, limit: int) -> bytes:
    """At most ``limit`` bytes of a regular file the user named: /dev/zero (or a symlink to it) and
    a FIFO raise ``OSError`` "not a regular file" instead of filling the memory or waiting for ever."""
    with open(path, "rb", opener=_nonblocking) as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        return handle.read(limit)


def read_json_file(path: Path, limit: int, what: str, error: type[Exception]) -> Any:
    """The JSON in a file the user named (a schema, a tools list): regular files only, at most
    ``limit`` bytes, parsed; every failure raises ``error`` with a sentence naming ``what``."""
    try:
        raw = read_regular(path, limit + 1)  # /dev/zero or a FIFO: refused, never read
    except OSError as exc:
        raise error(f"Cannot read the {what} file {path.name}: {exc.strerror or exc}.") from None
    if len(raw) > limit:
        raise error(f"The {what} file {path.name} is larger than {limit // 1024} KB.")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise error(f"The {what} file {path.name} is not valid JSON.") from None


def _nonblocking(path: str, flags: int) -> int:
    """Open without blocking, so a FIFO put in a file's place cannot hang the app."""
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"{text} is out of range")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise ValueError(f"a number of {len(text)} digits")
    return int(text)
