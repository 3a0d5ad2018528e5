"""NetworkThread, ThreadedRun and FrameClock: streams run on a plain asyncio loop in a worker thread.

Measured: on the Qt-integrated (qasync) loop every socket read and every read timeout costs a
QSocketNotifier or a QTimer, about 0.3 ms per chunk - 50% of a core for 8 paced streams. On a
plain asyncio loop the same chunk costs about 20 us. So the window keeps qasync for its own
work and runs comparisons here; events cross back through a queue that the window thread's one
FrameClock drains, then the views draw from the state just applied.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal
from shiboken6 import isValid

from playground.core.compare import (
    ChatClient,
    CompareRequest,
    CompareRun,
    PaneEvent,
    PaneResult,
    Stopped,
    with_pane_model,
)
from playground.core.events import Delta, Failed, Finished, Reasoning

if TYPE_CHECKING:  # asyncio loads with the event loop, after the window's first frame
    import concurrent.futures

log = logging.getLogger(__name__)
T = TypeVar("T")
FRAME_MS = 16  # about 60 Hz, only while something streams
QUIET_FRAMES = 2  # frames with nothing to apply or draw before the clock sleeps until the next event
DRAIN_BUDGET = 0.006  # seconds per frame for applying queued events, shared by every run
# While every run only trickles (at most this many stream chunks a second applied, in all: 8 answers
# at 80 tok/s are 640) the clock ticks every second frame; a burst ticks every frame.
TRICKLE_RATE = 960
TRICKLE_TICKS = 3  # ...as seen by this many ticks in a row (not the odd quiet tick of a burst)
TRICKLE_STEP = 2  # frames a tick stands for while every run only trickles


class NetworkThread:
    """One asyncio loop in a daemon thread, for the app's lifetime."""

    def __init__(self) -> None:
        import asyncio

        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="network", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import asyncio

        asyncio.set_event_loop(self.loop)
        _name_the_async_library()
        self.loop.run_forever()

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        import asyncio

        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    async def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await, from the window's loop, a coroutine that runs on the network loop."""
        import asyncio

        return await asyncio.wrap_future(self.submit(coro))

    def call(self, fn: Callable[..., Any], *args: Any) -> None:
        self.loop.call_soon_threadsafe(fn, *args)

    def stop(self, timeout: float = 2.0) -> None:
        """Cancel what is left, close the loop's async generators, stop the thread."""
        import asyncio
        import concurrent.futures

        if not self.loop.is_running():
            return

        async def finish() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.loop.shutdown_asyncgens()

        try:
            self.submit(finish()).result(timeout)
        except (concurrent.futures.TimeoutError, RuntimeError):
            log.warning("network loop did not finish in time")
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("network thread did not finish in time")
        else:
            self.loop.close()


def _name_the_async_library() -> None:
    """Tell sniffio, once, that this thread runs asyncio (its documented ``thread_local``).

    httpx's stack (anyio) asks sniffio which library runs several times per socket read; unnamed,
    sniffio finds out with an ``import`` statement each time, and once PySide6 is loaded every
    import statement goes through PySide6's ``__import__`` hook: about 3 hook calls per chunk
    read, a tenth of the network thread's CPU at 8 x 80 tok/s (cProfile)."""
    try:
        import sniffio
    except ImportError:  # httpx without anyio's helper: nothing asks
        return
    sniffio.thread_local.name = "asyncio"


class FrameClock(QObject):
    """The window thread's one frame timer, running only while a run or a view needs it.

    Each tick first applies what the network thread queued for every run (one time budget shared by
    all), then lets each view draw from the state just applied: no view keeps a timer of its own, and
    none draws a half-applied state. A callback returns False when it needs no more frames.
    ``frame`` counts the ticks: views pace their drawing by it (e.g. a pane re-renders every few
    frames), so under load, when ticks come late, they draw less often instead of falling behind.

    While every run and view says it is quiet (nothing queued, nothing left to draw: a model thinking
    before its first word, a slow trickle between chunks) the clock sleeps after QUIET_FRAMES idle
    ticks instead of ticking 60 times a second for nothing; the network thread wakes it with
    ``poke()`` when it queues the next event (one queued signal per wake, not one per event).

    An answer's end is not kept waiting for the frame timer: ``poke(now=True)`` ticks at once (and
    the next regular tick comes a whole frame later), so a run's last frame follows its last event.

    While answers only trickle (every run says how many chunks its last drain applied, and in all
    they are few) the clock ticks every second frame: ``step`` is then 2 and ``frame`` advances by 2,
    so views still see every frame number, in (``previous``, ``frame``], and draw what fell due in
    both (measured at 8 x 80 tok/s: the per-tick work - timer, drain, listeners, a paint pass - is
    paid half as often; each pane keeps its redraws a second). A burst, a run that does not say, and
    a clock that wakes tick every frame.
    """

    _wake = Signal()
    _hurry = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self.tick)
        self._wake.connect(self._woken)  # queued: emitted from the network thread
        self._hurry.connect(self._hurried)  # queued too
        self._hurrying = False  # a tick at once is on its way (one at a time)
        self._runs: dict[int, tuple[QObject, Callable[[float], bool]]] = {}
        self._views: dict[int, tuple[QObject, Callable[[], bool]]] = {}
        self._quiet: dict[int, Callable[[], bool]] = {}  # by owner: whether it has nothing to do
        self._load: dict[int, Callable[[], int]] = {}  # by run: chunks its last drain applied
        self._sleep_lock = threading.Lock()
        self.asleep = False
        self._idle = 0
        self.frame = 0
        self.previous = 0  # the frame before this tick: frames (previous, frame] are this tick's
        self.step = 1  # frames per tick: 2 while every run trickles
        self._ticked = 0.0  # time.perf_counter() of the last tick that applied something
        self._empty = 0  # ticks in a row that applied nothing
        self._calm = 0  # ticks in a row that saw only a trickle

    def add_run(
        self,
        owner: QObject,
        drain: Callable[[float], bool],
        quiet: Callable[[], bool] | None = None,
        load: Callable[[], int] | None = None,
    ) -> None:
        """``drain(deadline)`` applies queued events until ``time.perf_counter()`` passes deadline.

        ``quiet()`` (called on the window thread) says nothing is queued: a run that gives it must
        ``poke()`` the clock after queuing each event. Without it the clock never sleeps for it.
        ``load()``: the stream chunks its last drain applied; without it the clock never slows."""
        self._runs[id(owner)] = (owner, drain)
        self._set_quiet(owner, quiet)
        if load is None:
            self._load.pop(id(owner), None)
        else:
            self._load[id(owner)] = load
        self._start()

    def add_view(
        self, owner: QObject, render: Callable[[], bool], quiet: Callable[[], bool] | None = None
    ) -> None:
        """``render()`` draws a frame; ``quiet()``: nothing is left to draw until new events come."""
        self._views[id(owner)] = (owner, render)
        self._set_quiet(owner, quiet)
        if not self._timer.isActive():
            self._start()

    def _set_quiet(self, owner: QObject, quiet: Callable[[], bool] | None) -> None:
        if quiet is None:
            self._quiet.pop(id(owner), None)
        else:
            self._quiet[id(owner)] = quiet

    def _start(self) -> None:
        with self._sleep_lock:
            self.asleep = False
        self._idle = 0
        self._calm = 0
        self._set_step(1)
        self._timer.start()

    def _set_step(self, step: int) -> None:
        if step != self.step:
            self.step = step
            self._timer.setInterval(FRAME_MS * step)

    def _trickling(self, now: float) -> bool | None:
        """Every run says what its last drain applied, and in all it was a little: at most
        TRICKLE_RATE a second since the last tick that applied anything. None for one tick that
        applied nothing (trickling answers are read every TRICKLE_STEP frames: a tick between two
        reads finds none); False for two in a row (a model thinking: a tick a frame, ready for its
        first word)."""
        if not self._runs or any(key not in self._load for key in self._runs):
            return False
        chunks = sum(self._load[key]() for key in self._runs)
        if chunks == 0:
            self._empty += 1
            return None if self._empty < 2 else False
        self._empty = 0
        seconds = min(now - self._ticked, 4 * FRAME_MS / 1000)
        self._ticked = now
        return chunks <= TRICKLE_RATE * seconds

    def poke(self, now: bool = False) -> None:
        """Any thread: new events are queued; wakes a sleeping clock. ``now``: one of them ended an
        answer, so the next tick comes at once instead of up to a frame later."""
        if now and not self._hurrying:
            self._hurrying = True
            self._hurry.emit()
            return
        if not self.asleep:  # the common case, checked without the lock
            return
        with self._sleep_lock:
            if not self.asleep:
                return
            self.asleep = False
        self._wake.emit()

    def again(self) -> None:
        """Window thread: a view has more to draw right away (it stopped at its budget); the next
        tick comes once the events already waiting (input, timers) are handled, not a frame later."""
        if not self._hurrying:
            self._hurrying = True
            QTimer.singleShot(0, self._hurried)

    def _woken(self) -> None:
        if (self._runs or self._views) and not self._timer.isActive():
            self._idle = 0
            self._calm = 0
            self._set_step(1)
            self._timer.start()

    def _hurried(self) -> None:
        self._hurrying = False
        if self._runs or self._views:
            self._start()  # awake, and the next regular tick a whole frame after this one
            self.tick()

    def _all_quiet(self) -> bool:
        owners = [*self._runs, *self._views]
        return all(key in self._quiet and self._quiet[key]() for key in owners)

    def _maybe_sleep(self) -> None:
        self._idle = self._idle + 1 if self._all_quiet() else 0
        if self._idle < QUIET_FRAMES:
            return
        # Asleep first, then look: a run queues first, then looks (poke). So an event queued now
        # either shows in quiet() here or finds the clock asleep and wakes it - never neither.
        self.asleep = True
        if self._all_quiet():
            self._timer.stop()
            return
        with self._sleep_lock:
            self.asleep = False

    @property
    def drawing(self) -> bool:
        """Whether a run or a view is using the clock now (streaming, drawing, not asleep)."""
        return bool(self._runs or self._views) and not self.asleep

    def watching(self, owner: QObject) -> bool:
        """Whether ``owner`` still waits for frames (a run still streaming, a view still drawing)."""
        return id(owner) in self._runs or id(owner) in self._views

    def tick(self) -> None:
        self.previous = self.frame
        self.frame += self.step
        deadline = time.perf_counter() + DRAIN_BUDGET
        runs = list(self._runs.items())
        for key, (owner, drain) in runs:
            if not isValid(owner) or not drain(deadline):
                self._runs.pop(key, None)
        if len(runs) > 1 and runs[0][0] in self._runs:  # a busy run goes last next time, so none starves
            self._runs[runs[0][0]] = self._runs.pop(runs[0][0])
        for key, (owner, render) in list(self._views.items()):
            if not isValid(owner) or not render():
                self._views.pop(key, None)
        for key in [k for k in self._quiet if k not in self._runs and k not in self._views]:
            del self._quiet[key]
        for key in [k for k in self._load if k not in self._runs]:
            del self._load[key]
        if not self._runs and not self._views:
            self._timer.stop()
            return
        trickling = self._trickling(time.perf_counter())
        if trickling is not None:
            self._calm = self._calm + 1 if trickling else 0
        self._set_step(TRICKLE_STEP if self._calm >= TRICKLE_TICKS else 1)
        if self._quiet:
            self._maybe_sleep()


_clock: FrameClock | None = None


def frame_clock() -> FrameClock:
    """The one FrameClock of the window's thread."""
    global _clock
    if _clock is None or not isValid(_clock):
        _clock = FrameClock()
    return _clock


class ThreadedRun(QObject):
    """A CompareRun on the network thread, seen from the window as a RunHandle.

    ``results`` and the listeners live on the window's thread: events are queued by the network
    thread and applied here when the FrameClock ticks, so widgets never see a half-applied state.
    ``results[i]`` is the one copy of pane i's state on this side: the panes render from it.
    """

    def __init__(self, net: NetworkThread, client: ChatClient, request: CompareRequest) -> None:
        super().__init__()
        self.net = net
        self.request = request
        self.results = [self._fresh(request, i) for i in range(len(request.panes))]
        self._events: queue.SimpleQueue[PaneEvent] = queue.SimpleQueue()
        self._listeners: list[Callable[[PaneEvent], None]] = []
        self._inner = CompareRun(client, request)
        self._inner.add_listener(self._from_network)
        self._lock = threading.Lock()
        self._batched: dict[int, tuple[list[str], list[str]]] = {}  # pane -> (reasoning, text) not yet queued
        self._pending = 0  # panes started whose end has not been applied here yet
        self.applied = 0  # stream chunks the last drain applied (the clock's measure of a trickle)
        self._clock: FrameClock | None = None  # set on the window thread before the first event
        self.run_id: int | None = None  # its row in history, once recorded

    @staticmethod
    def _fresh(request: CompareRequest, index: int) -> PaneResult:
        # the fallbacks asked for tell a fallback model apart from a renamed (dated) one
        return PaneResult(request.panes[index].model, fallbacks=request.pane_routing(index).fallbacks)

    def _from_network(self, pane_event: PaneEvent) -> None:
        """Network thread: text is batched per pane; anything else first queues the batch before it,
        so every pane's events keep their order."""
        event = pane_event.event
        kind = type(event)
        text = kind is Delta or kind is Reasoning
        with self._lock:
            if text:
                batch = self._batched.get(pane_event.pane)
                if batch is None:
                    batch = self._batched[pane_event.pane] = ([], [])
                batch[kind is Delta].append(event.text)  # type: ignore[union-attr]
            else:
                self._queue_batch(pane_event.pane, pane_event.model)
        if not text:
            self._events.put(pane_event)
        if self._clock is not None:  # after queuing: see FrameClock._maybe_sleep
            self._clock.poke(now=kind is Finished or kind is Failed or kind is Stopped)

    def _quiet(self) -> bool:
        """Window thread: nothing queued or batched, so no frame is needed until the next poke."""
        return self._events.empty() and not self._batched

    def _queue_batch(self, pane: int, model: str) -> None:
        batch = self._batched.pop(pane, None)
        if batch is None:
            return
        reasoning, text = batch
        if reasoning:
            self._events.put(PaneEvent(pane, model, Reasoning("".join(reasoning), len(reasoning))))
        if text:
            self._events.put(PaneEvent(pane, model, Delta("".join(text), len(text))))

    def add_listener(self, listener: Callable[[PaneEvent], None]) -> None:
        self._listeners.append(listener)

    def start(self) -> None:
        self._pending = len(self.request.panes)
        self._clock = frame_clock()
        self.net.call(self._inner.start)
        self._clock.add_run(self, self._frame, self._quiet, self._applied)

    def cancel(self, index: int) -> None:
        self.net.call(self._inner.cancel, index)

    def cancel_all(self) -> None:
        self.net.call(self._inner.cancel_all)

    def retry(self, index: int, model: str | None = None) -> None:
        self.drain()  # events of the old attempt must not land on the new one
        with self._lock:
            self._batched.pop(index, None)
        self.request = with_pane_model(self.request, index, model)
        if self.results[index].state.final:
            self._pending += 1
        self.results[index] = self._fresh(self.request, index)
        self._clock = frame_clock()
        self.net.call(self._inner.retry, index, model)
        self._clock.add_run(self, self._frame, self._quiet, self._applied)

    def _applied(self) -> int:
        return self.applied

    @property
    def running(self) -> bool:
        return self._pending > 0

    @property
    def all_complete(self) -> bool:
        return all(r.state.name == "DONE" for r in self.results)

    def _frame(self, deadline: float) -> bool:
        self.drain(deadline)
        if not self._events.empty():
            return True
        # A stopped network thread sends nothing more: no frames for panes that will never end.
        return self._pending > 0 and self.net.loop.is_running()

    def drain(self, deadline: float | None = None) -> None:
        """Apply queued events (window thread), then tell the listeners.

        Until ``deadline`` (default: DRAIN_BUDGET from now): a burst of thousands of chunks is
        spread over a few frames instead of freezing one.
        """
        deadline = time.perf_counter() + DRAIN_BUDGET if deadline is None else deadline
        if self._events.empty():  # everything queued is applied: the batches are next in order
            with self._lock:
                for pane in list(self._batched):
                    self._queue_batch(pane, self.request.panes[pane].model)
        applied = 0
        while time.perf_counter() < deadline:
            try:
                pane_event = self._events.get_nowait()
            except queue.Empty:
                break
            event = pane_event.event
            if type(event) is Delta or type(event) is Reasoning:
                applied += event.chunks
            result = self.results[pane_event.pane]
            was_final = result.state.final
            result.apply(event)
            if result.state.final and not was_final:
                self._pending -= 1
            for listener in list(self._listeners):
                listener(pane_event)
        self.applied = applied

    async def wait(self) -> None:
        """Until every pane has ended (used when the window closes)."""
        await self.net.run(self._inner.wait())
        self.drain()
