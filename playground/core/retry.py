"""Which failures are retried, and how long to wait: backoff with jitter, never before the server asks."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

from playground.core.servertext import MAX_WAIT_HINT, wait_figure

RETRYABLE_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504, 524, 529})


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUSES or 500 <= status <= 599


@dataclass(frozen=True)
class RetryPolicy:
    """At most ``max_attempts`` tries; exponential backoff with jitter; ``max_wait`` caps any sleep."""

    max_attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_wait: float = 60.0
    rng: Callable[[], float] = field(default=random.random, compare=False)

    def backoff(self, retry_number: int) -> float:
        """Delay before retry ``retry_number`` (1 = first retry): full jitter in [d/2, d]."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (retry_number - 1))
        jitter: float = self.rng()
        return float(ceiling * (0.5 + 0.5 * jitter))

    def delay(self, retry_number: int, server_hint: float | None) -> float:
        """Backoff, but never sooner than what the server asked for."""
        return max(self.backoff(retry_number), server_hint or 0.0)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds: either a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()[:100]
    try:
        return wait_figure(float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return wait_figure(when - (time.time() if now is None else now))


def server_wait_hint(
    headers: Mapping[str, str], error: Mapping[str, Any] | None, *, now: float | None = None
) -> float | None:
    """The longest wait the server asked for, from the header, the metadata or the reset time."""
    hints: list[float] = []
    header = parse_retry_after(headers.get("retry-after"), now=now)
    if header is not None:
        hints.append(header)
    metadata = error.get("metadata") if isinstance(error, Mapping) else None
    if isinstance(metadata, Mapping):
        seconds = wait_figure(metadata.get("retry_after_seconds"))
        if seconds is not None:
            hints.append(seconds)
        mirrored = metadata.get("headers")
        if not hints and isinstance(mirrored, Mapping):
            reset = _reset_wait(mirrored, now)
            if reset is not None:
                hints.append(reset)
    return max(hints) if hints else None


def _reset_wait(mirrored: Mapping[str, Any], now: float | None) -> float | None:
    """X-RateLimit-Reset is epoch milliseconds; only used when it is near (under a day)."""
    remaining = str(mirrored.get("X-RateLimit-Remaining", "")).strip()
    reset = mirrored.get("X-RateLimit-Reset")
    if remaining not in ("0", "") or reset is None:
        return None
    try:
        wait = float(str(reset)[:40]) / 1000.0 - (time.time() if now is None else now)
    except (TypeError, ValueError, OverflowError):
        return None
    return wait if 0 <= wait < MAX_WAIT_HINT else None
