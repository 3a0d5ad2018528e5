"""The benchmarks leave nothing in the temp dir: each removes the folders it made when it ends,
failed or not (the pycache folder they share is meant to stay)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.benchmarks.common import Sizes, bench_folder, removes_its_folders
from tests.benchmarks.run import bench_history_view


def test_a_benchmark_removes_the_home_it_filled(
    qapp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    figure = bench_history_view(Sizes(smoke=True))  # 500 runs of history in a home of its own
    assert figure.number == 11 and "500 runs" in figure.what
    assert list(tmp_path.iterdir()) == []


def test_a_benchmark_that_fails_removes_its_folders_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    made: list[Path] = []

    @removes_its_folders
    def bench() -> None:
        made.append(Path(bench_folder("bench-failing-")))
        (made[0] / "data").mkdir()
        (made[0] / "data" / "history.sqlite3").write_bytes(b"runs")
        raise RuntimeError("the simulator went away")

    with pytest.raises(RuntimeError, match="went away"):
        bench()
    assert made and not made[0].exists() and list(tmp_path.iterdir()) == []
