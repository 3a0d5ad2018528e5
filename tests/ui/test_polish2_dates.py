"""The "Showing run ..." message dates a run as the History table does (the locale's format)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QDate, QLocale

from playground.core.compare import CompareRequest, PaneSpec
from tests.ui.conftest import Harness

NOON = QDate(2026, 3, 4).startOfDay().addSecs(12 * 3600).toSecsSinceEpoch()  # local noon, 4 March


@pytest.fixture
def german() -> Iterator[None]:
    """A locale whose dates differ from ISO's, so the locale's format is seen, not assumed."""
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    yield
    QLocale.setDefault(before)


def test_showing_a_past_run_dates_it_like_the_history_table(
    aio, german: None, make_harness: Callable[[], Harness]
) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        history = h.ctx.history()
        run_id = history.start_run(CompareRequest("Explain caching", (PaneSpec("sim/quick-mini"),)), now=NOON)
        view = window.historyView
        view.refresh()
        table_date = view.model.data(view.model.index(0, 0))
        assert table_date.startswith("04.03.2026")  # the German short date, not 2026-03-04
        window.open_run(history.get_run(run_id))
        message = window.statusBar().currentMessage()
        assert f"Showing run {run_id} from {table_date} (read-only)" in message
        assert "2026-03-04" not in message
        await h.close()

    aio(go())
