"""core/pane_words.py: one source of a pane's state words for the CLI's status line and the window."""

from __future__ import annotations

from playground.commands.compare_view import status_word
from playground.core.compare import PaneResult, PaneState
from playground.core.events import Failed, FailureKind, Finished, Retrying
from playground.core.pane_words import state_words


def _retrying(status: int | None, reason: str = "server busy") -> PaneResult:
    return PaneResult("m", PaneState.RETRYING, retrying=Retrying("m", 2, 4.2, reason, status))


def test_the_cli_and_the_window_say_the_same_for_the_same_state() -> None:
    cut = PaneResult("m", PaneState.DONE, finished=Finished("m", "length"))
    for result in (
        PaneResult("m"),
        PaneResult("m", PaneState.STREAMING),
        cut,
        _retrying(503),
        _retrying(None),
    ):
        assert status_word(result) == state_words(result, detailed=True) == state_words(result)
    assert status_word(cut) == "done (hit max tokens)"
    assert status_word(_retrying(503)) == "retrying in 4 s (503)"
    assert status_word(_retrying(None)) == "retrying in 4 s (network)"


def test_the_window_names_rate_limits_free_quotas_and_attempts() -> None:
    assert state_words(_retrying(429), detailed=True) == "rate limited - retrying in 4 s"
    assert status_word(_retrying(429)) == "retrying in 4 s (429)"  # the CLI's terse line
    free = _retrying(429, "free models: 20 requests per minute - wait a moment")
    assert state_words(free, detailed=True) == "20 requests per minute - retrying in 4 s"
    failed = PaneResult("m", PaneState.FAILED, failed=Failed("m", FailureKind.SERVER, "x", 500, attempts=3))
    assert state_words(failed, detailed=True) == "failed (500, 3 attempts)"
    assert status_word(failed) == "failed"
