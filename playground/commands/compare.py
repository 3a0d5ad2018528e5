"""``playground compare``: one prompt to several models, streamed side by side in the terminal."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playground.commands.args import MAX_TOKENS, integer, model_id, number, price
from playground.commands.compare_view import JsonlView, LiveView, PipedView, View, print_figures
from playground.commands.output import note_key_source
from playground.commands.request_flags import add_request_arguments, warn, with_request_options
from playground.core import preflight
from playground.core.attachments import Attachment, check_total, load_attachment
from playground.core.capabilities import is_preset, with_image_output
from playground.core.compare import CompareRequest, CompareRun, PaneResult, PaneSpec
from playground.core.context import AppContext
from playground.core.endpoints import split_ref
from playground.core.errors import ConfigError, PlaygroundError
from playground.core.library import record_run
from playground.core.request import ChatParams
from playground.core.routing import SORTS, Routing, RoutingError, parse_price
from playground.core.stream import discount_figure

if TYPE_CHECKING:
    from playground.core.catalog import ModelCatalog

CLI_OFFER = "add --require-parameters"  # how to insist on providers that honour every parameter
# the preflight findings the CLI says as notes, and those it refuses to send (exit code 2); presets
# and parameters a model does not list are the window's notes only (a script sets them on purpose)
CLI_NOTES = {preflight.FindingKind.UNSUPPORTED, preflight.FindingKind.CONTEXT}
CLI_REFUSES = {preflight.FindingKind.CONTEXT}
GENERATION_WAIT = 10.0  # seconds for OpenRouter's generation stats, after the answers are in


MAX_PROMPT_BYTES = 16 * 2**20  # a prompt piped on stdin; attachments have their own limit


def add_sampling_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--system", default=None, metavar="TEXT", help="system prompt")
    p.add_argument("--temperature", type=number(0, 2), metavar="T", help="0 to 2")
    p.add_argument("--top-p", type=number(0, 1), metavar="P", help="0 to 1")
    p.add_argument("--max-tokens", type=integer(1, MAX_TOKENS), metavar="N")
    p.add_argument("--seed", type=integer(-(2**63), 2**63 - 1), metavar="N")
    p.add_argument("--stop", action="append", metavar="TEXT", help="stop sequence (repeatable)")
    p.add_argument("--frequency-penalty", type=number(-2, 2), metavar="X", help="-2 to 2")
    p.add_argument("--presence-penalty", type=number(-2, 2), metavar="X", help="-2 to 2")
    p.add_argument("--jsonl", action="store_true", help="one JSON object per event on stdout")
    p.add_argument("--show-reasoning", action="store_true", help="print reasoning text before answers")
    p.add_argument("--demo", action="store_true", help="use the built-in simulator: no key, no network")
    p.add_argument(
        "--send-anyway", action="store_true", help="send even when the estimate reaches your spend alert"
    )
    p.add_argument(
        "--attach",
        action="append",
        metavar="FILE",
        help="image, PDF or text file sent with the prompt (repeatable)",
    )
    add_request_arguments(p)
    add_routing_arguments(p)


def add_routing_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("routing (OpenRouter; applies to every model)")
    g.add_argument(
        "--fallback", action="append", metavar="MODEL", help="fallback model (repeatable, up to 3)"
    )
    g.add_argument("--provider-order", metavar="A,B", help="try these providers first, in order")
    g.add_argument("--only", metavar="A,B", help="use only these providers")
    g.add_argument("--ignore", metavar="A,B", help="never use these providers")
    g.add_argument("--no-provider-fallbacks", action="store_true", help="do not fall back to other providers")
    g.add_argument("--sort", choices=SORTS, help="prefer providers by price, throughput or latency")
    g.add_argument("--deny-data-collection", action="store_true", help="only providers that keep no data")
    g.add_argument(
        "--max-price",
        type=_max_price,
        metavar="IN[,OUT]",
        help="max USD per million tokens (prompt[,completion])",
    )
    g.add_argument("--quantizations", metavar="A,B", help="only providers serving these (e.g. fp8,bf16)")
    g.add_argument("--zdr", action="store_true", help="only providers with zero data retention")
    g.add_argument(
        "--require-parameters", action="store_true", help="only providers that honour every parameter sent"
    )
    g.add_argument(
        "--preferred-min-throughput",
        type=integer(1, 100_000),
        metavar="TPS",
        help="prefer providers at least this fast (tokens/s)",
    )


def _max_price(text: str) -> tuple[Decimal, Decimal | None]:
    prompt, _, completion = text.partition(",")
    return price(prompt), price(completion) if completion else None


def routing_from(args: argparse.Namespace) -> Routing:
    """The routing flags as a Routing; a bad value is a usage error (exit code 2)."""
    data: dict[str, Any] = {}
    for flag, name in (
        ("fallback", "fallbacks"),
        ("provider_order", "order"),
        ("only", "only"),
        ("ignore", "ignore"),
        ("quantizations", "quantizations"),
    ):
        value = getattr(args, flag, None)
        if value:
            data[name] = ",".join(value) if isinstance(value, list) else value
    if getattr(args, "no_provider_fallbacks", False):
        data["allow_fallbacks"] = False
    if getattr(args, "sort", None):
        data["sort"] = args.sort
    if getattr(args, "deny_data_collection", False):
        data["deny_data_collection"] = True
    for flag in ("zdr", "require_parameters"):
        if getattr(args, flag, False):
            data[flag] = True
    if getattr(args, "preferred_min_throughput", None) is not None:
        data["preferred_min_throughput"] = args.preferred_min_throughput
    try:
        if getattr(args, "max_price", None):
            prompt, completion = args.max_price
            data["max_price_prompt"] = parse_price(prompt, "--max-price")
            if completion is not None:
                data["max_price_completion"] = parse_price(completion, "--max-price")
        return Routing.from_mapping(data)
    except RoutingError as exc:
        raise ConfigError(str(exc)) from None


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("compare", help="send one prompt to several models and compare the answers")
    p.add_argument(
        "-m", "--model", action="append", required=True, type=model_id, metavar="MODEL", help="repeatable"
    )
    add_sampling_arguments(p)
    p.add_argument("prompt", metavar="PROMPT", nargs="?", help="the prompt, or - to read it from stdin")


def params_from(args: argparse.Namespace) -> ChatParams:
    """The sampling and request flags as ChatParams (files named by flags are read here)."""
    params = ChatParams(
        temperature=args.temperature,
        top_p=args.top_p,
        max_tokens=args.max_tokens,
        seed=args.seed,
        stop=tuple(args.stop) if args.stop else None,
        frequency_penalty=args.frequency_penalty,
        presence_penalty=args.presence_penalty,
    )
    return with_request_options(params, args)


def prompt_arg(args: argparse.Namespace) -> str:
    """PROMPT, also when it came right after ``--web-search`` (whose N is optional)."""
    spilled = getattr(args, "spilled_prompt", None)
    if args.prompt is not None and spilled is not None:
        raise ConfigError(f"--web-search takes a number of results, not {spilled!r}.")
    prompt = args.prompt if args.prompt is not None else spilled
    if prompt is None:
        raise ConfigError("compare needs a PROMPT (or - to read it from stdin).")
    return str(prompt)


def read_prompt(text: str) -> str:
    """PROMPT as given, or stdin for ``-``; text that is not UTF-8 is a usage error naming PROMPT."""
    if text == "-":
        if sys.stdin is None or sys.stdin.closed:
            raise ConfigError("PROMPT is '-' but there is no standard input to read it from.")
        source = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else None
        raw = source.read(MAX_PROMPT_BYTES + 1) if source else sys.stdin.read(MAX_PROMPT_BYTES + 1).encode()
        if len(raw) > MAX_PROMPT_BYTES:  # /dev/zero or a runaway pipe: never read until memory runs out
            raise ConfigError(
                f"PROMPT (from stdin) is larger than {MAX_PROMPT_BYTES // 2**20} MB: attach big files "
                "with --attach instead."
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError("PROMPT (from stdin) is not UTF-8 text: binary input is refused.") from None
        if "\x00" in text:
            raise ConfigError("PROMPT (from stdin) holds NUL bytes: binary input is refused.")
    if not text.strip():
        raise ConfigError("The prompt is empty.")
    return text


async def run(ctx: AppContext, args: argparse.Namespace) -> int:
    request = CompareRequest(
        prompt=read_prompt(prompt_arg(args)),
        panes=tuple(PaneSpec(m) for m in args.model),
        system=args.system,
        params=params_from(args),
        routing=routing_from(args),
        attachments=attachments_from(args),
    )
    return await run_request(ctx, request, args)


def attachments_from(args: argparse.Namespace) -> tuple[Attachment, ...]:
    found = tuple(load_attachment(Path(p)) for p in getattr(args, "attach", None) or [])
    check_total(found)
    return found


async def check_catalog(ctx: AppContext, request: CompareRequest, *, send_anyway: bool) -> CompareRequest:
    """Before sending, with the catalog when it is known: refuse what would only come back as an
    error (exit code 2), note what a model may not honour or an id the catalog does not list, ask
    image models for images; and, as the window asks first, refuse a run estimated at or above
    the spend alert unless ``send_anyway``."""
    if all(is_preset(p.model) or split_ref(p.model) for p in request.panes):
        return request
    from playground.commands.models import load_catalog

    try:
        catalog, _ = await load_catalog(ctx, refresh=False)
    except PlaygroundError:  # offline with no cache: OpenRouter will say so itself
        return request
    for model in dict.fromkeys(p.model for p in request.panes):  # each id once, however many panes
        unknown = preflight.unknown_model(model, catalog, demo=ctx.demo is not None)
        if unknown is not None:
            warn(f"{unknown.text} Check the spelling, or find the id with `playground models --search`.")
    check_modalities(catalog, request)
    for draft in preflight.request_drafts(request):
        findings = preflight.check_pane(draft, catalog.get(draft.model), offer=CLI_OFFER)
        over = [f.text for f in findings if f.kind in CLI_REFUSES and f.blocks]
        if over:
            raise ConfigError(over[0])
        for finding in findings:
            if finding.kind in CLI_NOTES:
                warn(finding.text)
    if not send_anyway:
        check_spend_cap(ctx, catalog, request)
    return with_image_output(request, catalog)


def check_spend_cap(ctx: AppContext, catalog: ModelCatalog, request: CompareRequest) -> None:
    """Where the window asks "Send anyway?", a script cannot answer: refuse (exit code 2) and say
    how to go ahead."""
    settings = ctx.settings.load()
    if settings.spend_cap_usd is None:
        return  # no alert set (most runs): nothing to estimate
    from playground.core.spend import Thresholds

    over = preflight.request_spend_cap(Thresholds.from_settings(settings), catalog, request)
    if over is not None:
        raise ConfigError(f"{over.text} Not sent: add --send-anyway to send it.")


def check_modalities(catalog: ModelCatalog, request: CompareRequest) -> None:
    """Refuse attachments a model cannot read (exit code 2)."""
    found = (preflight.unreadable(p.model, catalog.get(p.model), request.attachments) for p in request.panes)
    problems = [f.text for f in found if f is not None]
    if problems:
        raise ConfigError(
            "; ".join(problems) + ". Pick models with image input (`playground models --modality image`)."
        )


async def run_request(
    ctx: AppContext,
    request: CompareRequest,
    args: argparse.Namespace,
    *,
    label: dict[str, str] | None = None,
    record: dict[str, Any] | None = None,
) -> int:
    """Run a comparison with the output the flags ask for; 0 when every model answered completely.

    ``label`` is added to every JSON line (e.g. the test case); ``record`` describes the run for
    history (template, version, case, variables).
    """
    if args.demo:
        ctx.start_demo()
    request = await check_catalog(ctx, request, send_anyway=getattr(args, "send_anyway", False))
    models = [p.model for p in request.panes]
    if any(preflight.missing_model(m) for m in models):
        raise ConfigError(f"-m/--model: {preflight.EMPTY_MODEL} (e.g. -m openai/gpt-4o-mini).")
    # endpoint models (@name/model) need no OpenRouter key; each endpoint gets only its own key
    key = await ctx.active_key() if any(split_ref(m) is None for m in models) else None
    note_key_source(key, ctx.keys.active_name())
    view = _make_view(args, label or {})
    async with await ctx.chat_client(key, models) as client:
        comparison = CompareRun(client, request)
        comparison.add_listener(view.on_event, ends_only=view.ends_only)
        _record(ctx, comparison, record or {})
        comparison.start()
        with stop_on_signals(comparison.cancel_all):
            ticker = asyncio.create_task(_tick(view, comparison))
            try:
                await comparison.wait()
            finally:
                ticker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ticker
        view.close(comparison.results)
        if not args.jsonl and not view.closed:
            await _cache_discounts(client, comparison.results)
    if view.closed:
        raise BrokenPipeError("the output was closed")  # ``| head``: the CLI ends quietly
    if not args.jsonl:
        print_figures(comparison.results)
    return 0 if comparison.all_complete else 1


async def _cache_discounts(client: Any, results: list[PaneResult]) -> None:
    """The cache discount from OpenRouter's generation stats, for answers that used the cache
    (the usage block counts cached tokens but not what they saved); skipped when unavailable."""
    openrouter = getattr(client, "openrouter", None)
    for result in results:
        u, f = result.usage, result.finished
        if (
            openrouter is None
            or u is None
            or f is None
            or not f.generation_id
            or u.cache_discount is not None
        ):
            continue
        if not (u.cached_tokens or u.cache_write_tokens):
            continue
        try:
            async with asyncio.timeout(GENERATION_WAIT):
                stats = await openrouter.generation(f.generation_id)
        except (PlaygroundError, TimeoutError):  # not there yet (a 404 for a while), or offline
            continue
        discount = discount_figure(stats.get("cache_discount"))
        if discount is not None:
            result.usage = replace(u, cache_discount=discount)


async def _tick(view: View, comparison: CompareRun) -> None:
    """Redraw a few times a second; when nobody reads the output any more, stop every stream."""
    while True:
        await asyncio.sleep(view.interval)
        view.tick(comparison.results)
        if view.closed:
            comparison.cancel_all()
            return


def _record(ctx: AppContext, comparison: CompareRun, meta: dict[str, Any]) -> None:
    """Record the run (each pane as it starts and ends); a history that cannot be written is reported
    once at the end and never stops or changes the comparison."""
    try:
        history = ctx.history()
        seen = len(history.warnings)
        record_run(history, comparison, **meta)
    except PlaygroundError as exc:  # history is a convenience: never fail a comparison over it
        ctx.warnings.append(f"{exc}: this run is not saved")
        return
    # an answer that could not be written is noted on the history as it ends; say so at the end
    comparison.add_listener(lambda _event: _collect_warnings(ctx, history.warnings, seen), ends_only=True)


def _collect_warnings(ctx: AppContext, found: list[str], seen: int) -> None:
    for warning in found[seen:]:
        message = f"{warning}: an answer of this run is not saved"
        if message not in ctx.warnings:
            ctx.warnings.append(message)


def _make_view(args: argparse.Namespace, label: dict[str, str]) -> View:
    if args.jsonl:
        return JsonlView(sys.stdout, label)
    if sys.stdout.isatty():
        return LiveView(sys.stdout, show_reasoning=args.show_reasoning)
    return PipedView(sys.stdout, show_reasoning=args.show_reasoning)


# Ctrl+C, ``kill`` and a closed terminal (or a CI job's timeout) are all "stop now": each keeps what
# arrived, prints it and records it as stopped.
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@contextlib.contextmanager
def stop_on_signals(stop: Callable[[], None]) -> Iterator[None]:
    """Ctrl+C, SIGTERM and SIGHUP (a closed terminal, a CI job's timeout) all call ``stop``: the
    streams close their connections and what arrived is still printed and recorded."""
    loop = asyncio.get_running_loop()
    installed = []
    for sig in STOP_SIGNALS:
        try:
            loop.add_signal_handler(sig, stop)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # Windows: KeyboardInterrupt ends the run instead
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
