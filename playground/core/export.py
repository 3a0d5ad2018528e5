"""A finished comparison as Markdown or JSON: prompt, system, parameters, answers and figures.

Also the one CSV writer every CSV export uses: a cell that starts with ``= + - @`` (or a tab or CR) is
a live formula in a spreadsheet - an answer from a server could run ``=HYPERLINK(...)`` or worse when
the file is opened - so such text cells are prefixed with ``'`` (shown, not evaluated).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from playground.core.answer_extras import extras_markdown, extras_of
from playground.core.compare import CompareRequest, PaneResult, PaneState
from playground.core.redact import redact

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?")


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as text: formulas escaped; numbers (and plain numeric text) kept."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeCsvWriter:
    """``csv.writer`` whose every text cell passes through ``csv_cell``."""

    def __init__(self, out: TextIO) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([csv_cell(cell) for cell in row])


def _figures(result: PaneResult) -> dict[str, Any]:
    f, u = result.finished, result.usage
    return {
        "state": str(result.state),
        "finish_reason": f.finish_reason if f else None,
        "served_model": f.served_model if f else None,
        "provider": f.provider if f else None,
        "generation_id": f.generation_id if f else None,
        "ttft_s": round(f.ttft, 3) if f and f.ttft is not None else None,
        "duration_s": round(f.duration, 3) if f else None,
        "tokens_per_second": round(f.tokens_per_second, 1) if f and f.tokens_per_second else None,
        "prompt_tokens": u.prompt_tokens if u else None,
        "completion_tokens": u.completion_tokens if u else None,
        "reasoning_tokens": u.reasoning_tokens if u else None,
        "cost_usd": str(u.cost) if u and u.cost is not None else None,
        "error": result.failed.message if result.failed else None,
    }


def _thread(request: CompareRequest, index: int) -> list[dict[str, Any]]:
    """What this pane sent before its answer, when that was more than the shared prompt."""
    if index >= len(request.panes):
        return []
    pane = request.panes[index]
    if not pane.history and pane.prompt is None:
        return []
    return [
        {"role": m.role, "text": m.text, "attachments": [a.describe() for a in m.attachments]}
        for m in request.pane_messages(index)
    ]


def to_json(request: CompareRequest, results: Sequence[PaneResult]) -> str:
    data = {
        "prompt": request.prompt,
        "system": request.system,
        "parameters": request.params.to_body(),
        "attachments": [
            {"name": a.name, "type": a.mime, "bytes": a.size, "sha256": a.hash} for a in request.attachments
        ],
        "answers": [
            {
                "model": r.model,
                "thread": _thread(request, i),
                "answer": r.text,
                "reasoning": r.reasoning or None,
                "figures": _figures(r),
                **extras_of(r),  # tool calls, citations, images, schema check, cache
            }
            for i, r in enumerate(results)
        ],
    }
    return redact(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"


def to_markdown(request: CompareRequest, results: Sequence[PaneResult]) -> str:
    lines = ["# Comparison", ""]
    if request.system:
        lines += ["## System prompt", "", _quote(request.system), ""]
    lines += ["## Prompt", "", _quote(request.prompt), ""]
    if request.attachments:
        lines += ["Attached: " + ", ".join(a.describe() for a in request.attachments), ""]
    params = request.params.to_body()
    if params:
        lines += ["## Parameters", ""] + [f"- `{k}`: `{json.dumps(v)}`" for k, v in params.items()] + [""]
    lines += _figures_table(results)
    for i, r in enumerate(results):
        lines += [f"## {r.model}", ""]
        for message in _thread(request, i):
            who = "You" if message["role"] == "user" else "Model"
            lines += [f"**{who}:**", "", _quote(message["text"]), ""]
        if r.reasoning:
            lines += ["<details><summary>Reasoning</summary>", "", r.reasoning.strip(), "", "</details>", ""]
        lines += [r.text.strip() or "_(no answer)_", ""]
        lines += extras_markdown(extras_of(r))
        if r.state is PaneState.TRUNCATED:
            lines += ["> **Incomplete:** the stream ended without a finish reason.", ""]
        if r.failed:
            lines += [f"> **Failed:** {r.failed.message}", ""]
    return redact("\n".join(lines))


def _quote(text: str) -> str:
    return "\n".join("> " + line for line in text.splitlines())


def _figures_table(results: Sequence[PaneResult]) -> list[str]:
    rows = [
        "| model | served by | TTFT | tok/s | tokens in/out | cost | finish |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        f = {k: ("-" if v is None else v) for k, v in _figures(r).items()}
        cost = "-" if f["cost_usd"] == "-" else f"${f['cost_usd']}"
        finish = f["finish_reason"] if f["finish_reason"] != "-" else f["state"]
        rows.append(
            f"| {r.model} | {f['served_model']} ({f['provider']}) | {f['ttft_s']} s | "
            f"{f['tokens_per_second']} | {f['prompt_tokens']}/{f['completion_tokens']} | {cost} | {finish} |"
        )
    return [*rows, ""]
