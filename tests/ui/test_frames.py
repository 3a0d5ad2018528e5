"""One frame clock schedules every view of a streaming run: the panes and the test matrix.

The matrix keeps no timer of its own - its queued events are applied when the FrameClock ticks -
and the compare view alone paces when a pane re-renders its text: at most once every RENDER_EVERY
frames while it streams, the panes taking turns, and always its whole text once its stream ends.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
from collections.abc import Callable

from PySide6.QtCore import QTimer

from playground.core.compare import PaneState
from playground.core.templates import PromptTemplate
from playground.simulator import Behaviour
from playground.ui.compare_view import RENDER_EVERY
from playground.ui.matrix_dialog import MatrixDialog
from playground.ui.net import frame_clock
from tests.ui.conftest import Harness

MATRIX = """name = "framed"
prompt = "Explain {{text}}"
models = ["sim/quick-mini", "sim/balanced-pro"]

[[cases]]
name = "one"
vars = { text = "caching" }

[[cases]]
name = "two"
vars = { text = "ETags" }
"""


async def _network_idle() -> None:
    """On the network loop: until no task but this one is left (every cell has been answered)."""
    while len(asyncio.all_tasks()) > 1:
        await asyncio.sleep(0.01)


def test_a_matrix_run_keeps_no_timer_and_its_events_are_applied_by_the_clock_tick(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()

    async def go() -> None:
        await h.start()
        for model in ("sim/quick-mini", "sim/balanced-pro"):
            h.sim.set_default(model, Behaviour(text="An answer about it.", tokens_per_second=0, ttft=0))
        template = PromptTemplate.from_toml(MATRIX)
        h.ctx.library().save(template)
        dialog = MatrixDialog(h.session, template, [], h.window.params.params(), h.window)
        dialog.show()
        dialog.startButton.click()
        run = dialog.run
        assert run is not None and run.running
        assert run.findChildren(QTimer) == []  # no scheduler of its own
        clock = frame_clock()
        assert clock.watching(run)
        # The window's thread is held here while the network thread answers every cell: the
        # events wait in the queue, and nothing applies them but a tick of the clock.
        h.session.backend.net.submit(_network_idle()).result(timeout=30)
        assert all(cell.state != "done" for cell in run.cells.values())
        told: list[int] = []
        run.changed.connect(lambda: told.append(clock.frame))
        for _ in range(1000):
            if not run.running:
                break
            clock.tick()
        assert not run.running and all(cell.state == "done" for cell in run.cells.values())
        assert told and told == sorted(set(told))  # the grid is told at most once per frame
        assert not clock.watching(run)  # an ended run asks for no more frames
        dialog.close()
        await h.close()

    aio(go())


def test_a_pane_renders_at_most_once_per_n_frames_and_always_its_final_text(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()
    answer = " ".join(f"word{i}" for i in range(400)) + " the end."
    models = ("sim/quick-mini", "sim/balanced-pro", "sim/open-llama:free")

    async def go() -> None:
        await h.start()
        for model in models:
            h.sim.set_default(model, Behaviour(text=answer, tokens_per_second=600, ttft=0))
        h.set_models(*models)
        clock = frame_clock()
        renders: dict[int, list[tuple[int, int]]] = {}  # pane -> (frame, frames of that tick) it rendered in
        for index, pane in enumerate(h.window.compare.panes):
            view = pane.outputView
            drawn = renders.setdefault(index, [])

            def append_text(text: str, draw=view.append_text, drawn=drawn) -> None:  # type: ignore[no-untyped-def]
                drawn.append((clock.frame, clock.frame - clock.previous))
                draw(text)

            view.append_text = append_text  # type: ignore[method-assign]
        await h.send()
        await h.finish(timeout=30)
        for index, pane in enumerate(h.window.compare.panes):
            assert pane.result.state is PaneState.DONE
            assert pane.outputView.text == answer  # the final text, whatever the pacing
            frames = renders[index]
            assert len(frames) > 2  # it streamed over many frames, drawn along the way
            streaming = frames[:-1]  # the last one may be the forced final render
            # a tick standing for two frames (a trickle) draws a turn that fell in its first frame
            # one frame late: then two renders may be a frame closer, never more
            gaps = [(b - a, sa + sb - 2) for (a, sa), (b, sb) in itertools.pairwise(streaming)]
            assert all(gap >= RENDER_EVERY - late for gap, late in gaps), gaps
        per_tick = collections.Counter(f for frames in renders.values() for f in frames[:-1])
        # three panes take turns: never two renders in one frame (a tick of two frames: two at most)
        assert all(count <= step for (_frame, step), count in per_tick.items()), per_tick
        await h.close()

    aio(go())
