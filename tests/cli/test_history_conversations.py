"""``playground history list | show`` say which run a follow-up continues."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from playground.core.compare import CompareRequest, PaneResult, PaneSpec, PaneState
from playground.core.conversation import Message
from playground.core.events import Finished, Usage
from playground.core.history import RunHistory
from tests.cli.helpers import playground


def _done(text: str) -> PaneResult:
    result = PaneResult("a/b", PaneState.DONE, [text])
    result.usage, result.finished = Usage(cost=Decimal("0.001")), Finished("a/b", "stop")
    return result


def test_list_and_show_mark_a_follow_up(tmp_path: Path) -> None:
    home = tmp_path / "home"
    history = RunHistory(home / "data" / "history.sqlite3")
    first = history.start_run(CompareRequest("What is caching?", (PaneSpec("a/b"),)))
    history.save_answer(first, 0, _done("Copies kept."))
    thread = (Message("user", "What is caching?"), Message("assistant", "Copies kept."))
    second = history.start_run(CompareRequest("And ETags?", (PaneSpec("a/b", history=thread),)))
    history.close()
    listed = playground("history", "list", home=home)
    assert listed.returncode == 0, listed.stderr
    assert "↳ And ETags?" in listed.stdout and "↳ What is caching?" not in listed.stdout
    shown = playground("history", "show", str(second), home=home)
    assert f"turn 2 of a conversation: follows run {first}" in shown.stdout
