"""A pane's state in words, for the CLI's status lines and the window's pane headers alike.

The CLI says it in a line of a terminal table (``detailed=False``); the window's header has room
for why a retry waits and how many attempts a failure took (``detailed=True``).
"""

from __future__ import annotations

from playground.core.compare import PaneResult, PaneState
from playground.core.events import Retrying


def retry_words(retrying: Retrying, *, detailed: bool = False) -> str:
    """``retrying in 4 s (503)``; in detail a rate limit or a free model's quota is named."""
    status = f"{retrying.status}" if retrying.status else "network"
    wait = f"retrying in {retrying.delay:.0f} s"
    if detailed and "free models:" in retrying.reason:  # "free models: 20 requests per minute ..."
        return retrying.reason.partition(": ")[2].split(" - ")[0] + f" - {wait}"
    if detailed and status == "429":
        return f"rate limited - {wait}"
    return f"{wait} ({status})"


def state_words(result: PaneResult, *, detailed: bool = False) -> str:
    """``streaming``, ``done (hit max tokens)``, ``retrying in 4 s (503)``, ``failed (500, 3 attempts)``."""
    state = result.state
    if state is PaneState.RETRYING and result.retrying is not None:
        return retry_words(result.retrying, detailed=detailed)
    if state is PaneState.DONE and result.finished and result.finished.finish_reason == "length":
        return "done (hit max tokens)"
    if detailed and state is PaneState.FAILED and result.failed is not None:
        attempts = f", {result.failed.attempts} attempts" if result.failed.attempts > 1 else ""
        return f"failed ({result.failed.status or result.failed.kind}{attempts})"
    return str(state)
