"""HTML reports: one self-contained page, answers side by side, nothing hostile in an answer survives."""

from __future__ import annotations

import base64
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

from playground.core.attachments import make_attachment
from playground.core.history import RunHistory
from playground.core.redact import mask_key
from playground.core.report import (
    Against,
    MatrixCell,
    Options,
    comparison_report_html,
    history_report_html,
    render_test_run_html,
)
from playground.core.routing import Routing
from playground.simulator import Behaviour, Simulator
from tests.core.report_fixtures import HOSTILE_ANSWER, MODELS, store_comparison
from tests.core.test_conversation import png_bytes

KEY = "sk-or-v1-" + "7" * 64


class Page(HTMLParser):
    """Every element with its attributes, and the text, of a page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def tags(self, name: str) -> list[dict[str, str]]:
        return [attrs for tag, attrs in self.elements if tag == name]


def assert_self_contained(page: Page) -> None:
    assert not page.tags("script") and not page.tags("link") and not page.tags("iframe")
    assert not [a for _, a in page.elements if any(k.startswith("on") for k in a)]  # no event handlers
    for _, attrs in page.elements:
        if "src" in attrs:
            assert attrs["src"].startswith("data:image/"), attrs
    for a in page.tags("a"):
        assert a.get("href", "").startswith(("https://", "http://", "mailto:", "#")) or "href" not in a


def test_history_report_puts_answers_side_by_side_and_escapes_them(sim: Simulator, tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "h.sqlite3")
    sim.script("sim/quick-mini", Behaviour(text=HOSTILE_ANSWER))
    stored = store_comparison(sim, history, "Explain caching", system="Be brief")
    history.save_vote(stored.run_id, "best", ["sim/deep-reasoner", *MODELS[:2]])
    run = history.get_run(stored.run_id)
    text = history_report_html([run], votes={run.id: history.vote_for(run.id)})  # type: ignore[dict-item]
    page = Page(text)
    assert_self_contained(page)
    assert [a["data-model"] for a in page.tags("article")] == list(MODELS)
    assert 'style="--n: 3"' in text  # three columns
    assert "<strong>code</strong>" in text and '<span class="k">def</span>' in text  # Markdown, highlighted
    assert "&lt;script&gt;" in text and "tracker.example/chart.png" in text  # shown as text, not fetched
    assert [a["href"] for a in page.tags("a")] == ["https://example.org/doc"]
    assert page.tags("svg") and "Spend per day" in text  # the charts
    assert "voted best" in text and "Reasoning</summary>" in text  # deep-reasoner reasons
    assert "Simulated Labs" in text  # who served each answer
    assert text.count("<table") >= 2  # the answer's table and the charts' numbers


def test_routing_and_the_model_that_answered_are_shown(sim: Simulator, tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "h.sqlite3")
    sim.script("sim/quick-mini", Behaviour(served_model="sim/balanced-pro", provider="Backup Cloud"))
    routing = Routing(fallbacks=("sim/balanced-pro",), sort="price")
    stored = store_comparison(sim, history, "Hi", models=MODELS[:1], routing=routing)
    text = history_report_html([history.get_run(stored.run_id)])
    assert "fallback taken: sim/balanced-pro answered, not sim/quick-mini" in text
    assert "<dd>sim/balanced-pro via Backup Cloud</dd>" in text
    assert "<dd>fallbacks sim/balanced-pro; sort by price</dd>" in text


def test_no_key_reaches_the_page_from_any_text(sim: Simulator, tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "h.sqlite3")
    sim.script("sim/quick-mini", Behaviour(text=f"your key is {KEY}"))
    stored = store_comparison(sim, history, f"use {KEY} please", system=f"key {KEY}", models=MODELS[:1])
    text = history_report_html([history.get_run(stored.run_id)])
    assert KEY not in text and "7" * 20 not in text
    assert mask_key(KEY) in text


def test_redact_prompts_shares_figures_only(sim: Simulator, tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "h.sqlite3")
    sim.script("sim/vision-large", Behaviour(text="the secret answer"))
    picture = make_attachment("plan.png", png_bytes())
    stored = store_comparison(
        sim, history, "the secret plan", system="private", models=["sim/vision-large"], attachments=(picture,)
    )
    run = history.get_run(stored.run_id)
    shared = history_report_html([run], options=Options(redact_prompts=True))
    assert "secret" not in shared and "private" not in shared and "plan.png" not in shared
    assert "[15 characters]" in shared and "[17 characters]" in shared and "[7 characters]" in shared
    assert "data:image/png" not in shared
    assert "$0.0" in shared and "sim/vision-large" in shared  # the figures stay
    full = history_report_html([run])
    encoded = base64.b64encode(png_bytes()).decode()
    assert f'src="data:image/png;base64,{encoded}"' in full  # the attachment, inline


def test_the_comparison_on_screen_is_written_by_the_same_code(sim: Simulator, tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "h.sqlite3")
    sim.script("sim/quick-mini", Behaviour(text="# Title\n\nbody"))
    stored = store_comparison(sim, history, "Hello", models=MODELS[:2])
    from playground.core.compare import PaneResult, PaneState

    results = [PaneResult("sim/quick-mini", PaneState.DONE, ["# Title\n\nbody"]), PaneResult("fault/402")]
    results[1].state = PaneState.FAILED
    text = comparison_report_html(stored.request, results)
    page = Page(text)
    assert_self_contained(page)
    assert "<h1>Title</h1>" in text and [a["data-model"] for a in page.tags("article")] == [
        "sim/quick-mini",
        "fault/402",
    ]
    assert "failed" in text


def test_a_test_run_shows_the_matrix_failures_and_what_regressed() -> None:
    cells = [
        MatrixCell("short", "a/one", "fine <b>answer</b>", True, cost=Decimal("0.001"), latency=1.0),
        MatrixCell("short", "b/two", "bad", False, ("icontains 'cache': not found",), Decimal("0.004"), 2.0),
        MatrixCell("long", "a/one", "meh", False, ("latency: 9000 ms over 8000 ms",), Decimal("0.001"), 9.0),
        MatrixCell("long", "b/two", "good", True, cost=Decimal("0.004"), latency=2.0),
    ]
    against = Against("v1", {("short", "a/one"): True, ("long", "a/one"): True, ("long", "b/two"): False})
    text = render_test_run_html("summarise", cells, version="v2", against=against)
    page = Page(text)
    assert_self_contained(page)
    assert [h for h in page.tags("th") if h.get("scope") == "row"] and "Cases and models" in text
    cells_html = re.findall(r'<td class="(pass|fail)([^"]*)">', text)
    assert cells_html == [("pass", ""), ("fail", ""), ("fail", " regressed"), ("pass", " improved")]
    assert "icontains &#x27;cache&#x27;: not found" in text and "latency: 9000 ms over 8000 ms" in text
    assert "fine &lt;b&gt;answer&lt;/b&gt;" in text
    assert "Compared with version v1" in text and page.tags("svg")  # the cost / pass-rate chart
    assert '<td class="text">a/one</td><td class="text">1/2</td>' in text


def test_a_test_run_with_repeats_counts_each_and_redacts_answers() -> None:
    cells = [
        MatrixCell("c", "m/x", "first secret", True, repeat=0),
        MatrixCell("c", "m/x", "second secret", False, ("not-regex: matched",), repeat=1),
    ]
    text = render_test_run_html("t", cells, options=Options(redact_prompts=True))
    assert "FAIL (1/2 repeats)" in text and "secret" not in text and "[12 characters]" in text


def test_a_lexer_missing_from_the_install_gives_plain_text(monkeypatch) -> None:
    """A trimmed bundle may lack a lexer module: Pygments then raises ImportError, not ClassNotFound."""
    import pygments.lexers

    from playground.core.report.markdown import highlight

    def missing(*_args: object, **_kwargs: object) -> object:
        raise ModuleNotFoundError("No module named 'pygments.lexers.python'")

    monkeypatch.setattr(pygments.lexers, "get_lexer_by_name", missing)
    assert highlight("print('<hi>')", "python") == "print(&#x27;&lt;hi&gt;&#x27;)"
