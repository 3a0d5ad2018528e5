"""The window's thread during a burst of streams: when frames come and what a frame does.

An answer's end is drawn on a tick at once, not on the frame timer's next tick (so a run's last frame
follows its last event instead of waiting up to a frame for it).
"""

from __future__ import annotations

from collections.abc import Callable

from playground.core.compare import PaneState
from playground.simulator import Behaviour
from playground.ui.net import FRAME_MS, frame_clock
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
