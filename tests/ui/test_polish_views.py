"""The window's views say the same money and dates the same way, and an empty view says what to do."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QLocale, Qt

from playground.core.compare import CompareRequest, PaneResult, PaneSpec, PaneState
from playground.core.context import AppContext
from playground.core.events import Finished, Usage
from playground.core.templates import PromptTemplate
from playground.ui.history_view import HistoryView
from playground.ui.session import Session
from playground.ui.template_panel import TemplatePanel
from playground.ui.usage_dialog import UsageDialog

NOON = QDate(2026, 3, 4).startOfDay().addSecs(12 * 3600).toSecsSinceEpoch()  # local noon, 4 March


@pytest.fixture
def german() -> Iterator[None]:
    """A locale whose dates differ from ISO's, so "the locale's format" is seen, not assumed."""
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    yield
    QLocale.setDefault(before)


def _session(home: Path, cost: str | None = None) -> Session:
    ctx = AppContext.from_env({"PLAYGROUND_HOME": str(home)})
    if cost is not None:
        history = ctx.history()
        run = history.start_run(CompareRequest("Explain caching", (PaneSpec("sim/quick-mini"),)), now=NOON)
        result = PaneResult("sim/quick-mini", state=PaneState.DONE)
        result.usage, result.finished = Usage(10, 20, cost=Decimal(cost)), Finished("sim/quick-mini", "stop")
        history.save_answer(run, 0, result, now=NOON)
    return Session(ctx)


def test_history_and_usage_show_one_money_and_date_format(qtbot, home: Path, german: None) -> None:  # type: ignore[no-untyped-def]
    session = _session(home, cost="0.00491234")
    view = HistoryView(session)
    qtbot.addWidget(view)
    view.show()
    view.refresh()
    assert view.model.index(0, 5).data() == "$0.0049"  # not "$0.004912" beside "$0.0049" elsewhere
    assert view.model.index(0, 5).data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert view.model.index(0, 0).data().startswith("04.03.2026 ")  # the locale's date, not 2026-03-04
    assert view.totalsLabel.text().splitlines()[0] == "Cost per day: 04.03.2026 $0.0049"
    assert view.sinceDate.displayFormat() == "dd.MM.yyyy"  # the filter reads like the table
    dialog = UsageDialog(session)
    qtbot.addWidget(dialog)
    assert dialog.modelTable.item(0, 1).text() == "$0.0049"
    assert dialog.dayTable.item(0, 0).text() == "04.03.2026"


def test_empty_history_says_how_runs_get_there(qtbot, home: Path) -> None:  # type: ignore[no-untyped-def]
    view = HistoryView(_session(home))
    qtbot.addWidget(view)
    view.show()
    view.refresh()
    assert view.emptyLabel.isVisible() and not view.table.isVisible()
    assert "No runs yet" in view.emptyLabel.text() and "Ctrl+Enter" in view.emptyLabel.text()
    assert "Cost per day" not in view.totalsLabel.text() and "-" not in view.totalsLabel.text()


def test_a_search_that_finds_nothing_says_so_and_the_runs_come_back(qtbot, home: Path) -> None:  # type: ignore[no-untyped-def]
    view = HistoryView(_session(home, cost="1.5"))
    qtbot.addWidget(view)
    view.show()
    view.refresh()
    assert view.table.isVisible() and not view.emptyLabel.isVisible()
    view.searchEdit.setText("otters")
    view.apply_filters()
    assert view.emptyLabel.isVisible() and "No runs match these filters" in view.emptyLabel.text()
    view.searchEdit.clear()
    view.apply_filters()
    assert view.table.isVisible() and view.model.index(0, 5).data() == "$1.50"


def test_empty_templates_panel_offers_new(qtbot, home: Path) -> None:  # type: ignore[no-untyped-def]
    session = _session(home)
    panel = TemplatePanel(session)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.emptyLabel.isVisible() and not panel.templateList.isVisible()
    assert "No templates yet" in panel.emptyLabel.text() and 'href="new"' in panel.emptyLabel.text()
    panel.searchEdit.setFocus()
    panel.emptyLabel.linkActivated.emit("new")  # the user follows the "New" link
    qtbot.waitUntil(lambda: panel.nameEdit.hasFocus())  # ready to type the new template's name
    session._ctx.templates.save(PromptTemplate(name="summarise", prompt="Summarise {{text}}"))
    panel.refresh()
    assert panel.templateList.isVisible() and not panel.emptyLabel.isVisible()
    panel.searchEdit.setText("otters")
    assert panel.emptyLabel.isVisible() and "No template matches" in panel.emptyLabel.text()
    assert panel.emptyLabel.textFormat() == Qt.TextFormat.RichText


def test_without_a_locale_dates_are_iso_not_spaced_numbers(qtbot, home: Path) -> None:  # type: ignore[no-untyped-def]
    before = QLocale()
    QLocale.setDefault(QLocale.c())  # LANG=C: Qt's own short format would read "04 03 2026"
    try:
        view = HistoryView(_session(home, cost="2"))
        qtbot.addWidget(view)
        view.refresh()
        assert view.model.index(0, 0).data().startswith("2026-03-04 ")
        assert view.sinceDate.displayFormat() == "yyyy-MM-dd"
    finally:
        QLocale.setDefault(before)


def test_usage_alerts_are_typed_and_shown_as_money(qtbot, home: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtTest import QTest

    dialog = UsageDialog(_session(home))
    qtbot.addWidget(dialog)
    dialog.show()
    box = dialog.remainingBox
    assert box.text() == "off"  # 0 = off
    box.setValue(15)
    assert box.text() == "$15.00"  # not "$15.000000"
    box.lineEdit().selectAll()
    QTest.keyClicks(box, "0.0049")  # a cheap comparison: well under a cent
    box.interpretText()
    assert box.value() == pytest.approx(0.0049) and box.text() == "$0.0049"
    box.lineEdit().selectAll()
    QTest.keyClicks(box, "ten")  # not an amount: refused as typed
    assert "ten" not in box.text()


def test_run_actions_wait_for_a_run_to_act_on(qtbot, home: Path) -> None:  # type: ignore[no-untyped-def]
    view = HistoryView(_session(home, cost="0.2"))
    qtbot.addWidget(view)
    view.show()
    view.refresh()
    buttons = view.actionButtons
    acting = [buttons[n] for n in ("openRunButton", "rerunButton", "deleteRunButton")]
    assert not any(b.isEnabled() for b in acting)  # a click would do nothing: say so by greying
    assert buttons["exportRunsButton"].isEnabled()  # exports all listed when none is picked
    view.table.selectRow(0)
    assert all(b.isEnabled() for b in acting)
    view.searchEdit.setText("otters")
    view.apply_filters()  # nothing listed: nothing to act on or export
    assert not any(b.isEnabled() for b in [*acting, buttons["exportRunsButton"]])
