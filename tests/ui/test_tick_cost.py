"""The window thread's cost while answers trickle: what a tick of the frame clock stands for.

While every answer only trickles the clock ticks every second frame (each tick drawing what fell due
in both frames, so every pane keeps its redraws); a burst, or a run that does not say how much it
applied, keeps a tick per frame. A streaming answer's view paints itself alone, not the pane behind.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from playground.core.compare import PaneState
from playground.simulator import Behaviour
from playground.ui.compare_view import RENDER_EVERY
from playground.ui.net import FRAME_MS, FrameClock
from playground.ui.net import frame_clock as the_clock
from tests.ui.conftest import Harness


class _Run(QObject):
    """A run on the clock that applies ``chunks`` stream chunks per drain, for ``ticks`` ticks."""

    def __init__(self, chunks: int, ticks: int = 10_000) -> None:
        super().__init__()
        self.chunks, self.left, self.applied = chunks, ticks, 0

    alternate = False  # apply nothing every second drain (a trickle read every second frame)

    def drain(self, _deadline: float) -> bool:
        self.applied = 0 if self.alternate and self.applied else self.chunks
        self.left -= 1
        return self.left > 0


def test_a_trickle_ticks_every_second_frame_and_a_burst_every_frame(qtbot) -> None:  # type: ignore[no-untyped-def]
    clock = FrameClock()
    trickle = _Run(chunks=1)
    seen: list[tuple[int, int]] = []
    watcher = QObject()

    def draw() -> bool:
        seen.append((clock.previous, clock.frame))
        return True

    clock.add_run(trickle, trickle.drain, load=lambda: trickle.applied)
    clock.add_view(watcher, draw)
    qtbot.waitUntil(lambda: clock.step == 2, timeout=5000)
    assert clock._timer.interval() == 2 * FRAME_MS
    count = len(seen)
    qtbot.waitUntil(lambda: len(seen) >= count + 4, timeout=5000)
    ticks = seen[count:]
    assert [b - a for a, b in ticks[1:]] == [2] * (len(ticks) - 1)  # each tick stands for two frames
    assert all(b == a for (_p, b), (a, _f) in itertools.pairwise(ticks))  # and no frame is skipped
    trickle.chunks = 100_000  # a burst: far more than a trickle in any two frames
    qtbot.waitUntil(lambda: clock.step == 1, timeout=5000)
    assert clock._timer.interval() == FRAME_MS
    trickle.chunks = 1
    qtbot.waitUntil(lambda: clock.step == 2, timeout=5000)
    # trickling answers are read every second frame: a tick between two reads applies nothing, and
    # the clock stays at two frames a tick
    trickle.alternate = True
    frame = clock.frame
    qtbot.waitUntil(lambda: clock.frame >= frame + 12, timeout=5000)
    assert clock.step == 2
    trickle.alternate = False
    trickle.chunks = 0  # nothing applied (a model thinking): a tick per frame, ready for its first word
    qtbot.waitUntil(lambda: clock.step == 1, timeout=5000)
    clock._timer.stop()


def test_a_run_that_does_not_say_what_it_applied_keeps_a_tick_per_frame(qtbot) -> None:  # type: ignore[no-untyped-def]
    clock = FrameClock()
    trickle, silent = _Run(chunks=1), _Run(chunks=1)
    clock.add_run(trickle, trickle.drain, load=lambda: trickle.applied)
    qtbot.waitUntil(lambda: clock.step == 2, timeout=5000)  # alone, it trickles
    clock.add_run(silent, silent.drain)  # e.g. a test matrix
    frame = clock.frame
    qtbot.waitUntil(lambda: clock.frame >= frame + 6, timeout=5000)
    assert clock.step == 1 and clock._timer.interval() == FRAME_MS
    clock._timer.stop()


def test_eight_trickling_answers_tick_every_second_frame_and_each_pane_keeps_its_redraws(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()
    answer = " ".join(f"word{i}" for i in range(90)) + " the end."
    models = ["sim/quick-mini"] * 8

    async def go() -> None:
        await h.start()
        h.sim.set_default("sim/quick-mini", Behaviour(text=answer, tokens_per_second=80, ttft=0))
        h.set_models(*models)
        clock = the_clock()
        steps: list[int] = []
        renders: dict[int, list[int]] = {}  # pane -> the frames its text was drawn in
        for index, pane in enumerate(h.window.compare.panes):
            drawn = renders.setdefault(index, [])

            def append_text(text: str, draw=pane.outputView.append_text, drawn=drawn) -> None:  # type: ignore[no-untyped-def]
                drawn.append(clock.frame)
                steps.append(clock.frame - clock.previous)
                draw(text)

            pane.outputView.append_text = append_text  # type: ignore[method-assign]
        ticks = clock.frame
        await h.send()
        await h.finish(timeout=60)
        assert 2 in steps  # the trickle was drawn on ticks of two frames
        # ...and its sockets read on the same beat, not every frame (a read is a wake-up of the
        # network thread and a pass through the HTTP stack per answer)
        pacer = h.window.session._backend._pacer  # type: ignore[union-attr]
        assert pacer is not None and pacer.releases > 10
        assert pacer.releases <= (clock.frame - ticks) // 2 + 10
        for index, pane in enumerate(h.window.compare.panes):
            assert pane.result.state is PaneState.DONE
            assert pane.outputView.text == answer  # every word, whatever the pacing
            streaming = renders[index][:-1]  # the last one may be the forced final render
            gaps = [b - a for a, b in itertools.pairwise(streaming)]
            # drawn on each of its turns (every RENDER_EVERY frames; a turn in a tick's first frame
            # is drawn a frame late, and a pane left over a tick's drawing budget - a busy machine -
            # in the next tick, up to two frames), not every second turn: its redraws a second are kept
            assert len(gaps) > 3 and all(RENDER_EVERY - 2 <= gap <= RENDER_EVERY + 2 for gap in gaps), gaps
        await h.close()

    aio(go())


class _Paints(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_a_streaming_answer_repaints_its_view_alone_not_the_pane_behind_it(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()

    async def go() -> None:
        await h.start()
        h.sim.set_default("sim/quick-mini", Behaviour(text="Short answer.", tokens_per_second=0, ttft=0))
        h.set_models("sim/quick-mini")
        await h.send()
        await h.finish(timeout=30)
        pane = h.window.compare.panes[0]
        QApplication.processEvents()
        behind, view = _Paints(), _Paints()
        pane.installEventFilter(behind)
        pane.outputView.viewport().installEventFilter(view)
        pane.outputView.viewport().update()  # what a new piece of text asks for
        QApplication.processEvents()
        assert view.count == 1  # the answer is painted...
        assert behind.count == 0  # ...over nothing: its background is its own
        pane.removeEventFilter(behind)
        pane.outputView.viewport().removeEventFilter(view)
        await h.close()

    aio(go())
