"""What ``GET /key`` and ``GET /credits`` say about a key: limits, usage, tier."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from playground.core.format import usd
from playground.core.servertext import server_text, token_figure

_MAX_AMOUNT = Decimal(10**12)  # a larger figure from a server is wrong, not money


def parse_decimal(value: Any) -> Decimal | None:
    """A finite, bounded Decimal from a JSON number or numeric string; None for anything else."""
    if value is None or isinstance(value, bool) or (isinstance(value, str) and len(value) > 40):
        return None
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() and abs(result) <= _MAX_AMOUNT else None


def _spent(value: Any) -> Decimal | None:
    """Money spent: never negative (a negative figure would lower "spent today" and hide alerts)."""
    amount = parse_decimal(value)
    return amount if amount is not None and amount >= 0 else None


def _opt_str(value: Any) -> str | None:
    return server_text(value, 200)


@dataclass(frozen=True)
class KeyInfo:
    """The key's own figures. ``limit`` None means no spending cap - unless ``limit_unknown``: the
    server sent a figure that is not an amount (negative, huge, text), which is no cap to trust."""

    label: str | None
    limit: Decimal | None
    limit_remaining: Decimal | None
    limit_reset: str | None
    usage: Decimal | None
    usage_daily: Decimal | None
    usage_weekly: Decimal | None
    usage_monthly: Decimal | None
    is_free_tier: bool | None
    is_management_key: bool | None
    expires_at: str | None
    rate_limit_requests: int | None
    rate_limit_interval: str | None
    limit_unknown: bool = False

    @classmethod
    def parse(cls, body: Any) -> KeyInfo:
        data = body.get("data") if isinstance(body, Mapping) else None
        data = data if isinstance(data, Mapping) else {}
        rate = data.get("rate_limit")
        rate = rate if isinstance(rate, Mapping) else {}
        requests = rate.get("requests")
        return cls(
            label=_opt_str(data.get("label")),
            limit=_spent(data.get("limit")),  # a cap below zero is no cap: a wrong figure
            limit_remaining=parse_decimal(data.get("limit_remaining")),
            limit_reset=_opt_str(data.get("limit_reset")),
            usage=_spent(data.get("usage")),
            usage_daily=_spent(data.get("usage_daily")),
            usage_weekly=_spent(data.get("usage_weekly")),
            usage_monthly=_spent(data.get("usage_monthly")),
            is_free_tier=data.get("is_free_tier") if isinstance(data.get("is_free_tier"), bool) else None,
            is_management_key=data.get("is_management_key")
            if isinstance(data.get("is_management_key"), bool)
            else None,
            expires_at=_opt_str(data.get("expires_at")),
            rate_limit_requests=token_figure(requests),
            rate_limit_interval=_opt_str(rate.get("interval")),
            limit_unknown=data.get("limit") is not None and _spent(data.get("limit")) is None,
        )


@dataclass(frozen=True)
class Credits:
    """Account-wide credits; only management keys may read them."""

    total_credits: Decimal | None
    total_usage: Decimal | None

    @property
    def remaining(self) -> Decimal | None:
        if self.total_credits is None or self.total_usage is None:
            return None
        return self.total_credits - self.total_usage

    @classmethod
    def parse(cls, body: Any) -> Credits:
        data = body.get("data") if isinstance(body, Mapping) else None
        data = data if isinstance(data, Mapping) else {}
        return cls(parse_decimal(data.get("total_credits")), parse_decimal(data.get("total_usage")))


UNKNOWN_LIMIT = "unknown (the server's figure is not an amount)"


def describe_key_info(info: KeyInfo, credits: Credits | None) -> list[tuple[str, str]]:
    """The figures of a key check as (label, value) lines, for the CLI and the key dialog."""
    if info.limit_unknown:
        limit = UNKNOWN_LIMIT
    elif info.limit is None:
        limit = "no limit"
    else:
        reset = f", resets {info.limit_reset}" if info.limit_reset else ""
        limit = f"{usd(info.limit)} (remaining {usd(info.limit_remaining)}{reset})"
    usage = " | ".join(
        f"{label} {usd(value)}"
        for label, value in (
            ("today", info.usage_daily),
            ("this week", info.usage_weekly),
            ("this month", info.usage_monthly),
            ("all time", info.usage),
        )
        if value is not None
    )
    rate = (
        f"{info.rate_limit_requests} requests / {info.rate_limit_interval}"
        if info.rate_limit_requests is not None
        else "-"
    )
    lines: list[tuple[str, str]] = [
        ("Label", info.label or "-"),
        ("Spending limit", limit),
        ("Usage", usage or "-"),
        ("Tier", {True: "free tier", False: "paid", None: "-"}[info.is_free_tier]),
        ("Expires", info.expires_at or "never"),
        ("Rate limit", rate),
    ]
    if credits is None:
        lines.append(("Account credits", "not available for this key type"))
    else:
        lines.append(("Account credits", _credits_words(credits)))
    return lines


def _credits_words(credits: Credits) -> str:
    if credits.remaining is None:
        return "unknown (the server's figures are not amounts)"
    return f"{usd(credits.remaining)} left of {usd(credits.total_credits)}"
