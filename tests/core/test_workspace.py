"""core/workspace.py: the composer's state and the requests Send, Follow up, an edited turn and a
re-run make from it - without Qt."""

from __future__ import annotations

from decimal import Decimal

from playground.core.attachments import make_attachment
from playground.core.catalog import ModelCatalog, ModelInfo
from playground.core.conversation import Message
from playground.core.history import AnswerRecord, RunRecord
from playground.core.preflight import FindingKind, check_pane
from playground.core.request import ChatParams
from playground.core.routing import Routing
from playground.core.workspace import (
    PICK_EVERY_MODEL,
    TemplateUse,
    Workspace,
    WorkspacePane,
    recent_models,
)
from tests.core.test_conversation import png_bytes

PRICE = Decimal("0.000001")
TEXT_ONLY = ModelInfo("acme/text", "Text", context_length=4000, prompt_price=PRICE, completion_price=PRICE)
VISION = ModelInfo(
    "acme/eyes", "Eyes", context_length=100_000, input_modalities=("text", "image"), prompt_price=PRICE
)
THREAD = (Message("user", "first question"), Message("assistant", "first answer " * 40))


def _template(prompt: str = "Summarise: caching") -> TemplateUse:
    return TemplateUse(
        "summary", "abc123", {"text": "caching"}, prompt, case_name="short", routing=Routing(sort="price")
    )


def test_send_needs_a_prompt_and_a_model_in_every_pane() -> None:
    workspace = Workspace(prompt="  ", panes=[WorkspacePane("a/one"), WorkspacePane("")])
    assert workspace.send_problem() == ""  # an empty prompt: nothing to say, nothing sent
    workspace.prompt = "Hello"
    assert workspace.send_problem() == PICK_EVERY_MODEL
    workspace.panes[1].model = "b/two"
    assert workspace.send_problem() is None


def test_a_comparison_goes_to_every_pane_with_its_own_parameters_and_routing() -> None:
    own = ChatParams(temperature=0.1)
    workspace = Workspace(
        prompt="Hello",
        system="  ",
        params=ChatParams(max_tokens=50),
        panes=[WorkspacePane("a/one", own, Routing(zdr=True)), WorkspacePane("b/two")],
    )
    request, record = workspace.compare_request()
    assert [p.model for p in request.panes] == ["a/one", "b/two"]
    assert request.system is None  # a blank system prompt is not sent
    assert (
        request.chat_request(0).params.temperature == 0.1 and request.chat_request(0).params.max_tokens == 50
    )
    assert request.pane_routing(0).zdr and not request.pane_routing(1).zdr
    assert record == {}


def test_a_template_is_recorded_until_the_prompt_is_edited() -> None:
    workspace = Workspace(prompt="Summarise: caching", panes=[WorkspacePane("a/one")], template=_template())
    request, record = workspace.compare_request()
    assert record == {
        "template": "summary",
        "version": "abc123",
        "case_name": "short",
        "variables": {"text": "caching"},
    }
    assert request.routing.sort == "price"  # the template's routing defaults go with it
    workspace.prompt = "Summarise: caching, briefly"
    request, record = workspace.compare_request()
    assert record == {} and request.routing == Routing()


def test_a_follow_up_goes_only_to_panes_in_the_conversation_with_their_own_thread() -> None:
    picture = make_attachment("chart.png", png_bytes())
    workspace = Workspace(
        prompt="And then?",
        panes=[
            WorkspacePane("a/one", thread=THREAD),
            WorkspacePane("b/two", thread=THREAD, in_conversation=False),  # left out by the user
            WorkspacePane("c/three"),  # no conversation yet
        ],
        attachments=(picture,),
    )
    assert workspace.conversation_panes() == [0] and workspace.can_follow_up()
    request = workspace.follow_up_request()
    assert [p.model for p in request.panes] == ["a/one"]
    assert request.pane_messages(0) == (*THREAD, Message("user", "And then?", (picture,)))


def test_no_follow_up_without_a_conversation_or_a_prompt() -> None:
    assert not Workspace(prompt="Next", panes=[WorkspacePane("a/one")]).can_follow_up()
    assert not Workspace(prompt=" ", panes=[WorkspacePane("a/one", thread=THREAD)]).can_follow_up()


def test_an_edited_turn_resends_one_pane_from_there_with_that_turns_attachments() -> None:
    picture = make_attachment("chart.png", png_bytes())
    thread = (
        Message("user", "look", (picture,)),
        Message("assistant", "a chart"),
        Message("user", "more"),
        Message("assistant", "sure"),
    )
    workspace = Workspace(prompt="unrelated", panes=[WorkspacePane("a/one", thread=thread)])
    request = workspace.branch_request(0, 0, "look closely")
    assert request is not None and request.attachments == (picture,)
    assert request.pane_messages(0) == (Message("user", "look closely", (picture,)),)
    later = workspace.branch_request(0, 1, "less")
    assert later is not None and later.pane_messages(0) == (*thread[:2], Message("user", "less"))
    assert workspace.branch_request(0, 5, "gone") is None


def test_preflight_checks_what_each_pane_would_send() -> None:
    """An image to a text-only model blocks that pane only; on a follow-up the thread counts too."""
    picture = make_attachment("chart.png", png_bytes())
    workspace = Workspace(
        prompt="What is shown?",
        panes=[WorkspacePane("acme/text", thread=THREAD), WorkspacePane("acme/eyes")],
        attachments=(picture,),
    )
    catalog = ModelCatalog([TEXT_ONLY, VISION])
    kinds = [
        [f.kind for f in check_pane(workspace.draft(i, follow=False), catalog.get(m), offer="")]
        for i, m in enumerate(["acme/text", "acme/eyes"])
    ]
    assert FindingKind.UNREADABLE in kinds[0] and FindingKind.UNREADABLE not in kinds[1]
    assert workspace.draft(0, follow=True).messages[:2] == THREAD
    assert workspace.draft(0, follow=False).messages == (Message("user", "What is shown?", (picture,)),)


def test_a_follow_up_costs_more_than_a_new_comparison_by_its_thread() -> None:
    catalog = ModelCatalog([TEXT_ONLY])
    workspace = Workspace(prompt="Next", params=ChatParams(max_tokens=10), panes=[WorkspacePane("acme/text")])
    assert workspace.follow_up_estimate(catalog) is None
    workspace.panes[0].thread = THREAD
    fresh = workspace.estimate(catalog)
    follow = workspace.follow_up_estimate(catalog)
    assert follow is not None and follow.total > fresh.total > 0


def test_a_rerun_sends_each_answers_turn_with_its_conversation() -> None:
    answer = _answer(thread=(*THREAD, Message("user", "second question")))
    run = RunRecord(1, 0.0, "second question", "be brief", {}, answers=(answer, _answer(pane=1)))
    workspace = Workspace(panes=[WorkspacePane("a/one"), WorkspacePane("a/one", ChatParams(temperature=0.5))])
    request = workspace.rerun_request(run)
    assert request.system == "be brief"
    assert request.pane_messages(0) == (*THREAD, Message("user", "second question"))
    assert request.pane_messages(1) == (Message("user", "second question"),)
    assert request.chat_request(1).params.temperature == 0.5


def test_the_sent_prompt_is_not_kept_for_the_next_start() -> None:
    workspace = Workspace(prompt="Hello", sent_prompt="Hello")
    assert workspace.unsent_prompt() == ""
    workspace.prompt = "Hello again"
    assert workspace.unsent_prompt() == "Hello again"


def test_recent_models_put_the_ones_just_used_first_without_repeats() -> None:
    assert recent_models(["b", "c"], ["a", "b"]) == ("b", "c", "a")
    assert len(recent_models([f"m{i}" for i in range(20)], ["x"])) == 12


def _answer(pane: int = 0, thread: tuple[Message, ...] = ()) -> AnswerRecord:
    return AnswerRecord(
        pane,
        "a/one",
        None,
        None,
        "ok",
        "",
        "done",
        "stop",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        thread=thread,
    )


def test_the_window_and_the_command_line_count_the_same_most_a_run_can_cost() -> None:
    """The estimate next to Send and the CLI's spend check (preflight.request_estimate on the request
    the same state sends) are one count: the prompt, the system prompt, the attachments, max output."""
    from playground.core.preflight import request_estimate

    catalog = ModelCatalog([TEXT_ONLY, VISION])
    picture = make_attachment("chart.png", png_bytes(64, 64))
    workspace = Workspace(
        prompt="Describe the chart " * 20,
        system="Be brief.",
        params=ChatParams(max_tokens=300),
        panes=[WorkspacePane("acme/text"), WorkspacePane("acme/eyes")],
        attachments=(picture,),
    )
    request, _record = workspace.compare_request()
    window, cli = workspace.estimate(catalog), request_estimate(catalog, request)
    assert window.total == cli.total and window.per_model == cli.per_model and window.total > 0
