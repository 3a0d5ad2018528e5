"""``playground history export --format html``: the real command, one page on stdout."""

from __future__ import annotations

from pathlib import Path

from playground.core.history import RunHistory
from playground.simulator import Behaviour, Simulator
from tests.cli.helpers import playground
from tests.core.report_fixtures import MODELS, store_comparison
from tests.core.test_report_html import Page, assert_self_contained


def test_export_html_of_chosen_runs_and_redacted(sim: Simulator, home: Path) -> None:
    history = RunHistory(home / "data" / "history.sqlite3")
    sim.script("sim/quick-mini", Behaviour(text="the confidential answer"))
    first = store_comparison(sim, history, "first confidential prompt", models=MODELS[:1])
    store_comparison(sim, history, "second prompt", models=MODELS[:2])
    history.close()
    chosen = playground("history", "export", "--format", "html", str(first.run_id), home=home)
    assert chosen.returncode == 0 and chosen.stderr == ""
    page = Page(chosen.stdout)
    assert_self_contained(page)
    assert "first confidential prompt" in chosen.stdout and "second prompt" not in chosen.stdout
    assert [a["data-model"] for a in page.tags("article")] == ["sim/quick-mini"]
    shared = playground("history", "export", "--format", "html", "--redact-prompts", home=home)
    assert shared.returncode == 0 and "confidential" not in shared.stdout
    assert "[25 characters]" in shared.stdout and "[13 characters]" in shared.stdout
    assert len(Page(shared.stdout).tags("article")) == 3


def test_export_html_with_no_runs_is_still_a_page(home: Path) -> None:
    result = playground("history", "export", "--format", "html", home=home)
    assert result.returncode == 0 and result.stdout.startswith("<!DOCTYPE html>")
    assert "0 runs" in result.stdout
