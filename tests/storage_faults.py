"""Real storage faults for tests: a tiny tmpfs that can be filled or made read-only.

As root (the CI container) a tmpfs is mounted; without that right the read-only case falls back to
file modes (which bind every user but root) and the full case to a file-size limit on the child
process (RLIMIT_FSIZE: writes past it fail as on a full disk).
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path


def _mount(path: Path, size: str) -> bool:
    if os.geteuid() != 0:
        return False
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


@contextlib.contextmanager
def small_disk(path: Path, size: str = "1m") -> Iterator[bool]:
    """A tmpfs of ``size`` at ``path`` (True), or just the folder when mounting is not allowed (False)."""
    mounted = _mount(path, size)
    path.mkdir(parents=True, exist_ok=True)
    try:
        yield mounted
    finally:
        if mounted:
            _umount(path)


def fill(folder: Path) -> None:
    """Write a filler file until the disk says it is full."""
    block = b"\0" * 4096
    with open(folder / "filler", "wb", buffering=0) as handle, contextlib.suppress(OSError):
        while True:
            handle.write(block)


def make_read_only(folder: Path, mounted: bool) -> None:
    """The folder and everything in it can no longer be written."""
    if mounted:
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True, capture_output=True)
        return
    for item in folder.iterdir():
        item.chmod(0o444)
    folder.chmod(0o555)


def file_size_limit(limit: int) -> Callable[[], None]:
    """A ``preexec_fn`` that makes writes past ``limit`` bytes fail (EFBIG) in the child."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply
