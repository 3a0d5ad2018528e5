"""A template's test run as a report: the case x model matrix with pass/fail, the failing assertions,
the answers, a cost / pass-rate chart, and (with ``against``) which cells improved or regressed.

It takes plain data so that any command that runs tests can hand its results over.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from playground.core.format import usd
from playground.core.report.charts import cost_quality
from playground.core.report.markdown import render_markdown
from playground.core.report.page import Options, document, esc, figure, length_note, table
from playground.core.report.svg import cost_quality_svg


@dataclass(frozen=True)
class MatrixCell:
    """One answer of one model to one case (one repeat), and what the assertions said."""

    case: str
    model: str
    answer: str
    passed: bool
    failing: tuple[str, ...] = ()  # each failing assertion with its reason, in words
    cost: Decimal | None = None
    latency: float | None = None  # seconds
    repeat: int = 0


@dataclass(frozen=True)
class Against:
    """The version compared with: whether each (case, model) passed there."""

    version: str
    passed: Mapping[tuple[str, str], bool] = field(default_factory=dict)


def render_test_run_html(
    template: str,
    cells: Sequence[MatrixCell],
    *,
    version: str | None = None,
    against: Against | None = None,
    options: Options | None = None,
) -> str:
    """The whole self-contained page for one test run."""
    options = options or Options()
    cases = list(dict.fromkeys(c.case for c in cells))
    models = list(dict.fromkeys(c.model for c in cells))
    grouped: dict[tuple[str, str], list[MatrixCell]] = defaultdict(list)
    for cell in cells:
        grouped[(cell.case, cell.model)].append(cell)
    title = f"Test run: {template}" + (f" @ {version}" if version else "")
    subtitle = f"{len(cases)} cases x {len(models)} models, {len(cells)} answers."
    if against is not None:
        subtitle += f" Compared with version {against.version}."
    body = [
        _summary(models, grouped, against),
        _chart(cells),
        _matrix(cases, models, grouped, against, options),
    ]
    return document(title, body, subtitle=subtitle)


def change(key: tuple[str, str], passed: bool, against: Against | None) -> str | None:
    """ "regressed", "improved" or None (same, or not in the other version)."""
    if against is None or key not in against.passed:
        return None
    before = against.passed[key]
    return "regressed" if before and not passed else "improved" if passed and not before else None


def _passed(found: Sequence[MatrixCell]) -> bool:
    return all(c.passed for c in found)


def _summary(
    models: Sequence[str], grouped: Mapping[tuple[str, str], list[MatrixCell]], against: Against | None
) -> str:
    rows = []
    for model in models:
        mine = [c for (case, m), found in grouped.items() if m == model for c in found]
        keys = [k for k in grouped if k[1] == model]
        changes = [change(k, _passed(grouped[k]), against) for k in keys]
        cost = sum((c.cost for c in mine if c.cost is not None), Decimal(0))
        row = [model, f"{sum(c.passed for c in mine)}/{len(mine)}", usd(cost)]
        if against is not None:
            row += [str(changes.count("improved")), str(changes.count("regressed"))]
        rows.append(row)
    headers = ["model", "passed", "cost"] + (["improved", "regressed"] if against is not None else [])
    return f"<section><h2>Summary</h2>{table(headers, rows)}</section>"


def _chart(cells: Sequence[MatrixCell]) -> str:
    costs: dict[str, list[Decimal]] = defaultdict(list)
    passes: dict[str, list[bool]] = defaultdict(list)
    latencies: dict[str, list[float]] = defaultdict(list)
    for c in cells:
        passes[c.model].append(c.passed)
        if c.cost is not None:
            costs[c.model].append(c.cost)
        if c.latency is not None:
            latencies[c.model].append(c.latency)
    rate = {m: sum(v) / len(v) for m, v in passes.items()}
    chart = cost_quality(costs, rate, latencies, "pass rate")
    if not chart.points:
        return ""
    headers, rows = chart.table()
    return f'<section class="charts">{figure(cost_quality_svg(chart), chart.title, headers, rows)}</section>'


def _matrix(
    cases: Sequence[str],
    models: Sequence[str],
    grouped: Mapping[tuple[str, str], list[MatrixCell]],
    against: Against | None,
    options: Options,
) -> str:
    head = '<th scope="col">case</th>' + "".join(f'<th scope="col">{esc(m)}</th>' for m in models)
    rows = []
    for case in cases:
        cells = "".join(_cell((case, m), grouped.get((case, m), []), against, options) for m in models)
        rows.append(f'<tr><th scope="row">{esc(case)}</th>{cells}</tr>')
    return (
        f'<section><h2>Cases and models</h2><table class="data matrix"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def _cell(
    key: tuple[str, str], found: Sequence[MatrixCell], against: Against | None, options: Options
) -> str:
    if not found:
        return '<td class="missing">-</td>'
    passed = _passed(found)
    moved = change(key, passed, against)
    classes = ("pass" if passed else "fail") + (f" {moved}" if moved else "")
    label = "PASS" if passed else "FAIL"
    if len(found) > 1:
        label += f" ({sum(c.passed for c in found)}/{len(found)} repeats)"
    parts = [f'<td class="{classes}"><span class="badge {"ok" if passed else "bad"}">{label}</span>']
    if moved:
        parts.append(f'<span class="badge {"bad" if moved == "regressed" else "ok"}">{moved}</span>')
    failing = list(dict.fromkeys(f for c in found for f in c.failing))
    if failing:
        parts.append('<ul class="failing">' + "".join(f"<li>{esc(f)}</li>" for f in failing) + "</ul>")
    for c in found:
        body = f"<p>{length_note(c.answer)}</p>" if options.redact_prompts else render_markdown(c.answer)
        summary = "Answer" + (f" (repeat {c.repeat + 1})" if len(found) > 1 else "")
        parts.append(f'<details><summary>{summary}</summary><div class="md">{body}</div></details>')
    return "".join(parts) + "</td>"
