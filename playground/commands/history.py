"""``playground history list | show | export``."""

from __future__ import annotations

import argparse
import sys
import time

from playground.commands.args import integer, run_id
from playground.commands.output import table, usd
from playground.commands.surface_view import extra_lines
from playground.core.answer_extras import result_from_extras
from playground.core.context import AppContext
from playground.core.history import RunRecord
from playground.core.history.export import FORMATS, export_from


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("history", help="past runs: list, show, export")
    actions = p.add_subparsers(dest="history_action", required=True, metavar="ACTION")
    lst = actions.add_parser("list", help="newest first")
    _filters(lst)
    show = actions.add_parser("show", help="one run with every answer")
    show.add_argument("id", type=run_id)
    export = actions.add_parser("export", help="runs as Markdown, JSON, CSV or one HTML page on stdout")
    export.add_argument("--format", choices=FORMATS, default="md")
    export.add_argument(
        "--redact-prompts", action="store_true", help="html: prompts and answers replaced by their lengths"
    )
    export.add_argument("ids", nargs="*", type=run_id, help="default: the runs the filters select")
    _filters(export)


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--template", metavar="NAME")
    p.add_argument("--model", metavar="ID")
    p.add_argument("--search", default="", metavar="TEXT", help="in prompts and answers")
    p.add_argument("--since", type=_date, metavar="YYYY-MM-DD", help="only runs from this day on")
    p.add_argument("--limit", type=integer(1, 1_000_000), default=20, metavar="N")


def _date(text: str) -> float:
    try:
        return time.mktime(time.strptime(text, "%Y-%m-%d"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


async def run(ctx: AppContext, args: argparse.Namespace) -> int:
    history = ctx.history()
    if args.history_action == "show":
        return _show(history.get_run(args.id))
    if args.history_action == "export" and args.ids:
        runs = [history.get_run(i) for i in args.ids]
    else:
        runs = history.list_runs(
            search=args.search, template=args.template, model=args.model, limit=args.limit
        )
    if args.history_action == "export":
        settings = ctx.settings.load() if args.format == "html" else None
        sys.stdout.write(
            export_from(history, runs, args.format, settings=settings, redact_prompts=args.redact_prompts)
        )
        return 0
    if not runs:
        print("No runs recorded yet." if not history.count() else "No runs match.")
        return 0
    rows = [
        [
            str(r.id),
            time.strftime("%Y-%m-%d %H:%M", time.localtime(r.created)),
            r.template or "-",
            r.case_name or "-",
            ", ".join(r.models),
            r.outcome,
            usd(r.cost),
            ("↳ " if r.parent else "") + _short(r.prompt),  # a follow-up of an earlier run
        ]
        for r in runs
    ]
    table(["id", "when", "template", "case", "models", "outcome", "cost", "prompt"], rows)
    return 0


def _short(text: str, width: int = 40) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


def _show(run: RunRecord) -> int:
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(run.created))
    print(
        f"Run {run.id} - {when}"
        + (f" - template {run.template} @ {run.template_version}" if run.template else "")
    )
    if run.parent:
        print(f"turn {run.turn} of a conversation: follows run {run.parent} (first run {run.conversation})")
    if run.case_name:
        print(f"case: {run.case_name}  variables: {dict(run.variables)}")
    if run.params:
        print(f"parameters: {dict(run.params)}")
    if run.system:
        print(f"--- system ---\n{run.system}")
    print(f"--- prompt ---\n{run.prompt}\n")
    for a in run.answers:
        tokens = f"{a.tokens_in or '-'} in / {a.tokens_out or '-'} out"
        figures = f"{a.state}, {a.provider or '-'}, {tokens}, {usd(a.cost)}"
        print(f"=== {a.requested_model} ({figures}) ===")
        extras = extra_lines(result_from_extras(a.requested_model, a.extras))  # tool calls, sources...
        print(a.answer.rstrip() or ("" if extras else f"[{a.error or 'no answer'}]"))
        for line in extras:
            print(line)
        print()
    return 0
