"""Self-contained HTML reports (past runs, the comparison on screen, a test run) and the charts in them.

Nothing here imports Qt; Markdown (markdown-it-py) and highlighting (Pygments) load on first use, so
neither the window's nor the command line's start-up pays for them.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from playground.core.answer_extras import extras_of
from playground.core.format import usd
from playground.core.history import AnswerRecord, RunRecord
from playground.core.leaderboard import Standing, Vote
from playground.core.report.figures import Figure, history_figures
from playground.core.report.page import Options, document, figure
from playground.core.report.runs import run_section, total_cost
from playground.core.report.testrun import Against, MatrixCell, render_test_run_html

if TYPE_CHECKING:
    from playground.core.compare import CompareRequest, PaneResult

__all__ = [
    "Against",
    "Figure",
    "MatrixCell",
    "Options",
    "comparison_report_html",
    "history_charts_html",
    "history_figures",
    "history_report_html",
    "record_from_comparison",
    "render_test_run_html",
]

MAX_CHART_DAYS = 90


def history_report_html(
    runs: Sequence[RunRecord],
    *,
    votes: Mapping[int, Vote] | None = None,
    standings: Sequence[Standing] = (),
    daily_alert: Decimal | None = None,
    options: Options | None = None,
) -> str:
    """Runs from history, newest first as given, with charts of their figures at the top."""
    options = options or Options()
    votes = votes or {}
    subtitle = f"{len(runs)} run{'s' if len(runs) != 1 else ''}, {usd(total_cost(runs))} in all."
    body = [history_charts_html(runs, standings=standings, daily_alert=daily_alert)]
    body += [run_section(r, votes.get(r.id), options) for r in runs]
    return document(options.title, body, subtitle=subtitle)


def history_charts_html(
    runs: Sequence[RunRecord], *, standings: Sequence[Standing] = (), daily_alert: Decimal | None = None
) -> str:
    """Spend per day (over the days these runs span), speed per model and, with blind-vote
    standings, cost against rating; charts with nothing to draw are left out."""
    days = 1
    if runs:
        oldest = date.fromtimestamp(min(r.created for r in runs))
        days = max(1, min(MAX_CHART_DAYS, (date.today() - oldest).days + 1))
    found = history_figures(runs, standings, daily_alert=daily_alert, days=days)
    figures = [figure(f.svg(), f.title, *f.table()) for f in found if not f.empty]
    if not figures:
        return ""
    return (
        '<section class="charts-section"><h2>Charts</h2><div class="charts">'
        + "".join(figures)
        + "</div></section>"
    )


def comparison_report_html(
    request: CompareRequest, results: Sequence[PaneResult], *, options: Options | None = None
) -> str:
    """The comparison on screen, as one page."""
    options = options or Options(title="Prompt Playground comparison")
    run = record_from_comparison(request, results)
    subtitle = f"{len(run.answers)} models, {usd(run.cost)} in all."
    return document(options.title, [run_section(run, None, options)], subtitle=subtitle)


def record_from_comparison(
    request: CompareRequest, results: Sequence[PaneResult], *, created: float | None = None
) -> RunRecord:
    """A live comparison in the shape history keeps, so both are written by the same code."""
    params: dict[str, Any] = {n: getattr(request.params, n) for n in request.params.set_names()}
    params = {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}
    routing = {
        str(i): request.pane_routing(i).to_mapping()
        for i in range(len(request.panes))
        if not request.pane_routing(i).empty
    }
    if routing:
        params["routing"] = routing
    answers = tuple(_answer_record(request, i, r) for i, r in enumerate(results))
    return RunRecord(
        id=0,
        created=time.time() if created is None else created,
        prompt=request.prompt,
        system=request.system,
        params=params,
        answers=answers,
        attachments=tuple(request.attachments),
    )


def _answer_record(request: CompareRequest, index: int, r: PaneResult) -> AnswerRecord:
    f, u = r.finished, r.usage
    pane = request.panes[index] if index < len(request.panes) else None
    thread = tuple(request.pane_messages(index)) if pane and (pane.history or pane.prompt is not None) else ()
    return AnswerRecord(
        pane=index,
        requested_model=r.model,
        served_model=f.served_model if f else None,
        provider=f.provider if f else None,
        answer=r.text,
        reasoning=r.reasoning,
        state=r.state.name.lower(),
        finish_reason=f.finish_reason if f else None,
        error=r.failed.message if r.failed else None,
        ttft=f.ttft if f else None,
        duration=f.duration if f else None,
        tokens_in=u.prompt_tokens if u else None,
        tokens_out=u.completion_tokens if u else None,
        tokens_reasoning=u.reasoning_tokens if u else None,
        cost=u.cost if u else None,
        generation_id=f.generation_id if f else None,
        thread=thread,
        extras=extras_of(r),
    )
