"""The window against the simulator: compare, stop, retry, failures, export, code, diff, restore."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit, QPushButton, QWidget

from playground.core.compare import PaneState
from playground.simulator import FAULTS, Behaviour
from playground.ui.dialogs import CodeDialog, DiffDialog
from playground.ui.response_pane import ResponsePane
from tests.conftest import FAKE_KEY
from tests.tls import self_signed_server_context
from tests.ui.conftest import Harness, wait_until

SLOW = Behaviour(text="slow " * 600, tokens_per_second=60, ttft=0)


def test_object_names_and_accessible_names(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        for name in ("promptEdit", "systemPromptEdit", "sendButton", "stopAllButton", "addPaneButton"):
            widget = window.findChild(QWidget, name)
            assert widget is not None, name
            assert widget.accessibleName(), name
        panes = window.findChildren(ResponsePane, "responsePane")
        assert len(panes) == 3
        for pane in panes:
            for name in ("modelSelector", "outputView", "statsLabel", "stopButton", "retryButton"):
                child = pane.findChild(QWidget, name)
                assert child is not None and child.accessibleName(), name
        await h.close()

    aio(go())


def test_send_is_disabled_for_an_empty_prompt(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        window.promptEdit.setPlainText("   \n")
        assert not window.sendButton.isEnabled()
        window.promptEdit.setPlainText("Hello")
        assert window.sendButton.isEnabled()
        await h.close()

    aio(go())


def test_three_models_stream_with_text_and_figures(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()
    h.sim.script("sim/quick-mini", Behaviour(text="# Alpha\n\nFirst **answer** with `code`.\n"))
    h.sim.script("sim/balanced-pro", Behaviour(text="Beta answer, longer than the first one by far.\n"))

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini", "sim/balanced-pro", "sim/deep-reasoner")
        window.systemPromptEdit.setPlainText("Be brief.")
        await h.send("Compare these")
        await h.finish()
        a, b, c = window.compare.panes
        assert a.outputView.text == "# Alpha\n\nFirst **answer** with `code`.\n"
        assert "Alpha" in a.outputView.toPlainText() and "**" not in a.outputView.toPlainText()
        assert b.outputView.text.startswith("Beta answer")
        assert c.result.reasoning and not c.reasoningToggle.isHidden()
        for pane, provider in ((a, "Simulated Labs"), (b, "Simulated Labs"), (c, "Thinking Co")):
            stats = pane.statsLabel.text()
            assert stats.startswith("done") and provider in stats and "tok/s" in stats and "$" in stats
            assert "TTFT" in stats and "finish: stop" in stats
        assert any("fastest" in p.badgeLabel.text() for p in (a, b, c))
        sent = h.sim.chat_requests("sim/quick-mini")[0].json()
        assert sent["messages"][0] == {"role": "system", "content": "Be brief."}
        await h.close()

    aio(go())


def test_stop_one_pane_then_stop_all_then_retry(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()
    h.sim.set_default("sim/balanced-pro", SLOW)
    h.sim.set_default("sim/deep-reasoner", SLOW)

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini", "sim/balanced-pro", "sim/deep-reasoner")
        await h.send()
        a, b, c = window.compare.panes
        await wait_until(lambda: b.result.state is PaneState.STREAMING, what="pane 2 streaming")
        assert b.stopButton.isEnabled() and not b.retryButton.isEnabled()
        b.stopButton.click()
        await wait_until(lambda: b.result.state is PaneState.STOPPED, what="pane 2 stopped")
        assert c.result.state is PaneState.STREAMING and window.stopAllButton.isEnabled()
        window.stopAllButton.click()
        await h.finish()
        assert a.result.state is PaneState.DONE and c.result.state is PaneState.STOPPED
        assert "partial" in b.errorLabel.text() and b.outputView.text.startswith("slow")
        h.sim.set_default("sim/balanced-pro", Behaviour(text="second try"))
        b.retryButton.click()
        await h.finish()
        assert b.result.state is PaneState.DONE
        assert b.outputView.text == "second try" and b.errorLabel.isHidden()
        assert c.result.state is PaneState.STOPPED
        await h.close()

    aio(go())


def test_escape_stops_everything(aio, make_harness: Callable[..., Harness], qtbot) -> None:
    from PySide6.QtCore import Qt

    h = make_harness()
    h.sim.set_default("sim/quick-mini", SLOW)

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini")
        await h.send()
        await wait_until(lambda: window.compare.panes[0].result.state is PaneState.STREAMING)
        qtbot.keyClick(window, Qt.Key.Key_Escape)
        await h.finish()
        assert window.compare.panes[0].result.state is PaneState.STOPPED
        await h.close()

    aio(go())


FAILURES = [
    ("fault/400", "not a valid model ID"),
    ("fault/401", "OpenRouter rejected this key - open Key settings"),
    ("fault/403", "blocked by moderation (403): harassment, violence"),
    ("fault/408", "timed out (408)"),
    ("fault/413", "too large"),
    ("fault/500", "server error (500)"),
    ("fault/502", "Example AI returned an error (502)"),
    ("fault/524", "took too long"),
    ("fault/529", "overloaded (529)"),
    ("fault/stall", "no data from the server for 1 s"),
    ("fault/402", "Not enough credits (402)"),
    ("fault/404", "Model not available (404) - pick another model"),
    ("fault/503", "no provider is available"),
    ("fault/disconnect", "connection was lost mid-answer"),
    ("fault/malformed", "malformed chunk"),
    ("fault/stream-error", "returned an error (502)"),
    ("fault/html", "text/html instead of an event stream"),
]


def test_each_failure_shows_in_its_pane_while_the_others_finish(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness(env={"PLAYGROUND_IDLE_TIMEOUT": "1"})
    h.sim.set_default("fault/stall", Behaviour(end="stall", end_after=3, stall_seconds=30))
    for status in ("408", "500", "502", "503", "524", "529"):  # retried: keep the waits short
        h.sim.set_default(
            f"fault/{status}",
            Behaviour(
                status=int(status),
                headers=(("Retry-After", "0"),),
                error_message=FAULTS[status].error_message,
                error_metadata=FAULTS[status].error_metadata,
            ),
        )

    async def go() -> None:
        window = await h.start()
        for model, words in FAILURES:
            h.set_models("sim/quick-mini", model, "sim/open-llama:free")
            await h.send()
            await h.finish()
            good1, bad, good2 = window.compare.panes
            assert good1.result.state is PaneState.DONE and good2.result.state is PaneState.DONE, model
            assert bad.result.state is PaneState.FAILED, model
            assert words.lower() in bad.errorLabel.text().lower(), (model, bad.errorLabel.text())
            assert "Traceback" not in bad.errorLabel.text() and "{" not in bad.errorLabel.text()
            assert bad.statsLabel.text().startswith("failed")
            if bad.result.failed and bad.result.failed.detail:
                assert not bad.detailsButton.isHidden()
                bad.detailsButton.click()
                assert bad.detailsLabel.isVisible() and bad.detailsLabel.text()
        await h.close()

    aio(go())


def test_unreachable_server_and_tls_failure_in_a_pane(
    aio, make_harness: Callable[..., Harness], tmp_path: Path
) -> None:
    import socket

    from playground.simulator import Simulator

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/api/v1"
    context = self_signed_server_context(tmp_path)
    with Simulator(time_scale=0, ssl_context=context, host="localhost") as tls:
        for base_url, words in ((dead, "could not reach the server"), (tls.base_url, "TLS certificate")):
            h = make_harness(env={"OPENROUTER_BASE_URL": base_url})

            async def go(h: Harness = h, words: str = words) -> None:
                window = h.window
                window.show()
                await h.session.start()
                h.set_models("sim/quick-mini")
                await h.send()
                await h.finish(timeout=20)
                pane = window.compare.panes[0]
                assert (
                    pane.result.state is PaneState.FAILED and words.lower() in pane.errorLabel.text().lower()
                )
                assert "offline" in window.catalogLabel.text() or "Models" in window.catalogLabel.text()
                await h.close()

            aio(go())
        assert tls.requests == []


def test_rate_limit_shows_the_wait_then_recovers(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()
    h.sim.script("sim/quick-mini", FAULTS["429"], Behaviour(text="after the wait"))

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini")
        await h.send()
        pane = window.compare.panes[0]
        await wait_until(lambda: "rate limited - retrying in" in pane.statsLabel.text(), what="retry state")
        await h.finish()
        assert pane.outputView.text == "after the wait"
        await h.close()

    aio(go())


def test_truncated_answer_is_marked_incomplete(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("fault/truncate", "sim/quick-mini")
        await h.send()
        await h.finish()
        pane = window.compare.panes[0]
        assert pane.result.state is PaneState.TRUNCATED
        assert "Incomplete" in pane.errorLabel.text() and pane.statsLabel.text().startswith("cut off")
        assert pane.property("state") == "truncated"
        await h.close()

    aio(go())


def test_export_and_get_code_never_contain_the_key(
    aio, make_harness: Callable[..., Harness], tmp_path: Path
) -> None:
    h = make_harness()
    h.sim.script("sim/quick-mini", Behaviour(text="Exported answer"))

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini", "fault/402")
        window.params.temperature.setValue(0.7)
        await h.send("Export me")
        await h.finish()
        window.save_export("md", str(tmp_path / "c.md"))
        window.save_export("json", str(tmp_path / "c.json"))
        window.copy_markdown()
        md = (tmp_path / "c.md").read_text()
        data = json.loads((tmp_path / "c.json").read_text())
        assert "Export me" in md and "Exported answer" in md and "not enough credits" in md.lower()
        assert data["parameters"] == {"temperature": 0.7}
        assert data["answers"][0]["answer"] == "Exported answer"
        assert data["answers"][0]["provider"] == "Simulated Labs"  # history export's field names
        clip = QApplication.clipboard().text()
        assert clip == md
        window.show_code(0)
        dialog = window.findChild(CodeDialog)
        assert dialog is not None
        for text in dialog.texts.values():
            assert "OPENROUTER_API_KEY" in text and "sim/quick-mini" in text and "Export me" in text
        for blob in (md, json.dumps(data), clip, *dialog.texts.values()):
            assert FAKE_KEY not in blob and FAKE_KEY[-12:] not in blob
        dialog.close()
        await h.close()

    aio(go())


def test_diff_of_two_answers(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()
    h.sim.script("sim/quick-mini", Behaviour(text="the quick brown fox"))
    h.sim.script("sim/balanced-pro", Behaviour(text="the slow brown dog"))

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini", "sim/balanced-pro")
        await h.send()
        await h.finish()
        window.show_diff()
        dialog = window.findChild(DiffDialog)
        assert dialog is not None
        assert 'line-through">quick</span>' in dialog.html and ">slow</span>" in dialog.html
        assert "the " in dialog.html and "50%" in dialog.summary.text()
        dialog.close()
        await h.close()

    aio(go())


def test_state_is_restored_after_restart(aio, make_harness: Callable[..., Harness]) -> None:
    first = make_harness()

    async def go() -> None:
        window = await first.start()
        first.set_models("sim/quick-mini", "sim/vision-large", "sim/long-context", "sim/balanced-pro")
        window.params.max_tokens.setValue(256)
        window.params.effort.setCurrentText("high")
        window.systemPromptEdit.setPlainText("Sys")
        window.promptEdit.setPlainText("Unsent draft")
        window.resize(800, 530)  # within the 800 px offscreen screen (the minimum width may win)
        expected = (window.width(), window.height())
        at_minimum = window.width() == window.minimumSizeHint().width()
        await first.close()
        second = make_harness()
        again = await second.start()
        assert again.compare.models() == [
            "sim/quick-mini",
            "sim/vision-large",
            "sim/long-context",
            "sim/balanced-pro",
        ]
        params = again.params.params()
        assert params.max_tokens == 256 and params.reasoning_effort == "high" and params.temperature is None
        assert again.promptEdit.toPlainText() == "Unsent draft"
        assert again.systemPromptEdit.toPlainText() == "Sys" and not again.systemPromptEdit.isHidden()
        assert again.height() == expected[1]
        # The minimum width follows the status bar's texts of the moment (credit, estimate): when it
        # won in the first window, it wins in the second too, at whatever it is there.
        assert again.width() == (again.minimumSizeHint().width() if at_minimum else expected[0])
        await second.close()

    aio(go())


def test_eight_panes_scroll_horizontally(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        window.resize(1200, 800)
        for _ in range(5):
            window.addPaneButton.click()
        assert len(window.compare.panes) == 8
        h.set_models(*["sim/quick-mini"] * 8)
        await h.send()
        await h.finish()
        assert all(p.result.state is PaneState.DONE for p in window.compare.panes)
        assert window.compare.horizontalScrollBar().maximum() > 0
        await h.close()

    aio(go())


def test_unsupported_parameters_are_flagged_per_pane(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini", "sim/deep-reasoner")
        window.params.effort.setCurrentText("low")
        window.promptEdit.setPlainText("x" * 400)
        window.update_estimate()
        quick, deep = window.compare.panes
        assert "ignores: reasoning_effort" in quick.noteLabel.text() and deep.noteLabel.isHidden()
        assert window.costLabel.text().startswith("Est. max $")
        await h.close()

    aio(go())


def test_closing_mid_stream_stops_everything_quickly(aio, make_harness: Callable[..., Harness]) -> None:
    import time

    h = make_harness()
    h.sim.set_default("sim/quick-mini", SLOW)

    async def go() -> float:
        await h.start()
        h.set_models("sim/quick-mini", "sim/quick-mini")
        await h.send()
        await wait_until(lambda: h.window.compare.panes[0].result.state is PaneState.STREAMING)
        start = time.monotonic()
        await h.close()
        await wait_until(lambda: h.sim.open_connections == 0, timeout=2, what="connections closed")
        return time.monotonic() - start

    assert aio(go()) < 1.0


def _labels(widget: QWidget) -> str:
    return " ".join(label.text() for label in widget.findChildren(QLabel))


def test_pane_controls_work_from_the_keyboard(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        for widget in (window.promptEdit, window.sendButton, window.compare.panes[0].modelSelector):
            assert widget.focusPolicy() != widget.focusPolicy().NoFocus
        assert isinstance(window.promptEdit, QPlainTextEdit) and isinstance(window.sendButton, QPushButton)
        await h.close()

    aio(go())


def test_per_pane_overrides_are_sent_and_remembered(aio, make_harness: Callable[..., Harness]) -> None:
    from playground.core.request import ChatParams

    h = make_harness()

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini", "sim/balanced-pro")
        window.params.temperature.setValue(0.7)
        window.params.max_tokens.setValue(50)
        window.compare.panes[1].set_overrides(ChatParams(temperature=0.1))
        assert "This pane overrides: temperature=0.1" in window.compare.panes[1].noteLabel.text()
        await h.send()
        await h.finish()
        first = h.sim.chat_requests("sim/quick-mini")[0].json()
        second = h.sim.chat_requests("sim/balanced-pro")[0].json()
        assert (first["temperature"], first["max_tokens"]) == (0.7, 50)
        assert (second["temperature"], second["max_tokens"]) == (0.1, 50)
        await h.close()
        again = make_harness()
        restored = await again.start()
        assert restored.compare.panes[1].overrides == ChatParams(temperature=0.1)
        assert restored.compare.panes[0].overrides is None
        await again.close()

    aio(go())


def test_dropping_a_dragged_pane_reorders(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        window.resize(1400, 800)
        h.set_models("sim/quick-mini", "sim/balanced-pro", "sim/deep-reasoner")
        await asyncio.sleep(0.05)
        first = window.compare.panes[0]
        last_right = window.compare.panes[2].geometry().right()
        window.compare.drop_pane(id(first), last_right - 5)
        assert window.compare.models() == ["sim/balanced-pro", "sim/deep-reasoner", "sim/quick-mini"]
        window.compare.drop_pane(id(first), 1)
        assert window.compare.models()[0] == "sim/quick-mini"
        await h.close()

    aio(go())


def test_figures_update_live_while_streaming(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness()
    h.sim.set_default("sim/quick-mini", SLOW)

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini")
        await h.send()
        pane = window.compare.panes[0]
        await wait_until(lambda: "tok/s" in pane.statsLabel.text(), what="live speed")
        assert pane.statsLabel.text().startswith("streaming · TTFT")
        window.compare.stop_all()
        await h.finish()
        await h.close()

    aio(go())


def test_docks_are_built_when_first_shown_and_the_menu_follows_them(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()

    async def go() -> None:
        window = await h.start()
        assert window._template_panel is None and window._history_view is None  # not built at start
        window.historyAction.trigger()  # View > History (Ctrl+H)
        assert window.historyView.isVisible() and window.historyAction.isChecked()
        window.historyView.close()  # the dock's own close button
        assert not window.historyAction.isChecked()
        window.templatesAction.trigger()
        assert window.templatePanel.isVisible() and window.templatePanel.objectName() == "templatePanel"
        await h.close()

    aio(go())
