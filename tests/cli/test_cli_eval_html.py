"""``templates test --html``: the page is the report package's test-run page (the same one the
history reports use), with each failing assertion and, with ``--against``, the cells that regressed."""

from __future__ import annotations

from pathlib import Path

from playground.simulator import Simulator
from playground.simulator.behaviour import Behaviour
from tests.cli.helpers import playground, sim_env
from tests.cli.test_cli_eval import TEMPLATE, A, B, _setup


def test_html_shows_the_matrix_with_failing_assertions(sim: Simulator, home: Path, tmp_path: Path) -> None:
    _setup(home, tmp_path)
    sim.set_default(A, Behaviour(text="As an AI, I cannot say. ETag."))
    sim.set_default(B, Behaviour(text="Use <b>ETags</b>."))
    page = tmp_path / "run.html"
    result = playground("templates", "test", "explain", "--html", str(page), home=home, **sim_env(sim))
    assert result.returncode == 1, result.stderr
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>") and "Content-Security-Policy" in html
    assert "Test run: explain" in html
    assert "not-regex" in html and "which not-regex forbids" in html
    assert "<b>ETags</b>" not in html  # an answer's markup is text, never live HTML
    assert 'src="http' not in html and 'href="http' not in html.replace('href="https://openrouter', "")


def test_html_with_against_marks_what_regressed(sim: Simulator, home: Path, tmp_path: Path) -> None:
    _setup(home, tmp_path)
    _setup(home, tmp_path, TEMPLATE.replace("Explain {{text}}", "Describe {{text}}"), "--replace")
    sim.script(A, Behaviour(text="no"), Behaviour(text="no"), Behaviour(text="ETag"), Behaviour(text="ETag"))
    page = tmp_path / "against.html"
    result = playground(
        "templates",
        "test",
        "explain",
        "-m",
        A,
        "--against",
        "1",
        "--concurrency",
        "1",
        "--html",
        str(page),
        home=home,
        **sim_env(sim),
    )
    assert result.returncode == 1, result.stderr
    html = page.read_text()
    assert "Compared with version" in html and "regressed" in html
