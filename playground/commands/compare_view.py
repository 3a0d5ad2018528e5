"""How ``compare`` shows a run: JSON lines, labelled blocks when piped, live lines on a terminal."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from playground.commands.output import number, raw_stream, seconds, table, usd
from playground.commands.surface_view import cache_lines, extra_json, extra_lines
from playground.core.compare import PaneEvent, PaneResult, PaneState, Stopped
from playground.core.events import Delta, Failed, Finished, Reasoning, Retrying, Started, Usage
from playground.core.modelref import endpoint_of
from playground.core.pane_words import state_words


def event_json(pane_event: PaneEvent) -> dict[str, Any]:
    """The ``--jsonl`` object for one event: always ``model``, ``pane`` and ``type``."""
    e = pane_event.event
    base: dict[str, Any] = {"model": pane_event.model, "pane": pane_event.pane}
    if isinstance(e, Started):
        return base | {"type": "start", "attempt": e.attempt, "generation_id": e.generation_id}
    if isinstance(e, Delta):
        return base | {"type": "delta", "text": e.text}
    if isinstance(e, Reasoning):
        return base | {"type": "reasoning", "text": e.text}
    if isinstance(e, Retrying):
        return base | {
            "type": "retry",
            "attempt": e.attempt,
            "delay": round(e.delay, 3),
            "reason": e.reason,
            "status": e.status,
        }
    if isinstance(e, Usage):
        return base | _usage_json(e)
    if isinstance(e, Finished):
        return base | _finished_json(e)
    if isinstance(e, Failed):
        return base | _failed_json(e)
    extra = extra_json(e)
    if extra is not None:
        return base | extra
    assert isinstance(e, Stopped)
    return base | {
        "type": "error",
        "kind": "stopped",
        "message": f"{e.model}: stopped",
        "status": None,
        "detail": "",
        "partial": False,
        "attempts": 0,
    }


def _usage_json(e: Usage) -> dict[str, Any]:
    return {
        "type": "usage",
        "prompt_tokens": e.prompt_tokens,
        "completion_tokens": e.completion_tokens,
        "reasoning_tokens": e.reasoning_tokens,
        "cached_tokens": e.cached_tokens,
        "cache_write_tokens": e.cache_write_tokens,
        "total_tokens": e.total_tokens,
        "cost": None if e.cost is None else float(e.cost),
        "estimated": e.estimated,
    }


def _finished_json(e: Finished) -> dict[str, Any]:
    return {
        "type": "done",
        "finish_reason": e.finish_reason,
        "native_finish_reason": e.native_finish_reason,
        "truncated": e.truncated,
        "served_model": e.served_model,
        "provider": e.provider,
        "generation_id": e.generation_id,
        "ttft": e.ttft,
        "duration": e.duration,
        "tokens_per_second": e.tokens_per_second,
    }


def _failed_json(e: Failed) -> dict[str, Any]:
    return {
        "type": "error",
        "kind": str(e.kind),
        "message": e.message,
        "status": e.status,
        "detail": e.detail,
        "partial": e.partial,
        "attempts": e.attempts,
    }


class View:
    """Receives every event; ``tick`` runs a few times a second; ``close`` at the end.

    A view never raises from a write: when its reader goes away (``| head -1`` closes the pipe) it
    sets ``closed`` and stops writing; the command then stops the streams and ends quietly.
    """

    interval = 0.1
    ends_only = False  # True: ``on_event`` needs only each pane's final event, not every token

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.closed = False

    def write(self, text: str) -> None:
        if not self.closed:
            try:
                self.out.write(text)
            except (OSError, ValueError):  # a closed pipe or file: nobody is reading any more
                self.closed = True

    def flush(self) -> None:
        if not self.closed:
            try:
                self.out.flush()
            except (OSError, ValueError):
                self.closed = True

    def on_event(self, pane_event: PaneEvent) -> None:
        pass

    def tick(self, results: Sequence[PaneResult]) -> None:
        pass

    def close(self, results: Sequence[PaneResult]) -> None:
        self.flush()


class JsonlView(View):
    interval = 0.05

    def __init__(self, out: TextIO, label: dict[str, str] | None = None) -> None:
        super().__init__(out)
        self.label = label or {}

    def on_event(self, pane_event: PaneEvent) -> None:
        self.write(json.dumps(event_json(pane_event) | self.label, ensure_ascii=False) + "\n")

    def tick(self, results: Sequence[PaneResult]) -> None:
        self.flush()  # readers of a pipe see events within 50 ms without a flush per token


class PipedView(View):
    """Each answer in a labelled block as it completes."""

    ends_only = True

    def __init__(self, out: TextIO, *, show_reasoning: bool = False) -> None:
        super().__init__(out)
        self.show_reasoning = show_reasoning
        self.pending: list[int] = []

    def on_event(self, pane_event: PaneEvent) -> None:
        if isinstance(pane_event.event, Finished | Failed | Stopped):
            self.pending.append(pane_event.pane)

    def tick(self, results: Sequence[PaneResult]) -> None:
        while self.pending:
            index = self.pending.pop(0)
            self.write(answer_block(index, results[index], self.show_reasoning))
        self.flush()

    def close(self, results: Sequence[PaneResult]) -> None:
        self.tick(results)
        super().close(results)


def answer_block(index: int, result: PaneResult, show_reasoning: bool) -> str:
    label = f"=== [{index + 1}] {result.model}"
    note = result.routing_note
    if note:
        label += f" ({note})"
    lines = [f"{label} - {status_word(result)} ==="]
    if show_reasoning and result.reasoning:
        lines += ["--- reasoning ---", result.reasoning.rstrip(), "--- answer ---"]
    if result.text:
        lines.append(result.text.rstrip())
    lines += extra_lines(result)
    if result.state is PaneState.TRUNCATED:
        lines.append("[cut off: the stream ended without a finish reason - this answer is incomplete]")
    if result.failed:
        lines.append(f"[failed] {result.failed.message}")
        if result.failed.detail:
            lines.append(f"  details: {result.failed.detail}")
    if result.state is PaneState.STOPPED:
        lines.append("[stopped before the answer was complete]")
    return "\n".join(lines) + "\n\n"


def status_word(result: PaneResult) -> str:
    return state_words(result)  # the window says the same, with more detail (core/pane_words.py)


class LiveView(PipedView):
    """A live status line per model, redrawn in place; finished answers print above it."""

    def __init__(self, out: TextIO, *, show_reasoning: bool = False) -> None:
        super().__init__(out, show_reasoning=show_reasoning)
        self.drawn = 0

    def tick(self, results: Sequence[PaneResult]) -> None:
        self._clear()
        super().tick(results)
        if any(not r.state.final for r in results):
            self._draw(results)

    def _clear(self) -> None:
        if self.drawn and not self.closed:
            # the CLI's own cursor movement goes to the real terminal, past the escaping of text
            try:
                raw_stream(self.out).write(f"\x1b[{self.drawn}F\x1b[J")
            except (OSError, ValueError):
                self.closed = True
            self.drawn = 0

    def _draw(self, results: Sequence[PaneResult]) -> None:
        width = max(len(r.model) for r in results)
        for r in results:
            tokens = r.chunks  # stream chunks of answer and reasoning: one token each, about
            self.write(f"  {r.model:<{width}}  {status_word(r):<28} {tokens:>6} tokens\n")
        self.drawn = len(results)
        self.flush()

    def close(self, results: Sequence[PaneResult]) -> None:
        self._clear()
        super().close(results)


def finish_word(result: PaneResult) -> str:
    if result.failed:
        return (
            f"failed ({result.failed.status})" if result.failed.status else f"failed ({result.failed.kind})"
        )
    if result.state is PaneState.TRUNCATED:
        return "cut off"
    if result.state is PaneState.STOPPED:
        return "stopped"
    if result.finished:
        return result.finished.finish_reason or "done"
    return str(result.state)


def print_figures(results: Sequence[PaneResult], out: TextIO | None = None) -> None:
    """The closing table: one row per model with speed, tokens, cost and how it ended."""
    out = out or sys.stdout
    rows = []
    estimated = False
    for r in results:
        f, u = r.finished, r.usage
        mark = "~" if u is not None and u.estimated else ""  # counted here: the server sent no usage
        estimated = estimated or bool(mark)
        rows.append(
            [
                r.model,
                (f.served_model if f else None) or "-",
                (f.provider if f else None) or (endpoint_of(r.model) if f else None) or "-",
                seconds(f.ttft if f else None),
                number(f.tokens_per_second if f else None, "{:.1f}"),
                mark + number(u.prompt_tokens if u else None),
                mark + number(u.completion_tokens if u else None),
                number(u.reasoning_tokens if u else None),
                "local" if mark else usd(u.cost if u else None),
                finish_word(r),
            ]
        )
    table(
        ["model", "served", "provider", "TTFT", "tok/s", "in", "out", "reasoning", "cost", "finish"],
        rows,
        out,
    )
    costs = [r.cost for r in results if r.cost is not None]
    if costs:
        out.write(f"total cost: {usd(sum(costs[1:], costs[0]))}\n")
    for line in cache_lines(results):
        out.write(line + "\n")
    if estimated:
        out.write("~ estimated from the text: that endpoint reports no token counts (and no cost)\n")
    out.flush()
