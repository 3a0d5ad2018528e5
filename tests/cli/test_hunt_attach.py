"""``--attach`` reads regular files only, to a limit: a symlink to /dev/zero (named like a text file)
or a FIFO is refused at once with a usage error, never read until the memory runs out."""

from __future__ import annotations

import os
from pathlib import Path

from playground.simulator import Simulator
from tests.cli.helpers import playground, sim_env


def test_a_device_behind_a_symlink_or_a_fifo_is_refused(sim: Simulator, home: Path, tmp_path: Path) -> None:
    zero = tmp_path / "notes.txt"
    zero.symlink_to("/dev/zero")  # stat() says size 0: a size check alone reads it for ever
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    for path in (zero, fifo):
        shown = playground(
            "compare",
            "-m",
            "sim/quick-mini",
            "--attach",
            str(path),
            "hi",
            home=home,
            timeout=60,
            **sim_env(sim),
        )
        assert shown.returncode == 2
        assert f"{path.name} is not a regular file - it cannot be attached." in shown.stderr
    assert not sim.chat_requests()
