"""The charts dialog on real history: its numbers, a click on a point, the table view, theme, export;
and File > Export as HTML on the comparison in the window."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest

from playground.core.report.svg import DARK, HEIGHT, LIGHT, WIDTH, point_positions
from playground.simulator import Behaviour
from playground.ui.charts import ChartsDialog
from tests.core.report_fixtures import DAY, HOSTILE_ANSWER, MODELS, store_comparison
from tests.core.test_report_html import Page, assert_self_contained
from tests.ui.conftest import Harness, wait_until

NOON = time.mktime(date.today().timetuple()) + 12 * 3600


def _menu_action(window, text: str) -> QAction:
    found = [a for a in window.findChildren(QAction) if a.text() == text]
    assert len(found) == 1, text
    return found[0]


def _seed(h: Harness) -> None:
    history = h.ctx.history()
    for day in range(3):
        template = "summarise" if day == 1 else None
        stored = store_comparison(h.sim, history, f"Question {day}", when=NOON - day * DAY, template=template)
        history.save_vote(stored.run_id, "rank", ["sim/deep-reasoner", "sim/quick-mini", "sim/balanced-pro"])
    h.ctx.settings.update(alert_daily_spend_usd=0.004)


def test_charts_dialog_shows_history_as_pictures_and_tables(
    aio, make_harness: Callable[..., Harness], tmp_path: Path
) -> None:
    h = make_harness()
    _seed(h)

    async def go() -> None:
        window = await h.start()
        _menu_action(window, "Charts...").trigger()
        dialog = window.charts_dialog
        assert isinstance(dialog, ChartsDialog) and dialog.isVisible()
        titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
        assert titles == [
            "Cost and quality per model",
            "Spend per day",
            "Time to first token per model",
            "Tokens per second per model",
        ]
        per_model = dict(h.ctx.history().totals_per_model())
        table = dialog.findChild(type(dialog.stacks[0].widget(1)), "chartTable_cost_quality")
        rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
        assert set(rows) == set(MODELS)
        for model, cost in rows.items():
            each = float(per_model[model]) / 3  # three answers each, shown to two significant digits
            assert abs(float(cost.lstrip("$")) - each) <= each * 0.05
        # a click on a point lists that model's answers
        view = dialog.views["cost_quality"]
        view.resize(WIDTH, HEIGHT)
        box = view.target()
        x, y = point_positions(view.figure.chart)["sim/balanced-pro"]  # type: ignore[arg-type]
        spot = QPoint(round(box.x() + x * box.width() / WIDTH), round(box.y() + y * box.height() / HEIGHT))
        QTest.mouseClick(view, Qt.MouseButton.LeftButton, pos=spot)
        assert dialog.answersList.count() == 3
        assert dialog.answersLabel.text().startswith("sim/balanced-pro: 3 answers")
        assert "Question 0" in dialog.answersList.item(0).text()
        # the table view, for every chart at once
        dialog.tableToggle.setChecked(True)
        assert all(stack.currentIndex() == 1 for stack in dialog.stacks)
        spend = dialog.findChild(type(table), "chartTable_spend")
        assert spend.rowCount() == 3 and spend.columnCount() == len(MODELS) + 2
        # exports of the chart on show
        dialog.tabs.setCurrentIndex(1)
        dialog.export("svg", str(tmp_path / "spend.svg"))
        dialog.export("png", str(tmp_path / "spend.png"))
        svg = ET.parse(tmp_path / "spend.svg").getroot()
        assert svg.get("aria-label") == "Spend per day"
        assert any(t.text == "daily alert $0.004" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
        png = (tmp_path / "spend.png").read_bytes()
        assert png.startswith(b"\x89PNG") and int.from_bytes(png[16:20], "big") == WIDTH * 2
        # one template's runs and votes only
        dialog.tableToggle.setChecked(False)
        dialog.templateFilter.setCurrentIndex(dialog.templateFilter.findText("summarise"))
        assert [r.template for r in dialog.runs] == ["summarise"]
        assert dialog.tabs.currentIndex() == 1 and dialog.stacks[1].currentIndex() == 0
        spend = dialog.stacks[1].widget(1)
        days = [spend.item(r, 0).text() for r in range(spend.rowCount())]
        assert days == [date.fromtimestamp(NOON - DAY).isoformat(), date.today().isoformat()]  # its day on
        assert spend.item(1, len(MODELS) + 1).text() == "$0.00"  # nothing today
        rated = dialog.stacks[0].widget(1)
        assert {rated.item(r, 4).text() for r in range(rated.rowCount())} == {"1"}  # one answer each
        dialog.templateFilter.setCurrentIndex(0)
        assert len(dialog.runs) == 3
        # the theme: dark window, dark chart
        assert LIGHT.background in dialog.views["spend"].svg()
        window.set_theme("dark")
        await wait_until(lambda: DARK.background in dialog.views["spend"].svg(), what="the dark chart")
        window.set_theme("light")
        dialog.close()
        await h.close()

    aio(go())


def test_empty_history_says_what_each_chart_needs(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        dialog = window.show_charts()
        assert dialog.views == {}
        assert not dialog.exportSvgButton.isEnabled() and not dialog.exportPngButton.isEnabled()
        labels = [dialog.stacks[i].widget(0).text() for i in range(4)]
        assert labels[0].startswith("No blind votes yet") and labels[1] == "Nothing spent in this period."
        dialog.close()
        await h.close()

    aio(go())


def test_export_as_html_writes_the_comparison_on_screen(
    aio, make_harness: Callable[..., Harness], tmp_path: Path
) -> None:
    h = make_harness()
    h.sim.script("sim/quick-mini", Behaviour(text=HOSTILE_ANSWER))

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini", "sim/balanced-pro")
        await h.send("Explain caching")
        await h.finish()
        assert _menu_action(window, "Export as HTML...") is not None
        window.save_export("html", str(tmp_path / "c.html"))
        text = (tmp_path / "c.html").read_text("utf-8")
        page = Page(text)
        assert_self_contained(page)
        assert [a["data-model"] for a in page.tags("article")] == ["sim/quick-mini", "sim/balanced-pro"]
        assert "Explain caching" in text and "&lt;script&gt;" in text and "Simulated Labs" in text
        await h.close()

    aio(go())


def test_the_window_starts_without_loading_reports_or_charts(tmp_path: Path) -> None:
    """Start-up pays nothing for charts and reports: they load when first used."""
    import subprocess
    import sys

    code = f"""
import sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from playground.core.context import AppContext
from playground.core.uistate import UiStateStore
from playground.ui.main_window import MainWindow
from playground.ui.session import Session
ctx = AppContext.from_env({{"PLAYGROUND_HOME": {str(tmp_path)!r}}}, cwd={str(tmp_path)!r})
window = MainWindow(Session(ctx), UiStateStore(ctx.paths.config_dir / "window.json"))
window.show()
app.processEvents()
lazy = ("markdown_it", "pygments", "playground.core.report", "playground.ui.charts")
print(sorted(m for m in lazy if m in sys.modules))
window.show_charts()
print(sorted(m for m in lazy if m in sys.modules))
"""
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    before, after = result.stdout.splitlines()
    assert before == "[]"
    assert "playground.ui.charts" in after and "playground.core.report" in after
