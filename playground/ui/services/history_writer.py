"""HistoryWriter: the window's history writes, in order, on a worker thread that waits out a lock.

A history database locked by another process (the sqlite3 shell inside a transaction, a second app
instance writing) must not freeze the window: SQLite waits for the lock inside the call, so every
write the window makes runs on one worker thread with its own connection, one after the other.
A write that finds the database busy is tried again every ``retry`` seconds for up to ``patience``
seconds; the user is told it is waiting ("history busy: this run is not saved yet"), then that it
was saved after all or, if the lock never went, that it was not. Only "busy" is waited out: any
other fault (disk full, read-only, damage) is reported at once, as the hardening rules ask.
"""

from __future__ import annotations

import itertools
import logging
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

    from playground.core.history import RunHistory

log = logging.getLogger(__name__)

PATIENCE = 120.0  # seconds a write waits for another process's lock before it is given up
RETRY = 0.25  # seconds between tries while the database is busy
BUSY_TIMEOUT = 0.5  # how long SQLite itself waits for the lock, on the worker thread, per try

WAITING = "history busy: {what} is not saved yet - it will be when the database is free"
SAVED_LATE = "history free again: {what} is saved"
GAVE_UP = "history busy: {what} is not saved (another program kept the database locked)"


@dataclass
class Write:
    """One write: ``work`` runs on the worker thread with the open history; ``done`` gets its result
    on the window's thread. ``work`` None is a marker: ``done`` runs once the writes before it ended."""

    path: Path
    work: Callable[[RunHistory], Any] | None
    done: Callable[[Any], None] | None = None
    failed: Callable[[], None] | None = None
    what: str = "this run"


class HistoryWriter:
    """Writes run in the order given; none blocks the thread that submits them."""

    def __init__(self, notice: Callable[[str], None]) -> None:
        self.patience = PATIENCE
        self.retry = RETRY
        self._notice = notice
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="history-writer")
        self._writes: deque[Write] = deque()
        self._pump: asyncio.Task[None] | None = None
        self._history: RunHistory | None = None  # opened and used on the worker thread only
        self.closing = False
        self._stuck = False  # the last write was given up because the database stayed locked

    @property
    def pending(self) -> int:
        """Writes not done yet (waiting for their turn or for the lock)."""
        return len(self._writes)

    def submit(self, write: Write) -> None:
        self._writes.append(write)
        if self._pump is None or self._pump.done():
            import asyncio  # loaded with the event loop, after the window's first frame

            self._pump = asyncio.get_event_loop().create_task(self._drain(), name="history-writer")

    def then(self, callback: Callable[[], None]) -> None:
        """``callback`` once every write submitted so far has ended (saved or given up)."""
        self.submit(Write(Path(), None, lambda _result: callback()))

    async def _drain(self) -> None:
        while self._writes:
            if await self._run_batch():
                continue
            write = self._writes[0]
            try:
                await self._run(write)
            except Exception:  # a bug in one write must not stop the ones after it
                log.exception("a history write failed")
                self._notice(f"{write.what} could not be saved to history; see the log.")
            finally:
                self._writes.popleft()

    async def _run_batch(self) -> bool:
        """Every write queued so far in one trip to the worker thread, while none finds the database
        busy: a window thread busy drawing then finishes them all in one turn of its loop, instead of
        one write per turn while the queue (each write holding its answer) grows. False when the first
        write needs the one-at-a-time path (a marker, a busy database, quitting after a lock)."""
        from playground.core.history import HistoryError

        batch = list(itertools.takewhile(lambda w: w.work is not None, self._writes))
        if len(batch) < 2 or self._stuck or self.closing:
            return False
        import asyncio

        loop = asyncio.get_running_loop()
        outcomes = await loop.run_in_executor(self._executor, self._call_many, batch)
        for write, (ok, value) in zip(batch, outcomes, strict=False):
            self._writes.popleft()
            if ok:
                if write.done is not None:
                    write.done(value)
            elif isinstance(value, HistoryError):
                self._give_up(write, f"{value}: {write.what} is not saved")
            else:  # a bug in one write must not stop the ones after it
                log.error("a history write failed", exc_info=value)
                self._notice(f"{write.what} could not be saved to history; see the log.")
        return bool(outcomes)

    def _call_many(self, batch: list[Write]) -> list[tuple[bool, Any]]:
        """On the worker thread: the writes in order, until one finds the database busy (it and the
        ones after it stay queued for the path that waits out the lock)."""
        from playground.core.history import HistoryUnavailable

        outcomes: list[tuple[bool, Any]] = []
        for write in batch:
            try:
                outcomes.append((True, self._call(write)))
            except HistoryUnavailable as exc:
                if exc.busy:
                    break
                outcomes.append((False, exc))
            except Exception as exc:  # noqa: BLE001 - logged with its traceback on the window's side
                outcomes.append((False, exc))
        return outcomes

    async def _run(self, write: Write) -> None:
        if write.work is None:
            if write.done is not None:
                write.done(None)
            return
        if self.closing and self._stuck:  # quitting, and the lock did not go: do not try each in turn
            self._give_up(write, GAVE_UP.format(what=write.what))
            return
        import asyncio

        loop = asyncio.get_running_loop()
        # once a write was given up on a lock that did not go, the ones queued after it do not each
        # wait the whole patience again: they try once, until a write goes through
        deadline = loop.time() + (0.0 if self._stuck else self.patience)
        waited = False
        # imported on the first write, after the first frame: the history's modules load SQLite
        from playground.core.history import HistoryError, HistoryUnavailable

        while True:
            try:
                result = await loop.run_in_executor(self._executor, self._call, write)
                break
            except HistoryUnavailable as exc:
                if exc.busy and not self.closing and loop.time() < deadline:
                    if not waited:
                        self._notice(WAITING.format(what=write.what))
                    waited = True
                    await asyncio.sleep(self.retry)
                    continue
                self._stuck = exc.busy
                said = GAVE_UP.format(what=write.what) if exc.busy else f"{exc}: {write.what} is not saved"
                self._give_up(write, said)
                return
            except HistoryError as exc:
                self._give_up(write, f"{exc}: {write.what} is not saved")
                return
        self._stuck = False
        if waited:
            self._notice(SAVED_LATE.format(what=write.what))
        if write.done is not None:
            write.done(result)

    def _give_up(self, write: Write, message: str) -> None:
        log.warning("%s", message)
        self._notice(message)
        if write.failed is not None:
            write.failed()

    def _call(self, write: Write) -> Any:
        """On the worker thread: the history at the write's path (opened here: SQLite connections
        belong to the thread that opened them), then the write itself."""
        assert write.work is not None
        if self._history is not None and self._history.path != write.path:
            self._history.close()  # the demo started or stopped: another database
            self._history = None
        if self._history is None:
            from playground.core.history import RunHistory

            self._history = RunHistory(write.path, busy_timeout=BUSY_TIMEOUT)
        return write.work(self._history)

    async def close(self) -> None:
        """Finish the writes still queued, each tried once more without waiting (the window is
        closing: what is still locked out is reported, in the log, as not saved), then let go."""
        import asyncio

        self.closing = True
        if self._pump is not None:
            await asyncio.shield(self._pump)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._close_history)
        self._executor.shutdown(wait=True)

    def _close_history(self) -> None:
        if self._history is not None:
            self._history.close()
            self._history = None
