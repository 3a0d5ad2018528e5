"""Requests beyond plain chat in the window: the options dialog, the schema badge, tool call cards
continued with typed results, citations, images, the routing dialog's new fields."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from playground.core.routing import Routing
from playground.simulator import Behaviour, Simulator
from playground.simulator.features import IMAGE_MODEL
from playground.simulator.models import DEFAULT_MODELS
from playground.ui.pane_extras import ToolCallCard
from tests.ui.conftest import Harness, wait_until

SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]


def test_schema_typed_in_the_window_is_sent_and_each_pane_says_if_it_is_valid(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini", "sim/balanced-pro")
        h.sim.script("sim/balanced-pro", Behaviour(text='{"town": "Lyon"}'))
        dialog = window.params.edit_options()
        dialog.formatBox.setCurrentIndex(2)
        dialog.schemaEdit.setPlainText("{not json")
        dialog.accept()
        assert dialog.isVisible() and "Schema: not valid JSON" in dialog.errorLabel.text()
        dialog.schemaEdit.setPlainText(json.dumps(SCHEMA))
        dialog.accept()
        assert window.params.optionsButton.text() == "Options: JSON schema"
        await h.send("Largest city?")
        await h.finish()
        sent = h.sim.chat_requests("sim/quick-mini")[0].json()["response_format"]
        assert sent["type"] == "json_schema" and sent["json_schema"]["schema"] == SCHEMA
        good, bad = window.compare.panes
        assert good.extras.schemaBadge.text() == "✓ valid JSON" and good.extras.schemaBadge.isVisible()
        assert bad.extras.schemaBadge.text() == "✗ $: 'city' is a required property"
        good.extras.jsonToggle.setChecked(True)
        assert json.loads(good.extras.jsonView.toPlainText()).keys() == {"city"}
        await h.close()

    aio(go())


def test_tool_calls_show_as_cards_and_typed_results_continue_the_pane(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini")
        dialog = window.params.edit_options()
        dialog.toolsEdit.setPlainText(json.dumps(TOOLS))
        dialog.toolChoiceBox.setCurrentText("get_weather")
        dialog.accept()
        await h.send("Weather in Paris?")
        await h.finish()
        pane = window.compare.panes[0]
        [card] = pane.extras.cards_shown()
        assert isinstance(card, ToolCallCard)
        assert json.loads(card.argumentsView.toPlainText()) == {"city": "Weather Paris"}
        assert "finish: tool_calls" in pane.statsLabel.text() and pane.result.state.name == "DONE"
        pane.extras.continueButton.click()  # no result typed: nothing is sent
        assert len(h.sim.chat_requests()) == 1
        card.resultEdit.setText("21 C, clear")
        pane.extras.continueButton.click()
        await wait_until(lambda: len(h.sim.chat_requests()) == 2, what="the tool result to be sent")
        await h.finish()
        messages = h.sim.chat_requests()[1].json()["messages"]
        assert [m["role"] for m in messages] == ["user", "assistant", "tool"]
        assert messages[1]["tool_calls"][0]["function"]["name"] == "get_weather"
        assert messages[2] == {"role": "tool", "tool_call_id": card.call.call_id, "content": "21 C, clear"}
        assert "21 C, clear" in pane.result.text
        assert not pane.extras.cards_shown() or not pane.extras.continueButton.isVisible()
        await h.close()

    aio(go())


def test_citations_are_numbered_links_under_the_answer(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini")
        dialog = window.params.edit_options()
        dialog.webSearchBox.setChecked(True)
        dialog.webResults.setValue(2)
        dialog.accept()
        await h.send("http caching")
        await h.finish()
        view = window.compare.panes[0].extras.citationsView
        assert view.isVisible()
        assert "[1] Source 1 on http caching https://example.org/http-caching/1" in " ".join(
            view.toPlainText().split()
        )
        assert 'href="https://example.org/http-caching/2"' in view.toHtml()
        await h.close()

    aio(go())


def test_an_image_model_is_asked_for_images_and_they_show(aio, home: Path) -> None:  # type: ignore[no-untyped-def]
    with Simulator(models=[*DEFAULT_MODELS, IMAGE_MODEL], time_scale=0) as sim:
        h = Harness(sim, home)

        async def go() -> None:
            window = await h.start()
            h.set_models(IMAGE_MODEL.id)
            await h.send("a red dot")
            await h.finish()
            assert sim.chat_requests()[0].json()["modalities"] == ["image", "text"]
            extras = window.compare.panes[0].extras
            assert extras.imageStrip.isVisible()
            [label] = [extras.images.itemAt(i).widget() for i in range(extras.images.count() - 1)]
            assert label is not None and not label.pixmap().isNull()
            await h.close()

        aio(go())


def test_routing_dialog_sets_the_new_provider_fields(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini")
        pane = window.compare.panes[0]
        dialog = pane.edit_routing()
        dialog.quantizationsEdit.setText("fp8, bf16")
        dialog.throughputEdit.setText("fast")
        dialog.accept()
        assert dialog.isVisible() and "whole number" in dialog.errorLabel.text()
        dialog.throughputEdit.setText("50")
        dialog.zdrBox.setChecked(True)
        dialog.requireParametersBox.setChecked(True)
        dialog.accept()
        assert pane.routing == Routing(
            quantizations=("fp8", "bf16"), zdr=True, require_parameters=True, preferred_min_throughput=50
        )
        await h.send()
        await h.finish()
        assert h.sim.chat_requests()[0].json()["provider"] == {
            "quantizations": ["fp8", "bf16"],
            "zdr": True,
            "require_parameters": True,
            "preferred_min_throughput": 50,
        }
        await h.close()

    aio(go())


def test_panes_flag_a_schema_the_model_may_ignore_and_name_a_preset(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/open-llama:free", "@preset/demo", "sim/quick-mini")
        dialog = window.params.edit_options()
        dialog.formatBox.setCurrentIndex(2)
        dialog.schemaEdit.setPlainText(json.dumps(SCHEMA))
        dialog.accept()
        window.update_estimate()
        free, preset, plain = window.compare.panes
        assert (
            "sim/open-llama:free does not list structured outputs: the schema may be ignored - tick "
            "'honour every parameter' in the pane's Routing" in free.noteLabel.text()
        )
        assert "@preset/demo is an OpenRouter preset" in preset.noteLabel.text()
        assert "unknown" not in preset.noteLabel.text()
        assert "structured" not in plain.noteLabel.text()
        free.set_routing(Routing(require_parameters=True))
        window.update_estimate()
        assert "tick" not in free.noteLabel.text()
        await h.send("Largest city?")  # a note, not a block: every pane is sent
        await h.finish()
        assert len(h.sim.chat_requests()) == 3
        assert preset.result.routing_note == "preset demo: sim/quick-mini answered"
        await h.close()

    aio(go())


def test_a_past_run_shows_its_tool_calls_and_restores_its_options(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini")
        dialog = window.params.edit_options()
        dialog.toolsEdit.setPlainText(json.dumps(TOOLS))
        dialog.accept()
        await h.send("Weather in Paris?")
        await h.finish()
        dialog = window.params.edit_options()
        dialog.toolsEdit.clear()
        dialog.accept()
        assert window.params.params().tools is None
        [record] = h.ctx.history().list_runs(limit=1)
        window.open_run(h.ctx.history().get_run(record.id))
        [card] = window.compare.panes[0].extras.cards_shown()
        assert card.call.name == "get_weather"
        assert window.params.params().tools == tuple(TOOLS)
        assert window.params.optionsButton.text() == "Options: 1 tool"
        await h.close()

    aio(go())


def test_request_options_survive_a_restart(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        dialog = window.params.edit_options()
        dialog.formatBox.setCurrentIndex(2)
        dialog.schemaEdit.setPlainText(json.dumps(SCHEMA))
        dialog.toolsEdit.setPlainText(json.dumps(TOOLS))
        dialog.webSearchBox.setChecked(True)
        dialog.cacheBox.setChecked(True)
        dialog.accept()
        wanted = window.params.params()
        await h.close()
        again = make_harness()
        restored = await again.start()
        assert restored.params.params() == wanted
        assert restored.params.optionsButton.text() == "Options: JSON schema, 1 tool, web search, cache"
        await again.close()

    aio(go())
