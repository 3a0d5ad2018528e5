"""The composer's state without Qt: what the next request is made of, and how it is made.

A `Workspace` holds the prompt, the system prompt, the shared parameters, the panes (model, own
parameters, routing, conversation so far, whether it takes part in follow-ups), the attachments for
the next turn, the template the prompt came from (and its values) and the blind state. The window's
composer writes the widgets into it; Send, Follow up, editing a turn and re-running a past run all
ask it for the `CompareRequest`, and for each pane's `PaneDraft` that `core/preflight.py` checks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from playground.core.compare import CompareRequest, PaneSpec
from playground.core.conversation import Message, branch, turns
from playground.core.estimate import CostEstimate
from playground.core.preflight import PaneDraft, max_cost
from playground.core.request import ChatParams
from playground.core.routing import Routing

if TYPE_CHECKING:
    from playground.core.attachments import Attachment
    from playground.core.catalog import ModelCatalog
    from playground.core.history import RunRecord

MAX_RECENT = 12
PICK_EVERY_MODEL = "Pick a model in every pane first."
NO_MODEL_LIST = "No model list yet: type a model id in every pane, or refresh the list (F5)."
NOTHING_TO_FOLLOW = "Nothing to follow up yet: send a comparison first."
ALL_LEFT_OUT = "Every pane is left out of follow-ups: tick Include in follow-ups in a pane's ⋯ menu."
NO_COMPLETE_ANSWER = "No pane has a complete answer to follow up: Send again, or Retry a pane."


@dataclass
class WorkspacePane:
    """One pane as the next request sees it."""

    model: str = ""
    overrides: ChatParams | None = None
    routing: Routing | None = None
    thread: tuple[Message, ...] = ()  # this pane's conversation so far
    in_conversation: bool = True  # False: the next follow-up leaves this pane out

    @property
    def follows(self) -> bool:
        """Takes part in the next follow-up: it has a conversation and was not left out."""
        return self.in_conversation and bool(self.thread)

    @property
    def left_out(self) -> bool:
        """Has a conversation the next follow-up skips."""
        return not self.in_conversation and bool(self.thread)

    def spec(self, history: tuple[Message, ...] = ()) -> PaneSpec:
        return PaneSpec(self.model, self.overrides, routing=self.routing, history=history)


@dataclass(frozen=True)
class TemplateUse:
    """The template (and its values) the prompt was filled in from; the run records it."""

    name: str
    version: str
    variables: Mapping[str, str]
    prompt: str  # the rendered prompt: once the user edits it, the template no longer applies
    case_name: str | None = None  # a run from a test case's values is recorded as that case
    routing: Routing | None = None  # the template's routing defaults

    def record(self) -> dict[str, Any]:
        """What `record_run` stores about the template."""
        return {
            "template": self.name,
            "version": self.version,
            "case_name": self.case_name,
            "variables": dict(self.variables),
        }


@dataclass
class Workspace:
    """The composer's state and the requests made from it (see the module docstring)."""

    prompt: str = ""
    system: str = ""
    params: ChatParams = field(default_factory=ChatParams)
    panes: list[WorkspacePane] = field(default_factory=list)
    attachments: tuple[Attachment, ...] = ()
    template: TemplateUse | None = None
    blind: bool = False  # the next comparison hides the models until a vote
    models_hidden: bool = False  # a blind run's models are hidden now (until the vote or reveal)
    sent_prompt: str | None = None  # the prompt last sent

    # ----- what is ready ------------------------------------------------------------------------

    def system_text(self) -> str | None:
        return self.system.strip() or None

    def can_send(self) -> bool:
        return bool(self.prompt.strip())

    def send_problem(self) -> str | None:
        """Why Send cannot go yet, in words; None when it can (an empty prompt says nothing)."""
        if not self.can_send():
            return ""
        if not all(pane.model for pane in self.panes):
            return PICK_EVERY_MODEL
        return None

    def conversation_panes(self) -> list[int]:
        """The panes a follow-up goes to."""
        return [i for i, pane in enumerate(self.panes) if pane.follows]

    def follow_up_problem(self, *, answered: bool) -> str:
        """Why there is no pane to follow up in, in words (``answered``: a comparison was shown, so
        its panes failed or were stopped rather than never sent)."""
        if any(pane.left_out for pane in self.panes):
            return ALL_LEFT_OUT
        return NO_COMPLETE_ANSWER if answered else NOTHING_TO_FOLLOW

    def can_follow_up(self) -> bool:
        return self.can_send() and bool(self.conversation_panes())

    def template_applies(self) -> bool:
        """The prompt is still the one the template rendered (an edit makes it the user's own)."""
        return self.template is not None and self.template.prompt == self.prompt

    def unsent_prompt(self) -> str:
        """The prompt, unless it is what was last sent (a restart must not offer it again)."""
        return "" if self.prompt == self.sent_prompt else self.prompt

    # ----- requests -----------------------------------------------------------------------------

    def compare_request(self) -> tuple[CompareRequest, dict[str, Any]]:
        """A new comparison in every pane, and what the run records about its template."""
        applies = self.template_applies() and self.template is not None
        routing = self.template.routing if applies and self.template is not None else None
        request = CompareRequest(
            self.prompt,
            tuple(pane.spec() for pane in self.panes),
            self.system_text(),
            self.params,
            routing=routing or Routing(),
            attachments=self.attachments,
        )
        record = self.template.record() if applies and self.template is not None else {}
        return request, record

    def follow_up_request(self, indices: Sequence[int] | None = None) -> CompareRequest:
        """The prompt as the next turn of each pane's own conversation (by default every pane that
        takes part)."""
        chosen = self.conversation_panes() if indices is None else indices
        specs = tuple(self.panes[i].spec(self.panes[i].thread) for i in chosen)
        return CompareRequest(
            self.prompt, specs, self.system_text(), self.params, attachments=self.attachments
        )

    def branch_request(self, index: int, turn_index: int, text: str) -> CompareRequest | None:
        """One pane's earlier turn edited to ``text`` and sent again from there; None when there is
        no such turn. The turn keeps its own attachments."""
        pane = self.panes[index]
        pairs = turns(pane.thread)
        if not 0 <= turn_index < len(pairs):
            return None
        original = pairs[turn_index][0]
        spec = pane.spec(branch(pane.thread, turn_index))
        return CompareRequest(
            text, (spec,), self.system_text(), self.params, attachments=original.attachments
        )

    def rerun_request(self, run: RunRecord) -> CompareRequest:
        """A past run, opened into the panes, sent again: each answer's last turn goes with the
        conversation it was part of."""
        specs = []
        for pane, answer in zip(self.panes, run.answers, strict=True):
            sent = answer.thread or (Message("user", run.prompt, run.attachments),)
            history, turn = sent[:-1], sent[-1].text
            specs.append(PaneSpec(pane.model, pane.overrides, {}, pane.routing, history, turn))
        return CompareRequest(run.prompt, tuple(specs), run.system, self.params, attachments=run.attachments)

    def draft(self, index: int, *, follow: bool) -> PaneDraft:
        """What one pane would send, for `core/preflight.py` to check."""
        pane = self.panes[index]
        prompt = Message("user", self.prompt, self.attachments)
        return PaneDraft(
            pane.model,
            self.params.merged(pane.overrides),
            (*(pane.thread if follow else ()), prompt),
            self.system,
            self.attachments,
            pane.routing is not None and pane.routing.require_parameters,
        )

    # ----- estimates ----------------------------------------------------------------------------

    def estimate(self, catalog: ModelCatalog | None) -> CostEstimate:
        """The most a new comparison could cost."""
        models = [pane.model for pane in self.panes]
        return max_cost(catalog, models, self.prompt, self.system, self.params.max_tokens, self.attachments)

    def follow_up_estimate(self, catalog: ModelCatalog | None) -> CostEstimate | None:
        """The most a follow-up could cost (each pane's thread is input too); None without one."""
        follow = [self.panes[i] for i in self.conversation_panes()]
        if not follow:
            return None
        return max_cost(
            catalog,
            [pane.model for pane in follow],
            self.prompt,
            self.system,
            self.params.max_tokens,
            self.attachments,
            threads=[pane.thread for pane in follow],
        )


def recent_models(used: Sequence[str], recent: Sequence[str], limit: int = MAX_RECENT) -> tuple[str, ...]:
    """The recent-models list after a send: the ones just used first, no repeats, at most ``limit``."""
    return tuple(dict.fromkeys([*used, *recent]))[:limit]
