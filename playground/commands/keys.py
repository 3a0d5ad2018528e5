"""``playground key set|list|use|test|remove``: named keys in the keyring, checked against /key."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from decimal import Decimal

from playground.core.account import describe_key_info
from playground.core.context import AppContext
from playground.core.errors import ApiError, ConfigError, PlaygroundError
from playground.core.events import FailureKind
from playground.core.keyflow import KeyCheck, KeyNotSavedError, key_figures, save_key
from playground.core.secrets import KeyringError, KeyringLockedError, KeyringTimeoutError
from playground.core.spend import Thresholds, check_alerts, spend_report

DEFAULT_NAME = "default"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    key = sub.add_parser("key", help="store, list, choose, test and remove API keys")
    actions = key.add_subparsers(dest="key_action", required=True, metavar="ACTION")
    set_ = actions.add_parser("set", help="store a key (read from stdin or a hidden prompt, never argv)")
    set_.add_argument("--name", default=None, help=f"name for the key (default: {DEFAULT_NAME})")
    set_.add_argument(
        "--save-rejected",
        action="store_true",
        help="keep the key even if OpenRouter rejects it (it is then not made the active key)",
    )
    set_.add_argument("refused", nargs="?", help=argparse.SUPPRESS)
    actions.add_parser("list", help="names, masked keys and which one is active")
    use = actions.add_parser("use", help="make a named key the active one")
    use.add_argument("name")
    test = actions.add_parser("test", help="check a key with OpenRouter and show its limits and usage")
    test.add_argument("--name", default=None, help="test this named key instead of the one in use")
    test.add_argument("--demo", action="store_true", help="test against the built-in simulator")
    remove = actions.add_parser("remove", help="delete a named key from the keyring")
    remove.add_argument("name")


async def run(ctx: AppContext, args: argparse.Namespace) -> int:
    action = args.key_action
    if action == "set":
        return await _set(ctx, args)
    if action == "list":
        return await _list(ctx)
    if action == "use":
        ctx.keys.use(args.name)
        print(f"Key '{args.name}' is now the active key.")
        _warn_override(ctx)
        return 0
    if action == "remove":
        now = await ctx.keys.remove(args.name)
        print(f"Removed key '{args.name}' from the keyring.")
        if now is not None:
            print(f"Key '{now}' is now the active key.")
        _warn_override(ctx)
        return 0
    return await _test(ctx, args)


MAX_SECRET = 16_384  # an OpenRouter key is 73 characters; an endpoint's token (a JWT) a few thousand


def read_secret(prompt: str = "OpenRouter API key (input hidden): ") -> str:
    """A key from a hidden prompt on a terminal, or the first line of stdin - never from argv."""
    stdin = sys.stdin
    if stdin is None or stdin.closed:
        raise ConfigError("No input to read the key from: pipe it in, or run this in a terminal.")
    if stdin.isatty():
        return getpass.getpass(prompt)
    # One line, read to a limit: `< /dev/zero` or a binary file must not fill the memory.
    buffer = getattr(stdin, "buffer", None)
    raw = buffer.readline(MAX_SECRET + 1) if buffer is not None else stdin.readline(MAX_SECRET + 1).encode()
    if len(raw.rstrip(b"\r\n")) > MAX_SECRET:
        raise ConfigError(f"The key on stdin is longer than {MAX_SECRET:,} characters: that is not a key.")
    try:
        return str(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError("The key on stdin is not UTF-8 text: that is not a key.") from None


async def _set(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.refused is not None:
        raise ConfigError(
            "Refusing a key given on the command line: it would be visible in the process list "
            "and your shell history. Pipe it in (`playground key set < file`) or type it at the prompt."
        )
    name = args.name or (ctx.keys.active_name() or DEFAULT_NAME)
    raw = read_secret()

    async def confirm(check: KeyCheck) -> bool:
        print(f"{check.words}", file=sys.stderr)
        if args.save_rejected:
            return True
        if sys.stdin.isatty():
            return input("Save it anyway? It will not be made the active key. [y/N] ").strip().lower() == "y"
        print("Not saved. To keep it anyway, run again with --save-rejected.", file=sys.stderr)
        return False

    try:
        result = await save_key(ctx.keys, ctx.client_config(ctx.base_url), name, raw, confirm)
    except KeyNotSavedError:
        return 1
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(result.summary())
    _warn_override(ctx)
    return 0


def _warn_override(ctx: AppContext) -> None:
    override = ctx.keys.override()
    if override is not None:
        print(f"note: {override.describe()} is used instead while it is set.", file=sys.stderr)
    for problem in ctx.keys.override_problems():
        print(f"warning: {problem}", file=sys.stderr)


async def _list(ctx: AppContext) -> int:
    override = ctx.keys.override()
    if override is not None:
        print(f"In use: {override.describe()} - it takes precedence over the keyring.")
    for problem in ctx.keys.override_problems():
        print(f"warning: {problem}", file=sys.stderr)
    names = ctx.keys.names()
    if not names:
        await ctx.keys.check()  # no keyring at all is said as `key set` says it, not "no keys"
        print("No keys in the keyring. Add one with `playground key set --name NAME`.")
        return 0
    active = ctx.keys.in_use_name()
    masks = await asyncio.gather(*(_masked(ctx, name) for name in names))
    for name, masked in zip(names, masks, strict=True):
        marker = "*" if name == active else " "
        suffix = "  (active)" if name == active and override is None else ""
        print(f"{marker} {name:<24} {masked}{suffix}")
    return 0


async def _masked(ctx: AppContext, name: str) -> str:
    """The masked key, or why it cannot be shown (read in parallel: a hung keyring costs one wait)."""
    try:
        return (await ctx.keys.get(name)).masked
    except KeyringTimeoutError:
        return "(the keyring did not answer)"
    except KeyringLockedError:
        return "(the keyring is locked)"
    except KeyringError:
        return "(unreadable: keyring error)"
    except ConfigError:
        return "(not in the keyring - save it again, or remove it)"


async def _test(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.demo:
        ctx.start_demo(time_scale=0)
    active = await ctx.active_key(args.name)
    async with ctx.client(active) as client:
        # Only once the client accepted the URL: a refused one may hold a password (user:pass@).
        print(f"Testing {active.describe()} against {ctx.base_url}")
        try:
            info, credits = await key_figures(client)
        except ApiError as exc:
            print(_key_failure(exc, ctx.base_url), file=sys.stderr)
            return 1
    print("The key works.")
    for label, value in describe_key_info(info, credits):
        print(f"  {label + ':':<18} {value}")
    thresholds = Thresholds.from_settings(ctx.settings.load())
    for alert in check_alerts(thresholds, key_info=info, spent_today=_spent_today(ctx)):
        print(f"ALERT: {alert.message}")
    return 0


def _spent_today(ctx: AppContext) -> Decimal | None:
    try:
        return spend_report(ctx.history(), days=1).today
    except PlaygroundError:  # history is a convenience; the key test does not depend on it
        return None


def _key_failure(exc: ApiError, base_url: str) -> str:
    if exc.status == 401:
        return (
            "Key rejected: OpenRouter says this key is wrong, revoked or expired (401). "
            "Store a new one with `playground key set`."
        )
    if exc.kind == FailureKind.NETWORK:
        return f"Could not reach OpenRouter at {base_url} - this says nothing about the key. {exc.detail}"
    return str(exc)
