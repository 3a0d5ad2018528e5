"""The history writer finishes every write queued so far in one trip to its worker thread: a window
thread busy drawing a long answer used to finish one write per turn of its loop, so the queue - each
write holding its answer - grew run after run (benchmark 8: 33 -> 237 writes waiting)."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

from playground.ui.services.history_writer import HistoryWriter, Write


def test_writes_queued_while_the_window_was_busy_are_finished_in_one_trip(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    notices: list[str] = []
    done: list[int] = []
    trips: list[int] = []

    async def go() -> None:
        writer = HistoryWriter(notices.append)
        call_many = writer._call_many

        def counted(batch: list[Write]) -> list[tuple[bool, object]]:
            trips.append(len(batch))
            return call_many(batch)

        writer._call_many = counted  # type: ignore[method-assign]
        for n in range(40):  # queued in one go, as while the window's thread drew a long answer
            writer.submit(
                Write(path, lambda h, n=n: h.db.execute("SELECT ?", (n,)).fetchone()[0], done.append)
            )
        finished = asyncio.Event()
        writer.then(finished.set)
        await finished.wait()
        await writer.close()

    asyncio.run(go())
    assert done == list(range(40)) and notices == []  # every write, in order, none lost
    assert trips == [40]  # one trip to the worker, not forty turns of the window's loop
    with closing(sqlite3.connect(path)) as db:  # the database is a real, healthy history
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
