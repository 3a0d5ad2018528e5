"""Routing per pane in the window: the dialog, what is sent, what answered, constraint failures."""

from __future__ import annotations

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
