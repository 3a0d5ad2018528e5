"""The model browser: the item model passes Qt's model tester; search, filters, sort, add to panes."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, Qt

from playground.core.catalog import ModelCatalog
from playground.ui.model_browser import ModelBrowser, ModelListModel
from tests.core.test_catalog import AUTO, FREE, GPT, MINIMAL
from tests.ui.conftest import Harness


def test_item_model_is_well_behaved(qtmodeltester) -> None:
    model = ModelListModel()
    model.set_catalog(ModelCatalog.from_raw([GPT, FREE, AUTO, MINIMAL]), {"openai/gpt-4o-mini"})
    qtmodeltester.check(model)
    assert model.rowCount() == 4 and model.columnCount() == 8


def _visible_ids(browser: ModelBrowser) -> list[str]:
    proxy = browser.proxy
    return [proxy.index(r, 2).data() for r in range(proxy.rowCount())]


def test_search_filters_and_sorting(qtbot) -> None:
    browser = ModelBrowser()
    qtbot.addWidget(browser)
    browser.set_catalog(ModelCatalog.from_raw([GPT, FREE, AUTO, MINIMAL]), set())
    browser.searchEdit.setText("mini openai")
    assert _visible_ids(browser) == ["openai/gpt-4o-mini"]
    browser.searchEdit.clear()
    browser.freeBox.setChecked(True)
    assert _visible_ids(browser) == ["meta-llama/llama-3.3-70b-instruct:free"]
    browser.freeBox.setChecked(False)
    browser.modality.setCurrentText("image")
    assert _visible_ids(browser) == ["openai/gpt-4o-mini"]
    browser.modality.setCurrentIndex(0)
    browser.table.sortByColumn(4, Qt.SortOrder.AscendingOrder)
    assert _visible_ids(browser)[:2] == ["meta-llama/llama-3.3-70b-instruct:free", "openai/gpt-4o-mini"]
    assert "4 of 4 models" in browser.statusLabel.text()
    row = browser.proxy.index(0, 7).data()
    assert "free" in row


def test_models_chosen_in_the_browser_fill_the_panes(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("", "")
        browser = window.show_model_browser()
        browser.searchEdit.setText("sim/")
        ids = _visible_ids(browser)
        selection = browser.table.selectionModel()
        for wanted in ("sim/long-context", "sim/vision-large", "sim/quick-mini"):
            row = ids.index(wanted)
            flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
            selection.select(browser.proxy.index(row, 0), flags)
        browser.addButton.click()
        assert sorted(window.compare.models()) == ["sim/long-context", "sim/quick-mini", "sim/vision-large"]
        browser.close()
        await h.close()

    aio(go())


def test_selector_offers_favourites_first_and_accepts_typing(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()
    h.ctx.settings.update(favourite_models=("sim/vision-large",))

    async def go() -> None:
        window = await h.start()
        selector = window.compare.panes[0].modelSelector
        assert selector.itemText(0) == "sim/vision-large"
        assert selector.findText("sim/deep-reasoner") >= 0
        selector.setEditText("sim/open-llama:free")
        assert window.compare.panes[0].model == "sim/open-llama:free"
        await h.close()

    aio(go())
