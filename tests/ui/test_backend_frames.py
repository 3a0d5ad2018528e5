"""One copy of a run's state on the window's side, drawn on one frame clock.

The run's ``results`` are what the panes draw and what history keeps; the FrameClock applies what the
network thread queued for every run within one shared time budget per frame, then the views draw.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QObject

from playground.core.compare import PaneState
from playground.simulator import Behaviour
from playground.ui import net
from playground.ui.net import DRAIN_BUDGET, FrameClock
from tests.ui.conftest import Harness, wait_until


def test_a_pane_shows_what_its_run_holds_and_history_keeps_after_a_retry(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()
    h.sim.script("sim/balanced-pro", Behaviour(text="partial then", end="disconnect", end_after=2))
    h.sim.set_default("sim/deep-reasoner", Behaviour(text="the second model's answer", reasoning=""))

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini", "sim/balanced-pro")
        await h.send()
        await h.finish()
        run = window.compare.run
        assert run is not None
        first, second = window.compare.panes
        assert second.result.state is PaneState.FAILED
        second.modelSelector.setEditText("sim/deep-reasoner")  # retry with another model
        second.retryButton.click()
        await h.finish()
        for index, pane in enumerate((first, second)):
            assert pane.result is run.results[index]  # one copy: the pane draws the run's state
        assert second.result.model == "sim/deep-reasoner" and second.result.state is PaneState.DONE
        assert second.outputView.text == "the second model's answer"
        await wait_until(lambda: len(h.session.runs.list_runs()[0].answers) == 2, what="both answers saved")
        kept = {a.pane: a for a in h.session.runs.list_runs()[0].answers}
        assert kept[1].requested_model == "sim/deep-reasoner"
        assert kept[1].answer == second.outputView.text and kept[0].answer == first.outputView.text
        await h.close()

    aio(go())


@pytest.fixture
def slow_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every reading of the frame clock's timer is 1 ms later than the one before."""
    ticks = itertools.count()
    monkeypatch.setattr(net.time, "perf_counter", lambda: next(ticks) / 1000)
    yield


class _Run(QObject):
    """A run with a long queue: it applies one event per reading of the clock until the deadline."""

    def __init__(self, events: int) -> None:
        super().__init__()
        self.left = events
        self.applied = 0

    def drain(self, deadline: float) -> bool:
        while self.left and net.time.perf_counter() < deadline:
            self.left -= 1
            self.applied += 1
        return self.left > 0


def test_one_frame_applies_one_budget_for_all_runs_and_then_draws(qapp, slow_clock: None) -> None:
    """Ten busy runs (a test-case matrix) cost one budget per frame, not ten; the views draw after."""
    clock = FrameClock()
    runs = [_Run(1000) for _ in range(10)]
    drawn: list[int] = []
    view = QObject()
    for run in runs:
        clock.add_run(run, run.drain)
    clock.add_view(view, lambda: drawn.append(sum(r.applied for r in runs)) or True)
    clock.tick()
    applied = sum(r.applied for r in runs)
    assert 0 < applied <= DRAIN_BUDGET * 1000  # one budget of 1 ms readings for all ten
    assert drawn == [applied]  # the view drew after the frame's events were applied
    for _ in range(30):
        clock.tick()
    assert all(r.applied for r in runs)  # a busy run goes last next frame, so none starves
    assert clock.watching(view) and clock.watching(runs[0])
