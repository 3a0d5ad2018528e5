"""The one exporter: runs (from history, or the comparison on screen) as Markdown, JSON, CSV or HTML.

The window (History's Export..., the comparison's Save as / Copy) and ``playground history export``
write through here, so every format has the same field names and the same redaction: anything shaped
like a key is masked in every text, whatever format. CSV cells that would be spreadsheet formulas are
escaped. HTML is one self-contained page (``playground.core.report``), loaded only when asked for.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from playground.core.answer_extras import extras_export, extras_markdown
from playground.core.attachments import Attachment
from playground.core.conversation import Message
from playground.core.csvsafe import SafeCsvWriter
from playground.core.errors import PlaygroundError
from playground.core.history.records import RunRecord
from playground.core.leaderboard import Standing, Vote
from playground.core.redact import redact

if TYPE_CHECKING:
    from playground.core.history.store import RunHistory
    from playground.core.settings import Settings

FORMATS = ("md", "json", "csv", "html")


def export_runs(
    runs: Sequence[RunRecord],
    fmt: str,
    *,
    votes: Mapping[int, Vote] | None = None,
    standings: Sequence[Standing] = (),
    daily_alert: Decimal | None = None,
    redact_prompts: bool = False,
) -> str:
    """Runs as ``md``, ``json`` (a list of runs), ``csv`` (one row per answer) or ``html``; the HTML
    page also shows ``votes``, the ``standings`` and the daily spend alert, and with ``redact_prompts``
    gives texts as their lengths."""
    if fmt == "json":
        return json.dumps([run_json(r) for r in runs], indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return runs_csv(runs)
    if fmt == "md":
        return redact("\n\n".join(run_markdown(r) for r in runs) + "\n")
    if fmt == "html":
        from playground.core.report import Options, history_report_html

        return history_report_html(
            runs,
            votes=votes,
            standings=standings,
            daily_alert=daily_alert,
            options=Options(redact_prompts=redact_prompts),
        )
    raise PlaygroundError(f"Unknown export format {fmt!r}: choose md, json, csv or html.")


def run_json(run: RunRecord) -> dict[str, Any]:
    """One run's fields (masked): the same names for a history run and a comparison (``id`` null)."""
    data = {
        "id": run.id or None,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(run.created)),
        "template": run.template,
        "template_version": run.template_version,
        "case": run.case_name,
        "variables": dict(run.variables),
        "conversation": run.conversation,
        "turn": run.turn,
        "follows": run.parent,
        "system": run.system,
        "prompt": run.prompt,
        "parameters": dict(run.params),
        "attachments": [_attachment_json(a) for a in run.attachments],
        "answers": [
            {
                "model": a.requested_model,
                "served_model": a.served_model,
                "provider": a.provider,
                "answer": a.answer,
                "reasoning": a.reasoning or None,
                "state": a.state,
                "finish_reason": a.finish_reason,
                "error": a.error,
                "ttft_s": a.ttft,
                "duration_s": a.duration,
                "tokens_in": a.tokens_in,
                "tokens_out": a.tokens_out,
                "tokens_reasoning": a.tokens_reasoning,
                "cost_usd": None if a.cost is None else str(a.cost),
                "generation_id": a.generation_id,
                **extras_export(a.extras),  # tool calls, citations, images, schema check, cache
                "thread": [_message_json(m) for m in a.thread],
            }
            for a in run.answers
        ],
    }
    return _masked(data)


def _message_json(m: Message) -> dict[str, Any]:
    return {"role": m.role, "text": m.text, "attachments": [_attachment_json(x) for x in m.attachments]}


def _attachment_json(a: Attachment) -> dict[str, Any]:
    return {"name": a.name, "type": a.mime, "bytes": a.size, "sha256": a.hash}


def _masked(value: dict[str, Any]) -> dict[str, Any]:
    return {k: _masked_value(v) for k, v in value.items()}


def _masked_value(value: Any) -> Any:
    """Every text in a JSON value with keys masked (before encoding, so the JSON stays valid)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return _masked(value)
    if isinstance(value, list):
        return [_masked_value(v) for v in value]
    return value


CSV_COLUMNS = [
    "run_id",
    "created",
    "template",
    "template_version",
    "case",
    "model",
    "served_model",
    "provider",
    "state",
    "finish_reason",
    "ttft_s",
    "duration_s",
    "tokens_in",
    "tokens_out",
    "cost_usd",
    "prompt",
    "answer",
    # what an answer carried beside its text (added at the end: scripts reading by position still work)
    "tool_calls",
    "citations",
    "images",
    "schema_check",
    "cached_tokens",
]


def _extras_cells(extras: Mapping[str, Any]) -> list[Any]:
    """Tool calls by name, citations by URL, the number of images, the schema check, cached tokens."""

    def items(key: str) -> list[Mapping[str, Any]]:
        value = extras.get(key)
        return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []

    images = extras.get("images")
    schema, cache = extras.get("schema"), extras.get("cache")
    check = ""
    if isinstance(schema, Mapping):
        check = "valid" if schema.get("valid") else f"invalid: {schema.get('message', '')}"
    return [
        "; ".join(str(c.get("name", "")) for c in items("tool_calls")),
        " ".join(str(c.get("url", "")) for c in items("citations")),
        len(images) if isinstance(images, list) and images else "",
        check,
        cache.get("cached_tokens", "") if isinstance(cache, Mapping) else "",
    ]


def runs_csv(runs: Sequence[RunRecord]) -> str:
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(CSV_COLUMNS)
    for run in runs:
        created = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(run.created))
        head = [run.id or "", created, run.template or "", run.template_version or "", run.case_name or ""]
        for a in run.answers:
            figures = [
                a.requested_model,
                a.served_model or "",
                a.provider or "",
                a.state,
                a.finish_reason or "",
                a.ttft if a.ttft is not None else "",
                a.duration if a.duration is not None else "",
                a.tokens_in or "",
                a.tokens_out or "",
                "" if a.cost is None else str(a.cost),
            ]
            row = [*head, *figures, run.prompt, a.answer, *_extras_cells(a.extras)]
            writer.writerow([redact(c) if isinstance(c, str) else c for c in row])
    return out.getvalue()


def run_markdown(run: RunRecord) -> str:
    """One run: its title line, system prompt, prompt, files and each answer with its thread."""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(run.created))
    version = f" @ {run.template_version}" if run.template_version else ""
    title = f"# Run {run.id} - {when}" if run.id else f"# Comparison - {when}"
    title += f" - template {run.template}{version}" if run.template else ""
    title += f" - turn {run.turn}, following run {run.parent}" if run.parent else ""
    lines = [title, ""]
    if run.system:
        lines += ["**System:**", "", run.system, ""]
    lines += ["**Prompt:**", "", run.prompt, ""]
    if run.attachments:
        lines += ["**Attached:** " + ", ".join(a.describe() for a in run.attachments), ""]
    if run.params:
        params = ", ".join(f"`{k}` = `{json.dumps(v)}`" for k, v in run.params.items())
        lines += [f"**Parameters:** {params}", ""]
    for a in run.answers:
        cost = f"${a.cost}" if a.cost is not None else "-"
        lines += [f"## {a.requested_model} ({a.state}, {cost})", ""]
        if a.thread:
            lines += _thread_markdown(a.thread)
        if a.reasoning:
            lines += ["<details><summary>Reasoning</summary>", "", a.reasoning.strip(), "", "</details>", ""]
        lines += [a.answer or f"_{a.error or 'no answer'}_", ""]
        lines += extras_markdown(a.extras)
        if a.answer and a.error:
            lines += [f"> **Failed:** {a.error}", ""]
    return "\n".join(lines)


def _thread_markdown(thread: Sequence[Message]) -> list[str]:
    """The turns this pane sent, quoted, before its answer."""
    lines: list[str] = []
    for message in thread:
        who = "You" if message.role == "user" else "Model"
        quoted = "\n".join(f"> {line}" for line in message.text.splitlines() or [""])
        lines += [f"**{who}:**", "", quoted, ""]
        if message.attachments:
            lines += ["> attached: " + ", ".join(x.describe() for x in message.attachments), ""]
    return lines


def export_from(
    history: RunHistory,
    runs: Sequence[RunRecord],
    fmt: str,
    *,
    settings: Settings | None = None,
    redact_prompts: bool = False,
) -> str:
    """``export_runs`` with what the HTML page adds read from ``history`` (each run's blind vote, the
    leaderboard) and ``settings`` (the daily spend alert); the other formats need neither."""
    if fmt != "html":
        return export_runs(runs, fmt)
    from playground.core.leaderboard import leaderboard
    from playground.core.spend import Thresholds

    votes = {r.id: v for r in runs if (v := history.vote_for(r.id)) is not None}
    alert = Thresholds.from_settings(settings).daily_above if settings is not None else None
    return export_runs(
        runs,
        "html",
        votes=votes,
        standings=leaderboard(history.votes()),
        daily_alert=alert,
        redact_prompts=redact_prompts,
    )
