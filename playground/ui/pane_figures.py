"""A ResponsePane's figures and state: the stats line, chips and headline, the failure words with
their advice, and a stored answer shown read-only.

A part of the ResponsePane (see pane_base): its methods run on the pane."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from playground.core.answer_extras import result_from_extras
from playground.core.compare import PaneResult, PaneState
from playground.core.format import usd
from playground.core.modelref import split_ref
from playground.ui.figures import Chip, headline, result_chips, seconds_figure, tokens_figure
from playground.ui.pane_base import PaneBase
from playground.ui.pane_lazy import ExtrasPart, has_extras

if TYPE_CHECKING:
    from playground.core.history import AnswerRecord


# The states the style sheet draws differently (theme.py: QFrame#responsePane[state="..."]).
_STYLED = {"failed": "failed", "truncated": "truncated", "stopped": "stopped"}


class PaneFiguresMixin(PaneBase):
    """A ResponsePane's figures, state and failure words; a stored answer shown read-only."""

    def _toggle_details(self, shown: bool) -> None:
        self.detailsLabel.setVisible(shown)
        self.detailsButton.setText("Details ▾" if shown else "Details ▸")

    def _toggle_reasoning(self, shown: bool) -> None:
        self.reasoningView.setVisible(shown)
        words = len(self.result.reasoning.split())
        self.reasoningToggle.setText(("▾" if shown else "▸") + f" Reasoning ({words} words)")

    def _render_state(self) -> None:
        result = self.result
        if result.state.final:
            self.active = False
        running = self.active and not result.state.final
        self._show_extras(result)
        self.stopButton.setEnabled(running)
        self.retryButton.setEnabled(not running)
        self._update_actions()
        self._render_figures()
        if not running:  # the answer has ended (or the pane was cleared): the lines fit their words
            self.statsLabel.release_height()
            if self.headlineLabel.minimumHeight():
                self.headlineLabel.setMinimumHeight(0)
            as_needed = Qt.ScrollBarPolicy.ScrollBarAsNeeded
            if self.outputView.verticalScrollBarPolicy() != as_needed:
                self.outputView.setVerticalScrollBarPolicy(as_needed)
        state = result.state.name.lower()
        before = self.property("state")
        if before != state:
            self._update_placeholder()
            self.setProperty("state", state)
            # re-polishing restyles and repaints the whole pane: only when its look changes (queued,
            # streaming and done look alike - every pane changed state three times a run)
            if _STYLED.get(before) != _STYLED.get(state):
                self.style().unpolish(self)
                self.style().polish(self)
        if result.reasoning and not self.reasoningToggle.isChecked():
            self.reasoningToggle.setText(f"▸ Reasoning ({len(result.reasoning.split())} words)")
        if result.failed is not None or result.state in (PaneState.TRUNCATED, PaneState.STOPPED):
            self._show_problem()

    def _show_extras(self, result: PaneResult) -> None:
        """Tool calls, citations, images, the schema check, cache figures: built with the first
        answer that has any (a fresh pane has none to show)."""
        if self.built(ExtrasPart) is not None or has_extras(result):
            self.extras.show_result(result)

    def _show_problem(self) -> None:
        result = self.result
        if result.failed is not None:
            self.errorLabel.setText(failure_words(result))
            self.detailsLabel.setText(result.failed.detail)
            self.detailsButton.setVisible(bool(result.failed.detail) and self.blind is None)
        elif result.state is PaneState.TRUNCATED:
            self.errorLabel.setText(
                "Incomplete: the stream ended without a finish reason - this answer was cut off."
            )
        else:
            self.errorLabel.setText("Stopped - the answer above is partial.")
        self.errorLabel.setTextFormat(Qt.TextFormat.PlainText)
        self.errorLabel.show()

    def _render_figures(self) -> None:
        result, blind = self.result, self.blind is not None
        live = self._live_numbers()
        if result.state is PaneState.QUEUED and not self.active:
            text, words, chips = "", "", []  # nothing sent yet: the answer area says what to do
        else:
            shown = live if not blind or self.blind_show_speed else (None, None)
            text = (
                stats_text(result, _live_words(shown))
                if not blind
                else blind_stats_text(result, _live_words(shown), self.blind_show_speed)
            )
            words = headline(result, _state_words(result), blind=blind)
            chips = result_chips(result, live, money=not blind, speed=not blind or self.blind_show_speed)
        self.statsLabel.setText(text)
        self.statsLabel.set_chips(chips)
        if self.headlineLabel.text() != words:  # an unchanged line is not laid out again
            self.headlineLabel.setText(words)
        if self.headlineLabel.isHidden() == bool(words):
            self.headlineLabel.setVisible(bool(words))

    def _live_numbers(self) -> tuple[float | None, float | None]:
        """TTFT and an approximate speed while streaming (chunks per second, until usage arrives)."""
        if self.result.state is not PaneState.STREAMING or self._started_at is None:
            return None, None
        if self._first_token_at is None:
            return None, None
        ttft = self._first_token_at - self._started_at
        elapsed = time.monotonic() - self._first_token_at
        return ttft, (self.result.chunks / elapsed if elapsed > 0.2 else None)

    def show_record(self, answer: AnswerRecord) -> None:
        """A stored answer from history, shown read-only with its figures."""
        self.reset()
        self.outputView.append_text(answer.answer)
        if answer.reasoning:
            self.reasoningView.setPlainText(answer.reasoning)
            self.reasoningToggle.show()
        cost = usd(answer.cost) if answer.cost is not None else "-"
        who = f"{answer.served_model or answer.requested_model} via {answer.provider or '-'}"
        parts = [f"from history: {answer.state}", who]
        chips = []
        if answer.ttft is not None:
            parts.append(f"TTFT {answer.ttft:.2f} s")
            chips.append(Chip("ttft", "TTFT", seconds_figure(answer.ttft)))
        parts += [f"{answer.tokens_in or 0} in / {answer.tokens_out or 0} out", cost]
        tokens = tokens_figure(answer.tokens_in or 0, answer.tokens_out or 0, estimated=False)
        chips.append(Chip("tokens", "", tokens))
        chips.append(Chip("cost", "", cost))
        self.statsLabel.setText(" · ".join(parts))
        self.statsLabel.set_chips(chips)
        self.headlineLabel.setText(f"from history: {answer.state} · {who}")
        self.headlineLabel.show()
        self._show_extras(result_from_extras(answer.requested_model, answer.extras))
        self._update_actions()
        if answer.error:
            self.errorLabel.setText(answer.error)
            self.errorLabel.show()


# The next step after each kind of failure. The failure's own message already says what happened,
# so the advice must not say it again ("the connection was lost. The connection dropped - ...").
ADVICE = {
    "auth": "OpenRouter rejected this key - open Key settings to check or replace it.",
    "credits": "Add credits on openrouter.ai or lower Max tokens.",
    "not_found": "Pick another model.",
    "rate_limited": "Wait a moment, then Retry.",
    "network": "Check your connection, then Retry.",
    "disconnected": "Retry to run it again.",
    "timeout": "Retry, or pick a faster model.",
    "server": "Retry, or pick another model.",
}


ENDPOINT_AUTH = (
    "The endpoint {name} refused its key - open Keys > Endpoints to check or replace the key it uses."
)


def failure_words(result: PaneResult) -> str:
    """One plain sentence with the next step, phrased for the window (not the CLI)."""
    failed = result.failed
    assert failed is not None
    advice = ADVICE.get(str(failed.kind), "")
    if failed.kind == "auth":
        endpoint = split_ref(result.model)
        if endpoint is not None:  # another endpoint refused: its own key, not OpenRouter's
            return ENDPOINT_AUTH.format(name=endpoint[0])
        return advice
    message = failed.message.removeprefix(f"{result.model}: ")
    message = message[0].upper() + message[1:] if message else message
    if " - " in message or not advice:
        return message + ("." if not message.endswith(".") else "")
    return f"{message}. {advice}"


def stats_text(result: PaneResult, live: str = "") -> str:
    """The figures line: state, served model and provider, TTFT, speed, tokens, cost, finish."""
    parts = [_state_words(result)]
    if live:
        parts.append(live)
    f, u = result.finished, result.usage
    if f is not None:
        note = result.routing_note
        served = f.served_model or result.model
        provider = f.provider or _endpoint_of(result.model) or "unknown provider"
        parts.append(f"⚠ {note}" if note else f"{served} via {provider}")
        if note:
            parts.append(f"via {provider}")
        if f.ttft is not None:
            parts.append(f"TTFT {f.ttft:.2f} s")
        if f.tokens_per_second:
            parts.append(f"{f.tokens_per_second:.1f} tok/s")
    elif result.chunks and not live:
        parts.append(f"{result.chunks} chunks")
    if u is not None:
        mark = "~" if u.estimated else ""
        tokens = f"{mark}{u.prompt_tokens or 0} in / {mark}{u.completion_tokens or 0} out"
        if u.reasoning_tokens:
            tokens += f" ({u.reasoning_tokens} reasoning)"
        parts.append(tokens + (" (estimated)" if u.estimated else ""))
        if u.cost is not None:
            parts.append(usd(u.cost))
        elif u.estimated:
            parts.append("local / unknown cost")
    if f is not None and f.finish_reason:
        parts.append(f"finish: {f.finish_reason}")
    return " · ".join(parts)


def _endpoint_of(model: str) -> str | None:
    """``@ollama/llama3`` answered "via ollama" (plain endpoints name no provider)."""
    from playground.core.modelref import endpoint_of  # the one parser of @name/model

    return endpoint_of(model)


def _live_words(live: tuple[float | None, float | None]) -> str:
    ttft, rate = live
    if ttft is None:
        return ""
    return f"TTFT {ttft:.2f} s" + (f" · ~{rate:.0f} tok/s" if rate else "")


def blind_stats_text(result: PaneResult, live: str, show_speed: bool) -> str:
    """The figures line while the model is hidden: the state, and speed if the user allows it."""
    parts = [_state_words(result)]
    if live:
        parts.append(live)
    f = result.finished
    if f is not None and show_speed:
        if f.ttft is not None:
            parts.append(f"TTFT {f.ttft:.2f} s")
        if f.tokens_per_second:
            parts.append(f"{f.tokens_per_second:.1f} tok/s")
    return " · ".join(parts)


def _state_words(result: PaneResult) -> str:
    from playground.core.pane_words import state_words  # the CLI's words too, in more detail

    return state_words(result, detailed=True)
