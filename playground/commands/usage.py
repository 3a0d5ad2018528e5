"""``playground usage``: what the key may still spend, what this app spent, and the spend alerts."""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Sequence
from decimal import Decimal

from playground.commands.args import integer
from playground.commands.output import note_key_source, table, usd
from playground.core.account import UNKNOWN_LIMIT, KeyInfo
from playground.core.context import AppContext
from playground.core.errors import ApiError, ConfigError, PlaygroundError
from playground.core.secrets import KeyringError
from playground.core.spend import SpendReport, Thresholds, remaining_credit, spend_report


def _usd_amount(text: str) -> float:
    try:
        value = float(text.strip().lstrip("$"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an amount in US dollars: {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"not an amount in US dollars: {text!r}")
    return value


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("usage", help="spend per day, model and template; the key's limit; alerts")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--days", type=integer(1, 3650), default=14, metavar="N", help="days of spend to list (default 14)"
    )
    p.add_argument("--offline", action="store_true", help="only the local history; do not ask OpenRouter")
    p.add_argument("--demo", action="store_true", help="use the built-in simulator's key figures")
    alerts = p.add_argument_group("alerts (saved; 0 turns one off)")
    alerts.add_argument(
        "--alert-remaining", type=_usd_amount, metavar="USD", help="remaining credit at or below"
    )
    alerts.add_argument("--alert-daily", type=_usd_amount, metavar="USD", help="today's spend at or above")
    alerts.add_argument(
        "--alert-estimate", type=_usd_amount, metavar="USD", help="one comparison estimated at"
    )


async def run(ctx: AppContext, args: argparse.Namespace) -> int:
    _save_alerts(ctx, args)
    if args.demo:
        ctx.start_demo(time_scale=0)
    info, problem, code = (None, "not asked (--offline)", 0) if args.offline else await _key_info(ctx)
    report = spend_report(
        ctx.history(),
        days=max(1, args.days),
        key_info=info,
        thresholds=Thresholds.from_settings(ctx.settings.load()),
    )
    if args.json:
        data = report.to_json()
        data["key_problem"] = problem
        print(json.dumps(data, indent=2))
        return code
    _print(report, problem)
    return code


def _save_alerts(ctx: AppContext, args: argparse.Namespace) -> None:
    changes = {
        name: (value or None)
        for name, value in (
            ("alert_remaining_below_usd", args.alert_remaining),
            ("alert_daily_spend_usd", args.alert_daily),
            ("spend_cap_usd", args.alert_estimate),
        )
        if value is not None
    }
    if changes:
        ctx.settings.update(**changes)
        print("Alerts saved.", file=sys.stderr)


async def _key_info(ctx: AppContext) -> tuple[KeyInfo | None, str | None, int]:
    """The key's figures, or why they are missing (no key, offline, rejected) in words, and the exit
    code: 2 when there is no usable key (configuration), 0 otherwise - the local figures still print."""
    try:
        active = await ctx.active_key()
    except (ConfigError, KeyringError) as exc:
        return None, str(exc), 2
    except PlaygroundError as exc:
        return None, str(exc), 0
    note_key_source(active, ctx.keys.active_name())
    try:
        async with ctx.client(active) as client:
            return await client.key_info(), None, 0
    except ApiError as exc:
        return None, str(exc), 0


def _print(report: SpendReport, problem: str | None) -> None:
    info = report.key_info
    print("Key")
    if info is None:
        print(f"  figures unavailable: {problem or 'unknown'}")
    else:
        remaining = remaining_credit(info)
        limit = "no limit" if info.limit is None else f"{usd(info.limit)}, {usd(remaining)} remaining"
        limit = UNKNOWN_LIMIT if info.limit_unknown else limit
        reset = f" (resets {info.limit_reset})" if info.limit_reset else ""
        print(f"  limit:     {limit}{reset}")
        print(
            f"  spent:     today {usd(info.usage_daily)} | this week {usd(info.usage_weekly)} | "
            f"this month {usd(info.usage_monthly)} | all time {usd(info.usage)}"
        )
    print(f"\nThis app, from history: today {usd(report.today)}")
    _section("Per day", ["day", "cost"], report.per_day)
    _section("Per model", ["model", "cost"], report.per_model)
    _section("Per template", ["template", "cost"], report.per_template)
    print()
    if report.alerts:
        for alert in report.alerts:
            print(f"ALERT: {alert.message}")
    else:
        print("No alert has reached its threshold.")


def _section(title: str, header: list[str], rows: Sequence[tuple[str, Decimal]]) -> None:
    print(f"\n{title}")
    if not rows:
        print("  (nothing yet)")
        return
    out = io.StringIO()
    table(header, [[name, usd(cost)] for name, cost in rows], out)
    for line in out.getvalue().splitlines():
        print(f"  {line}")
