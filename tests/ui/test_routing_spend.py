"""Routing per pane in the window: the dialog, what is sent, what answered, constraint failures."""

from __future__ import annotations

import time
from collections.abc import Callable

from playground.core.routing import Routing
from tests.ui.conftest import Harness, wait_until


def test_routing_dialog_sets_what_the_pane_sends(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini", "fault/502")
        pane, second = window.compare.panes
        pane.set_models(["sim/open-llama:free", "sim/quick-mini", "sim/quick-mini:free"])
        dialog = pane.edit_routing()
        variants = [dialog.variantBox.itemData(i) for i in range(dialog.variantBox.count())]
        assert variants == [None, "nitro", "floor", "free"]  # free only because the catalog lists it
        dialog.variantBox.setCurrentIndex(variants.index("floor"))
        dialog.onlyEdit.setText("Fast Lane, Simulated Labs")
        dialog.maxPromptEdit.setText("nope")
        dialog.accept()
        assert dialog.isVisible() and "dollars" in dialog.errorLabel.text()  # stays open, says why
        dialog.maxPromptEdit.setText("2.5")
        dialog.denyDataBox.setChecked(True)
        dialog.accept()
        assert pane.model == "sim/quick-mini:floor"
        assert pane.routing == Routing(
            only=("Fast Lane", "Simulated Labs"),
            deny_data_collection=True,
            max_price_prompt=pane.routing.max_price_prompt,
        )
        assert "Routing: only providers Fast Lane, Simulated Labs" in pane.noteLabel.text()
        second.set_routing(Routing(fallbacks=("sim/quick-mini",)))
        await h.send()
        await h.finish()
        body = h.sim.chat_requests("sim/quick-mini:floor")[0].json()
        assert body["provider"] == {
            "only": ["Fast Lane", "Simulated Labs"],
            "data_collection": "deny",
            "max_price": {"prompt": 2.5},
        }
        assert h.sim.chat_requests("fault/502")[0].json()["models"] == ["fault/502", "sim/quick-mini"]
        # who answered, and the fallback marked
        # floor = cheapest first, but Budget Cloud is excluded by "only" and the data policy
        assert "sim/quick-mini via Simulated Labs" in pane.statsLabel.text()
        assert "⚠" not in pane.statsLabel.text()
        assert "⚠ fallback taken: sim/quick-mini answered, not fault/502" in second.statsLabel.text()
        await h.close()
        again = make_harness()
        restored = await again.start()
        assert restored.compare.panes[1].routing == Routing(fallbacks=("sim/quick-mini",))
        await again.close()

    aio(go())


def test_unmeetable_routing_says_which_constraint_to_relax(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini")
        pane = window.compare.panes[0]
        pane.set_routing(Routing(only=("Nobody Inc",)))
        await h.send()
        await h.finish()
        await wait_until(lambda: pane.errorLabel.isVisible(), what="the error")
        assert "relax only providers Nobody Inc" in pane.errorLabel.text()
        assert len(h.sim.chat_requests()) == 1
        await h.close()

    aio(go())


def _seed_history(h: Harness, costs: dict[str, str], template: str | None = None) -> None:
    from decimal import Decimal

    from playground.core.compare import CompareRequest, PaneResult, PaneSpec, PaneState
    from playground.core.events import Finished, Usage

    history = h.ctx.history()
    models = list(costs)
    run_id = history.start_run(CompareRequest("seed", tuple(PaneSpec(m) for m in models)), template=template)
    for pane, model in enumerate(models):
        result = PaneResult(model, state=PaneState.DONE)
        result.usage, result.finished = Usage(1, 2, cost=Decimal(costs[model])), Finished(model, "stop")
        history.save_answer(run_id, pane, result)


def test_spend_alerts_show_before_they_bite(aio, make_harness: Callable[..., Harness], monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    h = make_harness()
    h.sim.key_data = {"limit": 10, "limit_remaining": 1.5, "usage_daily": 0.001}
    _seed_history(h, {"sim/quick-mini": "0.25", "sim/balanced-pro": "0.7"}, template="summarise")
    # today's spend is 0.95; the daily alert sits just above it, the credit alert just below 1.5
    h.ctx.settings.update(alert_daily_spend_usd=0.9505, alert_remaining_below_usd=1.49)
    h.session.spend.started_at = time.time()  # the seeded runs were before this session

    async def go() -> None:
        window = await h.start()
        await wait_until(lambda: h.session.keys.key_info is not None, what="the key figures")
        assert not window.alertBanner.isVisible()  # neither threshold reached yet
        h.set_models("sim/balanced-pro")
        await h.send("a long answer please")
        await h.finish()
        await wait_until(lambda: window.alertBanner.isVisible(), what="the daily alert")
        assert "today, at or above your daily alert of $0.95" in window.alertBanner.text()
        assert "Credit low" not in window.alertBanner.text()
        # the credit alert at its threshold
        h.session.spend.save_alerts(1.5, None, None)
        assert "Credit low: $1.50 left on this key" in window.alertBanner.text()
        # one comparison estimated above the alert: flagged by the estimate, asked before sending
        h.session.spend.save_alerts(None, None, 0.000001)
        window.promptEdit.setPlainText("estimate me")
        window.update_estimate()
        assert window.costLabel.text().startswith("⚠ Est. max $")
        asked: list[str] = []

        def decline(parent, title, text, *args):  # the modal question, answered "No"
            asked.append(text)
            return QMessageBox.StandardButton.No

        monkeypatch.setattr(QMessageBox, "question", decline)
        before = len(h.sim.chat_requests())
        window.send()
        assert asked and "could cost up to" in asked[0]
        assert len(h.sim.chat_requests()) == before  # nothing sent
        # the usage view: key figures, this session, per day / model / template from history
        dialog = window.show_usage()
        assert dialog.limitLabel.text().startswith("$1.50 left of $10.00")
        models = {dialog.modelTable.item(r, 0).text() for r in range(dialog.modelTable.rowCount())}
        assert models == {"sim/quick-mini", "sim/balanced-pro"}
        templates = [dialog.templateTable.item(r, 0).text() for r in range(dialog.templateTable.rowCount())]
        assert templates == ["summarise", "(no template)"]
        today, session = dialog.localLabel.text().split(" · ")
        assert today.startswith("today $0.95") and session.startswith("this session $0.00")  # one run only
        assert dialog.estimateBox.value() == 0.000001
        dialog.estimateBox.setValue(0)
        dialog.save()
        assert h.ctx.settings.load().spend_cap_usd is None
        await h.close()

    aio(go())


def test_show_log_folder_and_log_prompts_switch(aio, make_harness: Callable[..., Harness]) -> None:
    from PySide6.QtCore import QObject, QUrl, Slot
    from PySide6.QtGui import QDesktopServices

    class Opened(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.urls: list[str] = []

        @Slot(QUrl)
        def open(self, url: QUrl) -> None:
            self.urls.append(url.toLocalFile())

    opened = Opened()
    QDesktopServices.setUrlHandler("file", opened, "open")
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        try:
            window.show_log_folder()
            assert opened.urls == [str(h.ctx.paths.log_dir)]
            assert str(h.ctx.paths.log_dir) in window.statusBar().currentMessage()
        finally:
            QDesktopServices.unsetUrlHandler("file")
        assert not window.logPromptsAction.isChecked()
        window.logPromptsAction.trigger()
        await wait_until(lambda: h.ctx.settings.load().log_prompts, what="the switch to be saved")
        await wait_until(lambda: (spec := h.session.backend.spec("")) is not None and spec.config.log_texts)
        await h.close()

    aio(go())


def test_the_keys_figures_are_read_again_shortly_after_a_run(
    aio, make_harness: Callable[..., Harness], monkeypatch
) -> None:
    monkeypatch.setattr("playground.ui.services.keys.KEY_REFRESH_DELAY", 0.05)
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        await wait_until(lambda: h.session.keys.key_info is not None, what="the key figures")

        def key_reads() -> int:
            return sum(1 for r in h.sim.requests if r.path.endswith("/key"))

        before = key_reads()
        h.sim.key_data = {"limit": 20, "limit_remaining": 3.25}
        h.set_models("sim/quick-mini")
        await h.send()
        await h.finish()
        await wait_until(lambda: key_reads() == before + 1, what="one more key read")
        await wait_until(lambda: "3.25" in window.creditLabel.text(), what="the new credit")
        await h.close()

    aio(go())
