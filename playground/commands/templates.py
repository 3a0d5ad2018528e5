"""``playground templates list | show | run | test | export | import``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from playground.commands import templates_test
from playground.commands.compare import (
    add_sampling_arguments,
    attachments_from,
    params_from,
    routing_from,
    run_request,
)
from playground.core.context import AppContext
from playground.core.errors import ConfigError
from playground.core.library import template_request
from playground.core.templates import MAX_TEMPLATE_BYTES, PromptTemplate, TemplateError, parse_vars


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("templates", help="prompt templates: list, show, run, test, export, import")
    actions = p.add_subparsers(dest="templates_action", required=True, metavar="ACTION")
    lst = actions.add_parser("list", help="every template (broken files too, with their error)")
    lst.add_argument("--json", action="store_true")
    show = actions.add_parser("show", help="a template, its variables, cases and versions")
    show.add_argument("name")
    show.add_argument("--diff", nargs=2, metavar=("OLD", "NEW"), help="diff two versions (number or hash)")
    run = actions.add_parser("run", help="render a template and compare it across models")
    run.add_argument("name")
    run.add_argument(
        "-m",
        "--model",
        action="append",
        default=[],
        metavar="MODEL",
        help="repeatable; default: the template's models",
    )
    run.add_argument("--var", action="append", default=[], metavar="K=V", help="a variable (repeatable)")
    cases = run.add_mutually_exclusive_group()
    cases.add_argument("--case", metavar="NAME", help="use this test case's variables")
    cases.add_argument("--all-cases", action="store_true", help="run every test case")
    add_sampling_arguments(run)
    templates_test.add_parser(actions)
    export = actions.add_parser(
        "export", help="write templates as TOML files (or promptfoo configs) into a folder"
    )
    export.add_argument("folder", type=Path)
    export.add_argument("names", nargs="*", help="default: all")
    export.add_argument(
        "--format", choices=("toml", "promptfoo"), default="toml", help="promptfoo: NAME.promptfooconfig.yaml"
    )
    imp = actions.add_parser("import", help="add templates from TOML files or promptfoo configs (.yaml)")
    imp.add_argument("files", nargs="+", type=Path)
    imp.add_argument("--replace", action="store_true", help="record a new version of a template that exists")


async def run(ctx: AppContext, args: argparse.Namespace) -> int:
    action = args.templates_action
    if action == "list":
        return _list(ctx, args.json)
    if action == "show":
        return _show(ctx, args.name, args.diff)
    if action == "export":
        return _export(ctx, args.folder, args.names, args.format)
    if action == "import":
        return _import(ctx, args.files, replace=args.replace)
    if action == "test":
        return await templates_test.run(ctx, args)
    return await _run(ctx, args)


def _list(ctx: AppContext, as_json: bool) -> int:
    entries = ctx.templates.entries()
    if as_json:
        rows = [
            {
                "name": e.name,
                "file": str(e.path),
                "error": e.error,
                "description": e.template.description if e.template else None,
                "tags": list(e.template.tags) if e.template else [],
                "variables": [v.name for v in e.template.variables()] if e.template else [],
            }
            for e in entries
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not entries:
        print(
            f"No templates yet in {ctx.templates.folder}. Create one in the window, or "
            "`playground templates import FILE.toml`."
        )
    for entry in entries:
        if entry.template is None:
            print(f"! {entry.path.name:<30} broken: {entry.error}")
            continue
        t = entry.template
        tags = f" [{', '.join(t.tags)}]" if t.tags else ""
        print(f"  {t.name:<30} {len(t.cases)} cases  {t.description}{tags}")
    return 0


def _show(ctx: AppContext, name: str, diff: list[str] | None) -> int:
    library = ctx.library()
    template = ctx.templates.get(name)
    if diff:
        print(library.diff(name, diff[0], diff[1]) or "The two versions are the same.")
        return 0
    library.current_version(template)
    sys.stdout.write(template.to_toml())
    variables = ", ".join(
        v.name + (f" (default {v.default!r})" if v.default else "") for v in template.variables()
    )
    print(f"\n# variables: {variables or 'none'}")
    versions = library.history.versions(name)
    print(f"# versions ({len(versions)}, newest first):")
    for number, version in zip(range(len(versions), 0, -1), versions, strict=True):
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(version.created))
        print(f"#   {number:>3}  {version.hash}  {when}  {version.note}")
    return 0


def _export(ctx: AppContext, folder: Path, names: list[str], fmt: str = "toml") -> int:
    chosen = (
        [ctx.templates.get(n) for n in names]
        if names
        else [e.template for e in ctx.templates.entries() if e.template is not None]
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        written = _write_exports(folder, chosen, fmt)
    except OSError as exc:
        print(f"error: could not export to {folder}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"Exported {written} template(s) to {folder}.")
    return 0


def _write_exports(folder: Path, chosen: list[PromptTemplate], fmt: str) -> int:
    from playground.core.atomic import atomic_write
    from playground.core.templates import slug

    for template in chosen:
        if fmt == "promptfoo":
            from playground.core.evaluation.promptfoo import to_config

            atomic_write(folder / f"{slug(template.name)}.promptfooconfig.yaml", to_config(template))
        else:
            atomic_write(folder / f"{slug(template.name)}.toml", template.to_toml())
    return len(chosen)


def _import(ctx: AppContext, files: list[Path], *, replace: bool = False) -> int:
    failures = 0
    for path in files:
        try:
            for template in _read_templates(path):
                _save_imported(ctx, template, path, replace=replace)
        except UnicodeDecodeError:
            print(f"error: {path.name}: not UTF-8 text", file=sys.stderr)
            failures += 1
        except OSError as exc:
            print(f"error: could not read {path}: {exc.strerror or exc}", file=sys.stderr)
            failures += 1
        except ConfigError as exc:
            message = str(exc)
            prefix = "" if message.startswith(path.name) else f"{path.name}: "
            print(f"error: {prefix}{message}", file=sys.stderr)
            failures += 1
    return 2 if failures else 0


def _read_templates(path: Path) -> list[PromptTemplate]:
    """The templates in a TOML file, or those a promptfoo config becomes (saying what was left out)."""
    from playground.core.evaluation.promptfoo import MAX_CONFIG, is_promptfoo, load_config
    from playground.core.templates import read_template_bytes

    # Regular files only, read to a limit: /dev/zero or a FIFO named on the command line would
    # otherwise fill the memory or wait for ever.
    promptfoo = is_promptfoo(path.name)
    raw = read_template_bytes(path, MAX_CONFIG if promptfoo else MAX_TEMPLATE_BYTES)
    text = raw.decode("utf-8")
    if not promptfoo:
        return [PromptTemplate.from_toml(text)]
    imported = load_config(text, path.name)
    for note in imported.dropped:
        print(f"note: {path.name}: not carried over: {note}", file=sys.stderr)
    return imported.templates


def _save_imported(ctx: AppContext, template: PromptTemplate, path: Path, *, replace: bool) -> None:
    exists = any(e.name == template.name for e in ctx.templates.entries())
    if exists and not replace:
        raise TemplateError(
            f"A template named '{template.name}' already exists; use --replace to record a new version of it."
        )
    ctx.library().save(
        template, replacing=template.name if exists else None, note=f"imported from {path.name}"
    )
    print(f"{'Replaced' if exists else 'Imported'} '{template.name}'.")


async def _run(ctx: AppContext, args: argparse.Namespace) -> int:
    library = ctx.library()
    template = ctx.templates.get(args.name)
    version = library.current_version(template)
    given = parse_vars(args.var)
    cases: list[tuple[str | None, dict[str, str]]]
    if args.all_cases:
        if not template.cases:
            raise ConfigError(f"Template '{template.name}' has no test cases.")
        cases = [(name, {**values, **given}) for name, values in template.cases]
    elif args.case:
        cases = [(args.case, {**template.case(args.case), **given})]
    else:
        cases = [(None, given)]
    routing = routing_from(args)
    requests = [
        template_request(template, args.model, values, params_from(args), routing) for _, values in cases
    ]
    if args.system:  # --system replaces the template's own system prompt for this run
        requests = [replace(r, system=args.system) for r in requests]
    attachments = attachments_from(args)
    requests = [replace(r, attachments=attachments) for r in requests]
    worst = 0
    for (case_name, values), request in zip(cases, requests, strict=True):
        if case_name and not args.jsonl:
            print(f"##### case: {case_name}")
        label = {"case": case_name} if case_name else {}
        record = {
            "template": template.name,
            "version": version.hash,
            "case_name": case_name,
            "variables": values,
        }
        worst = max(worst, await run_request(ctx, request, args, label=label, record=record))
    return worst
