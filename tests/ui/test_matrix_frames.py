"""The test matrix's per-frame bookkeeping: the run's tally (progress, summary line, Retry) agrees
with its cells through judges, errors, stops and retries; a run's start tells the grid in one go;
"Failures only" ticked before Start still hides exactly the cases that passed everywhere."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex

from playground.core.evaluation.cost import plan_cost
from playground.core.evaluation.runner import summarize
from playground.core.templates import PromptTemplate
from playground.simulator import Behaviour
from playground.ui.matrix_dialog import MatrixDialog
from playground.ui.matrix_model import ONE_BY_ONE
from playground.ui.matrix_run import MatrixRun
from tests.ui.conftest import Harness, wait_until

A, B = "sim/quick-mini", "sim/balanced-pro"
HEAD = 'name = "frames"\nprompt = "Explain {{text}}"\nmodels = ["sim/quick-mini", "sim/balanced-pro"]\n'


def _cases(count: int, check: str = '{ type = "icontains", value = "etag" }') -> str:
    return "".join(
        f'[[cases]]\nname = "c{i}"\nvars = {{ text = "topic {i}" }}\nassert = [ {check} ]\n'
        for i in range(count)
    )


def _open(h: Harness, text: str) -> MatrixDialog:
    template = PromptTemplate.from_toml(text)
    h.ctx.library().save(template)
    dialog = MatrixDialog(h.session, template, [], h.window.params.params(), h.window)
    dialog.show()
    return dialog


async def _finish(dialog: MatrixDialog) -> None:
    await wait_until(lambda: dialog.run is not None and not dialog.run.running, 20, "the matrix")
    await wait_until(lambda: not dialog.session.runs.writer.pending, 20, "the cells saved")


def _agrees(run: MatrixRun) -> None:
    """The tally is what walking every cell says."""
    truth = summarize(run.cells.values())
    tally = run.tally
    assert (tally.finished, tally.passed, tally.cost) == (truth.cells, truth.passed, truth.cost)
    assert tally.no_answer == sum(c.state in ("error", "stopped") for c in run.cells.values())


def test_a_judge_changing_answers_already_done_is_counted(aio, make_harness: Callable[..., Harness]) -> None:
    """select-best adds its verdict and cost to cells already reported done (the same objects)."""
    h = make_harness()

    async def go() -> None:
        await h.start()
        h.sim.set_default(A, Behaviour(text="Short."))
        h.sim.set_default(B, Behaviour(text="A longer answer that mentions ETags and caching."))
        dialog = _open(h, HEAD + _cases(2, '{ type = "select-best", value = "Mentions ETags" }'))
        dialog.judgeEdit.setText("judge/fair")
        dialog.rebuild()
        dialog.startButton.click()
        await _finish(dialog)
        run = dialog.run
        assert run is not None
        assert sum(c.passed for c in run.cells.values()) == 2  # the judge picked B in both cases
        assert sum(c.judge_cost for c in run.cells.values()) > 0
        _agrees(run)
        assert dialog.progress.value() == 4
        dialog.close()
        await h.close()

    aio(go())


def test_errors_stops_and_retries_keep_progress_and_retry_true(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()

    async def go() -> None:
        await h.start()
        h.sim.set_default(A, Behaviour(text="ETag"))
        h.sim.set_default(B, Behaviour(text="ETag"))
        h.sim.script(B, Behaviour(status=402, error_message="no credits"))
        dialog = _open(h, HEAD + _cases(2))
        dialog.startButton.click()
        await _finish(dialog)
        run = dialog.run
        assert run is not None
        _agrees(run)
        assert run.tally.no_answer == 1 and dialog.retryButton.isEnabled()
        assert dialog.progress.value() == 4  # the error is an answer too: finished
        h.sim.set_default(A, Behaviour(text="ETag", ttft=30))  # the retry hangs: Stop all ends it
        h.sim.set_default(B, Behaviour(text="ETag", ttft=30))
        dialog.retryButton.click()
        assert not dialog.retryButton.isEnabled() and dialog.stopButton.isEnabled()
        await wait_until(lambda: dialog.progress.value() == 3, 10, "the failed answer asked again")
        await wait_until(lambda: any(c.state == "running" for c in run.cells.values()), 10, "a retry sent")
        dialog.stopButton.click()
        await _finish(dialog)
        _agrees(run)
        assert run.tally.no_answer == 1 and dialog.retryButton.isEnabled()  # stopped: retry it again
        h.sim.set_default(B, Behaviour(text="ETag"))
        dialog.retryButton.click()
        await _finish(dialog)
        _agrees(run)
        assert run.tally.no_answer == 0 and not dialog.retryButton.isEnabled()
        assert dialog.progress.value() == 4 and all(c.passed for c in run.cells.values())
        dialog.close()
        await h.close()

    aio(go())


def test_start_tells_the_grid_every_cell_changed_in_one_signal(
    aio, make_harness: Callable[..., Harness]
) -> None:
    """Hundreds of entries change at Start: one rectangle for the view, not a signal per entry."""
    h = make_harness()

    async def go() -> None:
        await h.start()
        cases = ONE_BY_ONE  # x 2 models: more entries than are told one by one
        dialog = _open(h, HEAD + _cases(cases))
        model = dialog.model
        assert model is not None
        told: list[tuple[int, int, int, int]] = []

        def heard(top: QModelIndex, bottom: QModelIndex) -> None:
            told.append((top.row(), top.column(), bottom.row(), bottom.column()))

        model.dataChanged.connect(heard)
        dialog.startButton.click()
        model.dataChanged.disconnect(heard)
        cells = [t for t in told if t[2] < cases and t[3] < len(model.columns)]  # not the summaries
        assert cells == [(0, 0, cases - 1, len(model.columns) - 1)]
        await _finish(dialog)
        assert all(model.index(r, 0).data() for r in range(cases))  # every entry drew its answer
        dialog.close()
        await h.close()

    aio(go())


def test_failures_only_ticked_before_start_hides_the_cases_that_passed(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()

    async def go() -> None:
        await h.start()
        h.sim.set_default(A, Behaviour(text="ETag"))
        h.sim.set_default(B, Behaviour(text="ETag"))
        dialog = _open(h, HEAD + _cases(3))
        dialog.failuresBox.setChecked(True)
        h.sim.script(A, Behaviour(text="It depends."))  # the first answer of A fails its check
        dialog.startButton.click()
        await _finish(dialog)
        run = dialog.run
        assert run is not None
        failing = {c.key.case for c in run.cells.values() if not c.passed}
        assert len(failing) == 1
        hidden = {case.name for row, case in enumerate(run.plan.cases) if dialog.grid.isRowHidden(row)}
        assert hidden == {case.name for case in run.plan.cases} - failing
        dialog.failuresBox.setChecked(False)
        assert not any(dialog.grid.isRowHidden(row) for row in range(3))
        dialog.close()
        await h.close()

    aio(go())


def test_the_estimate_with_repeats_is_every_answer_priced(aio, make_harness: Callable[..., Harness]) -> None:
    """Repeats are priced once per case and model, then counted: the same total as pricing each."""
    h = make_harness()

    async def go() -> None:
        await h.start()
        checks = '{ type = "llm-rubric", value = "Mentions ETags" }, { type = "select-best", value = "Best" }'
        dialog = _open(h, HEAD + _cases(3, checks) + '[[cases]]\nname = "plain"\nvars = { text = "x" }\n')
        dialog.judgeEdit.setText("judge/fair")
        dialog.repeatBox.setValue(3)
        run = dialog.run
        assert run is not None and run.plan.repeats == 3 and run.plan.judge == "judge/fair"
        for key in list(run.cells)[:5]:  # some answers already there: not priced again
            run.cells[key].state = "done"
        every = plan_cost(
            h.session.models.catalog, run.plan, [k for k, c in run.cells.items() if c.state != "done"]
        )
        assert every[0] > 0
        assert run.estimate() == every
        dialog.close()
        await h.close()

    aio(go())
