"""A history database another program keeps locked: the window stays responsive and nothing is lost."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from PySide6.QtCore import QTimer

from playground.simulator import Behaviour
from tests.ui.conftest import Harness, wait_until
from tests.ui.test_matrix import A, B, _open


@contextmanager
def locked(path: Path) -> Iterator[sqlite3.Connection]:
    """Another connection holding the write lock, as `sqlite3 history.sqlite3` in BEGIN EXCLUSIVE does."""
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")
        yield other
        if other.in_transaction:
            other.execute("ROLLBACK")


def saved_answers(path: Path) -> list[tuple[str, str]]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT state, answer FROM answers ORDER BY run_id, pane").fetchall()


async def answered(h: Harness) -> None:
    compare = h.window.compare
    await wait_until(lambda: not compare.running and not compare.rendering, what="the answer shown")


def test_a_locked_history_never_freezes_the_window_and_the_run_is_saved_when_it_frees(
    aio, make_harness: Callable[[], Harness]
) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini")
        ticks = 0

        def tick() -> None:
            nonlocal ticks
            ticks += 1

        timer = QTimer()
        timer.timeout.connect(tick)
        timer.start(10)
        with locked(h.ctx.paths.history_db) as other:
            await h.send()
            await answered(h)  # the answer streamed and rendered while the lock is held
            seen = ticks
            await wait_until(lambda: ticks >= seen + 20, what="the window's timer to keep firing")
            await wait_until(
                lambda: "history busy: this run is not saved yet" in window.statusBar().currentMessage(),
                what="the user told the run waits for the lock",
            )
            assert h.session.runs.writer.pending  # still queued: nothing was dropped
            other.execute("ROLLBACK")
            await wait_until(
                lambda: [state for state, _ in saved_answers(h.ctx.paths.history_db)] == ["done"],
                what="the run and its answer saved",
            )
        timer.stop()
        [(state, answer)] = saved_answers(h.ctx.paths.history_db)
        assert state == "done" and answer == window.compare.panes[0].result.text != ""
        await wait_until(lambda: "history free again" in window.statusBar().currentMessage(), what="told")
        await h.close()

    aio(go())


def test_a_history_locked_for_good_says_the_run_is_not_saved(
    aio, make_harness: Callable[[], Harness]
) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.session.runs.writer.patience = 0.0  # give up at the first busy answer (the default is minutes)
        h.set_models("sim/quick-mini")
        with locked(h.ctx.paths.history_db):
            await h.send()
            await wait_until(
                lambda: "history busy: this run is not saved (" in window.statusBar().currentMessage(),
                what="the user told the run is not saved",
            )
            await h.finish()  # and its writes ended: given up
        assert window.compare.panes[0].result.text  # the answer itself is shown as ever
        assert saved_answers(h.ctx.paths.history_db) == []
        await h.close()

    aio(go())


def test_a_test_matrix_keeps_running_under_a_locked_history_and_saves_every_cell_when_it_frees(
    aio, make_harness: Callable[[], Harness]
) -> None:
    h = make_harness()
    path = h.ctx.paths.history_db

    async def go() -> None:
        window = await h.start()
        h.sim.set_default(A, Behaviour(text="Caching keeps an ETag."))
        h.sim.set_default(B, Behaviour(text="It depends."))
        dialog = _open(h)
        dialog.startButton.click()
        with locked(path) as other:  # taken before any cell has been recorded
            run = dialog.run
            assert run is not None
            await wait_until(lambda: not run.running, what="every cell answered and shown")
            assert [c.state for c in run.cells.values()] == ["done"] * 4
            await wait_until(
                lambda: "history busy: a test cell is not saved yet" in window.statusBar().currentMessage(),
                what="the user told the cells wait for the lock",
            )
            assert h.session.runs.writer.pending
            other.execute("ROLLBACK")
            await wait_until(lambda: not h.session.runs.writer.pending, what="the cells written")
        with closing(sqlite3.connect(path)) as db:
            cells = db.execute("SELECT state, run_id FROM test_cells").fetchall()
            answers = db.execute("SELECT state FROM answers").fetchall()
        assert len(cells) == 4 and all(state == "done" and run_id for state, run_id in cells)
        assert answers == [("done",)] * 4
        dialog.close()
        await h.close()

    aio(go())
