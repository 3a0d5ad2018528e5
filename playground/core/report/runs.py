"""Past runs (or the comparison on screen) as report sections: the answers side by side, as in the window."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from decimal import Decimal

from playground.core.answer_extras import extras_html
from playground.core.format import usd
from playground.core.history import AnswerRecord, RunRecord
from playground.core.leaderboard import Vote
from playground.core.report.markdown import render_markdown
from playground.core.report.page import Options, attachment_html, esc, length_note
from playground.core.routing import Routing, RoutingError, routing_note

STATES = {"done": ("complete", "ok"), "truncated": ("cut off", "warn"), "failed": ("failed", "bad")}


def run_section(run: RunRecord, vote: Vote | None, options: Options) -> str:
    """One run: what was asked, then one column per answer."""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(run.created))
    title = f"Run {run.id} - {when}" if run.id else f"Comparison - {when}"
    if run.template:
        title += f" - template {run.template}" + (
            f" @ {run.template_version}" if run.template_version else ""
        )
    parts = [f'<section class="run" id="run-{run.id}">', f"<h2>{esc(title)}</h2>"]
    if run.case_name:
        parts.append(f'<p class="meta">case {esc(run.case_name)}</p>')
    parts += _inputs(run, options)
    if vote is not None:
        parts.append(f'<p class="vote"><span class="badge win">vote</span>{esc(vote_words(vote))}</p>')
    cards = [_answer(run, a, vote, options) for a in run.answers]
    parts.append(f'<div class="columns" style="--n: {max(1, len(cards))}">{"".join(cards)}</div>')
    parts.append("</section>")
    return "\n".join(parts)


def vote_words(vote: Vote) -> str:
    if vote.kind == "best":
        return f"best answer: {vote.ranking[0]}" if vote.ranking else "best answer"
    if vote.kind == "rank":
        return "ranking: " + " > ".join(vote.ranking)
    return "a tie" if vote.kind == "tie" else "all answers bad"


def _inputs(run: RunRecord, options: Options) -> list[str]:
    def text(value: str) -> str:
        return length_note(value) if options.redact_prompts else esc(value)

    parts = []
    if run.system:
        parts.append(f'<h3>System prompt</h3><div class="prompt system">{text(run.system)}</div>')
    parts.append(f'<h3>Prompt</h3><div class="prompt">{text(run.prompt)}</div>')
    if run.variables:
        shown = {k: (length_note(v) if options.redact_prompts else v) for k, v in run.variables.items()}
        parts.append(f'<p class="meta">variables: {esc(json.dumps(shown, ensure_ascii=False))}</p>')
    if run.attachments:
        items = "".join(attachment_html(a, redacted=options.redact_prompts) for a in run.attachments)
        parts.append(f'<div class="attachments">{items}</div>')
    params = {k: v for k, v in run.params.items() if k != "routing"}
    if params:
        parts.append(f'<p class="meta">parameters: {esc(json.dumps(params, ensure_ascii=False))}</p>')
    return parts


def _answer(run: RunRecord, a: AnswerRecord, vote: Vote | None, options: Options) -> str:
    routing = _routing(run, a.pane)
    head = f"<h3>{esc(a.requested_model)}</h3>"
    badges = "".join(
        f'<span class="badge {kind}">{esc(word)}</span>' for word, kind in badges_for(run, a, vote)
    )
    parts = [f'<article class="answer" data-model="{esc(a.requested_model)}">', f"<header>{head}{badges}"]
    note = routing_note(a.requested_model, a.served_model, routing)
    if note:
        parts.append(f'<p class="routing muted">{esc(note)}</p>')
    parts.append(_figures(a, routing) + "</header>")
    for message in a.thread:
        who = "You" if message.role == "user" else "Model"
        body = length_note(message.text) if options.redact_prompts else esc(message.text)
        parts.append(
            f'<details class="thread"><summary>{who} (earlier turn)</summary><div class="prompt">{body}</div>'
            "</details>"
        )
    if a.reasoning:
        body = length_note(a.reasoning) if options.redact_prompts else render_markdown(a.reasoning)
        parts.append(f'<details class="reasoning"><summary>Reasoning</summary>{body}</details>')
    if a.answer:
        body = f"<p>{length_note(a.answer)}</p>" if options.redact_prompts else render_markdown(a.answer)
        parts.append(f'<div class="md">{body}</div>')
    elif a.state == "done" and not a.extras:
        parts.append('<p class="muted">(no answer text)</p>')
    parts.append(extras_html(a.extras))
    if a.error:
        parts.append(f'<p class="error">{esc(a.error)}</p>')
    parts.append("</article>")
    return "".join(parts)


def _routing(run: RunRecord, pane: int) -> Routing | None:
    data = run.params.get("routing")
    if not isinstance(data, Mapping) or not isinstance(data.get(str(pane)), Mapping):
        return None
    try:
        return Routing.from_mapping(data[str(pane)])
    except RoutingError:
        return None  # an old or hand-edited entry: the report still shows the answer


def _figures(a: AnswerRecord, routing: Routing | None) -> str:
    served = a.served_model or a.requested_model
    rows = [("served by", served + (f" via {a.provider}" if a.provider else ""))]
    if routing is not None and routing.describe():
        rows.append(("routing asked", routing.describe()))
    rows += [
        ("first token", "-" if a.ttft is None else f"{a.ttft:.2f} s"),
        ("total", "-" if a.duration is None else f"{a.duration:.2f} s"),
        ("tokens/s", _tps(a)),
        ("tokens in/out", f"{_n(a.tokens_in)} / {_n(a.tokens_out)}"),
        ("cost", usd(a.cost)),
    ]
    if a.tokens_reasoning:
        rows.insert(-1, ("reasoning tokens", _n(a.tokens_reasoning)))
    if a.finish_reason:
        rows.append(("finish", a.finish_reason))
    items = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows)
    return f'<dl class="figures">{items}</dl>'


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _tps(a: AnswerRecord) -> str:
    from playground.core.report.charts import tokens_per_second

    value = tokens_per_second(a)
    return "-" if value is None else f"{value:.1f}"


def badges_for(run: RunRecord, a: AnswerRecord, vote: Vote | None) -> list[tuple[str, str]]:
    """Words on an answer's header, each with its kind (ok, warn, bad, win) for the colour."""
    found = [STATES.get(a.state, (a.state, "warn"))]
    if vote is not None and vote.ranking and vote.kind in ("best", "rank"):
        if vote.ranking[0] == a.requested_model:
            found.append(("voted best", "win"))
        elif vote.kind == "rank" and a.requested_model in vote.ranking:
            found.append((f"ranked {vote.ranking.index(a.requested_model) + 1}", ""))
    done = [x for x in run.answers if x.state == "done"]
    if len(done) > 1 and a.state == "done":
        if a.ttft is not None and a.ttft == min(x.ttft for x in done if x.ttft is not None):
            found.append(("fastest first token", "ok"))
        costs = [x.cost for x in done if x.cost is not None]
        if a.cost is not None and len(costs) > 1 and a.cost == min(costs):
            found.append(("cheapest", "ok"))
    return found


def total_cost(runs: Sequence[RunRecord]) -> Decimal:
    return sum((r.cost for r in runs), Decimal(0))
