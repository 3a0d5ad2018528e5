"""The window's thread during a burst of streams: when frames come and what a frame does.

An answer's end is drawn on a tick at once, not on the frame timer's next tick (so a run's last frame
follows its last event instead of waiting up to a frame for it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QResizeEvent

from playground.core.compare import PaneState
from playground.simulator import Behaviour
from playground.ui.markdown_view import MarkdownView
from playground.ui.net import FRAME_MS, frame_clock
from playground.ui.response_pane import ResponsePane
from tests.ui.conftest import Harness, wait_until

HOUR_MS = 3_600_000


def test_an_answers_end_is_drawn_at_once_without_waiting_for_the_frame_timer(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()
    models = ("sim/quick-mini", "sim/balanced-pro")

    async def go() -> None:
        await h.start()
        for model in models:
            h.sim.set_default(model, Behaviour(text=f"The answer of {model}.", tokens_per_second=0, ttft=0))
        h.set_models(*models)
        clock = frame_clock()
        clock._timer.setInterval(HOUR_MS)  # the frame timer never fires during this test
        try:
            await h.send()
            await wait_until(lambda: not h.window.compare.running, 10, "the answers' ends to be drawn")
            await wait_until(lambda: not h.window.compare.rendering, 10, "the run's last frame")
        finally:
            clock._timer.setInterval(FRAME_MS)
        for pane, model in zip(h.window.compare.panes, models, strict=True):
            assert pane.result.state is PaneState.DONE
            assert pane.outputView.text == f"The answer of {model}."  # drawn, not only applied
        await h.finish()
        await h.close()

    aio(go())


class _Resizes(QObject):
    """Each time a view was resized: how long its answer was and whether its width changed."""

    def __init__(self, view: MarkdownView) -> None:
        super().__init__()
        self.view = view
        self.at: list[tuple[int, bool]] = []
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QResizeEvent):
            self.at.append((len(self.view.text), event.size().width() != event.oldSize().width()))
        return False


def test_a_panes_answer_area_keeps_its_size_while_it_streams_and_when_sent_again(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()
    answer = " ".join(f"word{i}" for i in range(1500))  # longer than the pane is high

    async def go() -> None:
        await h.start()
        h.sim.set_default("sim/quick-mini", Behaviour(text=answer, tokens_per_second=3000, ttft=0.05))
        h.set_models("sim/quick-mini")
        pane = h.window.compare.panes[0]
        resizes = _Resizes(pane.outputView)
        await h.send()
        await h.finish()
        assert pane.outputView.verticalScrollBar().maximum() > 0  # it did grow past the pane's height
        # the scroll bar came with Send: the text was never laid out again at a new width mid-stream
        assert all(length == 0 for length, wider in resizes.at if wider), resizes.at
        assert pane.statsLabel.text() and not pane.statsLabel.isHidden()
        resizes.at.clear()
        await h.send("Explain caching again")
        await h.finish()
        assert pane.outputView.text == answer and pane.statsLabel.text()
        # neither the Send (the old figures cleared) nor the first chips nor the last moved it
        assert resizes.at == [], resizes.at
        pane.outputView.viewport().removeEventFilter(resizes)
        await h.close()

    aio(go())


async def _network_idle() -> None:
    """On the network loop: until no task but this one is left (every answer has ended)."""
    while len(asyncio.all_tasks()) > 1:
        await asyncio.sleep(0.01)


def test_an_answer_that_ends_before_its_run_is_written_is_still_saved_to_history(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()

    async def go() -> None:
        await h.start()
        h.sim.set_default("sim/quick-mini", Behaviour(text="At once.", tokens_per_second=0, ttft=0))
        h.set_models("sim/quick-mini")
        h.window.promptEdit.setPlainText("Quick")
        h.window.send()
        # The window's thread is held here (the history writer has not started the run's row) while
        # the network thread answers; then a frame applies the answer's end, queuing its write too.
        h.session.backend.net.submit(_network_idle()).result(timeout=30)
        clock = frame_clock()
        for _ in range(100):
            if not h.window.compare.running:
                break
            clock.tick()
        assert not h.window.compare.running
        await h.finish()
        [record] = h.ctx.history().list_runs(limit=1)
        [answer] = h.ctx.history().get_run(record.id).answers
        assert (answer.state, answer.answer) == ("done", "At once.")
        await h.close()

    aio(go())


def _border(pane: ResponsePane) -> QColor:
    """The colour drawn at the middle of the pane's left edge (its frame)."""
    image = pane.grab().toImage()
    return image.pixelColor(0, image.height() // 2)


def test_a_failed_panes_look_comes_with_the_failure_and_goes_with_the_next_answer(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()

    async def go() -> None:
        await h.start()
        h.set_models("sim/quick-mini")
        pane = h.window.compare.panes[0]
        h.sim.set_default("sim/quick-mini", Behaviour(text="Fine.", tokens_per_second=0, ttft=0))
        await h.send()
        await h.finish()
        plain = _border(pane)
        h.sim.set_default("sim/quick-mini", Behaviour(status=400))
        await h.send("Again")
        await h.finish()
        assert pane.result.state is PaneState.FAILED and pane.property("state") == "failed"
        failed = _border(pane)
        assert failed != plain  # the failed frame is drawn
        h.sim.set_default("sim/quick-mini", Behaviour(text="Fine again.", tokens_per_second=0, ttft=0))
        await h.send("Once more")
        await h.finish()
        assert pane.property("state") == "done" and _border(pane) == plain
        await h.close()

    aio(go())


def test_a_tick_over_its_budget_leaves_the_other_panes_text_to_the_next_tick_and_the_run_ends_drawn(
    aio, make_harness: Callable[..., Harness], monkeypatch
) -> None:
    """Eight panes' last long paragraphs (2-3 ms each) used to be drawn in the run's one last tick: a
    20 ms pause of the window. Over its budget a tick leaves the rest to the next one, which comes at
    once once the run has ended; the run is over only when every answer is drawn whole."""
    from playground.ui import compare_view

    monkeypatch.setattr(compare_view, "DRAW_BUDGET", 0.0)  # every tick is over budget after one pane
    h = make_harness()
    models = ("sim/quick-mini", "sim/balanced-pro", "sim/reasoner-r1", "sim/vision-v")
    texts = {model: " ".join(f"{model}-word{i}" for i in range(300)) for model in models}
    drawn_in: dict[int, int] = {}  # frame -> panes whose text was drawn in that tick
    real_flush = ResponsePane.flush

    def flush(pane: ResponsePane, *, render: bool = True, figures: bool = True) -> None:
        if render and pane.has_pending_text:
            frame = frame_clock().frame
            drawn_in[frame] = drawn_in.get(frame, 0) + 1
        real_flush(pane, render=render, figures=figures)

    monkeypatch.setattr(ResponsePane, "flush", flush)

    async def go() -> None:
        await h.start()
        for model in models:
            h.sim.set_default(model, Behaviour(text=texts[model], tokens_per_second=0, ttft=0))
        h.set_models(*models)
        finished = asyncio.Event()
        h.window.compare.runFinished.connect(finished.set)
        await h.send()
        await asyncio.wait_for(finished.wait(), 20)
        # at runFinished every answer is already drawn whole (nothing waits for another tick)
        for pane, model in zip(h.window.compare.panes, models, strict=True):
            assert pane.result.state is PaneState.DONE
            assert not pane.has_pending_text
            assert pane.outputView.text == texts[model]
        await h.finish()
        await h.close()

    aio(go())
    assert drawn_in and max(drawn_in.values()) == 1, drawn_in  # one pane's text per tick, never more
