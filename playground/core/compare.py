"""CompareRun: one prompt fanned out to N models, one task each; stop one or all, retry one.

One pane failing, stalling or being stopped never touches the others: each runs in its own
task, and every event reaches the listeners tagged with its pane.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from playground.core.attachments import Attachment
from playground.core.conversation import Message
from playground.core.events import (
    Citation,
    Delta,
    Failed,
    FailureKind,
    Finished,
    Image,
    Reasoning,
    Retrying,
    SchemaCheck,
    Started,
    StreamEvent,
    ToolCall,
    Usage,
)
from playground.core.redact import redact
from playground.core.request import ChatParams, ChatRequest
from playground.core.routing import Routing, routing_note
from playground.core.structured import schema_of, validate_answer

if TYPE_CHECKING:  # asyncio loads with the event loop, after the window's first frame
    import asyncio

log = logging.getLogger(__name__)


class ChatClient(Protocol):
    def stream_chat(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]: ...


@dataclass(frozen=True)
class Stopped:
    """The user stopped this pane (the connection was closed)."""

    model: str


PaneEventBody = StreamEvent | Stopped
_ENDS = frozenset({Finished, Failed, Stopped})  # a pane's final events (see add_listener's ends_only)


class PaneEvent(NamedTuple):
    """One event of one pane (a named tuple: one is built per stream chunk, so it must be cheap)."""

    pane: int
    model: str
    event: PaneEventBody


class PaneState(StrEnum):
    QUEUED = "queued"
    WAITING = "waiting for first token"
    STREAMING = "streaming"
    RETRYING = "retrying"
    DONE = "done"
    TRUNCATED = "cut off"
    FAILED = "failed"
    STOPPED = "stopped"

    @property
    def final(self) -> bool:
        return self in (PaneState.DONE, PaneState.TRUNCATED, PaneState.FAILED, PaneState.STOPPED)


_STREAMING = PaneState.STREAMING


@dataclass(frozen=True)
class PaneSpec:
    """One pane: its model, its parameter and routing overrides, and raw body extras."""

    model: str
    params: ChatParams | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    routing: Routing | None = None
    history: tuple[Message, ...] = ()  # this pane's own earlier turns (a follow-up), never another's
    prompt: str | None = None  # this pane's own prompt (an edited turn), instead of the shared one
    reply: Message | None = None  # this turn's message when it is not a prompt (a tool's result)


@dataclass(frozen=True)
class CompareRequest:
    """The shared prompt and parameters, and the panes."""

    prompt: str
    panes: tuple[PaneSpec, ...]
    system: str | None = None
    params: ChatParams = field(default_factory=ChatParams)
    routing: Routing = field(default_factory=Routing)  # shared (a template's defaults); panes override
    attachments: tuple[Attachment, ...] = ()  # sent with this turn's prompt to every pane

    def pane_routing(self, index: int) -> Routing:
        return self.routing.merged(self.panes[index].routing)

    def pane_prompt(self, index: int) -> Message:
        """This turn's user message for a pane."""
        pane = self.panes[index]
        if pane.reply is not None:
            return pane.reply
        return Message("user", self.prompt if pane.prompt is None else pane.prompt, self.attachments)

    def pane_messages(self, index: int) -> tuple[Message, ...]:
        """What a pane sends after the system prompt: its own history, then this turn's prompt."""
        return (*self.panes[index].history, self.pane_prompt(index))

    def chat_request(self, index: int) -> ChatRequest:
        pane = self.panes[index]
        messages: list[Mapping[str, Any]] = (
            [{"role": "system", "content": self.system}] if self.system else []
        )
        messages += [m.to_api() for m in self.pane_messages(index)]
        routing = self.pane_routing(index)
        return ChatRequest(
            pane.model,
            tuple(messages),
            self.params.merged(pane.params),
            dict(pane.extra),
            None if routing.empty else routing,
        )


# A pane's text parts are joined into one string every this many (and when the pane ends): a long
# answer is not kept as thousands of small strings, and appending stays linear (one join of the
# answer so far per 1,024 parts: 50,000 single-token parts copy the answer about 50 times).
JOIN_PARTS = 1_024


def _joined(parts: list[str]) -> str:
    """``parts`` as one string, left in their place (a part appended meanwhile stays after it)."""
    count = len(parts)
    if count > 1:
        joined = "".join(parts[:count])
        parts[:count] = [joined]
        return joined
    return parts[0] if count else ""


@dataclass
class PaneResult:
    """Everything one pane has received so far.

    ``text_parts`` and ``reasoning_parts`` are what arrived, joined as they go: a finished pane
    holds each as one string (count tokens by ``chunks``, not by parts)."""

    model: str
    state: PaneState = PaneState.QUEUED
    text_parts: list[str] = field(default_factory=list)
    reasoning_parts: list[str] = field(default_factory=list)
    usage: Usage | None = None
    finished: Finished | None = None
    failed: Failed | None = None
    retrying: Retrying | None = None
    attempts: int = 0
    chunks: int = 0  # stream chunks of answer and reasoning received
    tool_calls: list[ToolCall] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    schema: SchemaCheck | None = None
    fallbacks: tuple[str, ...] = ()  # the fallback models asked for, to tell a fallback from a rename

    @property
    def routing_note(self) -> str | None:
        """Words for when another model answered than the one asked (fallback, auto router)."""
        served = self.finished.served_model if self.finished else None
        return routing_note(self.model, served, Routing(fallbacks=self.fallbacks))

    @property
    def text(self) -> str:
        return _joined(self.text_parts)

    @property
    def reasoning(self) -> str:
        return _joined(self.reasoning_parts)

    @property
    def cost(self) -> Decimal | None:
        return self.usage.cost if self.usage else None

    def apply(self, event: PaneEventBody) -> None:
        if isinstance(event, Delta):
            parts = self.text_parts
            parts.append(event.text)
            if len(parts) >= JOIN_PARTS:
                _joined(parts)
            self.chunks += event.chunks
            if self.state is not _STREAMING:  # (an enum member read once, not per chunk)
                self.state = _STREAMING
        elif isinstance(event, Reasoning):
            self.reasoning_parts.append(event.text)
            if len(self.reasoning_parts) >= JOIN_PARTS:
                _joined(self.reasoning_parts)
            self.chunks += event.chunks
            self.state = PaneState.STREAMING
        elif isinstance(event, Usage):
            self.usage = event
        elif isinstance(event, ToolCall | Citation | Image | SchemaCheck):
            self._apply_extra(event)
        else:
            self._apply_lifecycle(event)

    def _apply_extra(self, event: ToolCall | Citation | Image | SchemaCheck) -> None:
        if isinstance(event, ToolCall):
            self.tool_calls.append(event)
        elif isinstance(event, Citation):
            self.citations.append(event)
        elif isinstance(event, Image):
            self.images.append(event)
        else:
            self.schema = event

    def _apply_lifecycle(self, event: PaneEventBody) -> None:
        if isinstance(event, Finished | Failed | Stopped):  # the answer is whole: one string
            _joined(self.text_parts)
            _joined(self.reasoning_parts)
        if isinstance(event, Started):
            self.state, self.attempts, self.retrying = PaneState.WAITING, event.attempt, None
        elif isinstance(event, Retrying):
            self.state, self.retrying = PaneState.RETRYING, event
        elif isinstance(event, Finished):
            self.finished = event
            self.state = PaneState.TRUNCATED if event.truncated else PaneState.DONE
        elif isinstance(event, Failed):
            self.failed, self.state = event, PaneState.FAILED
            self.attempts = max(self.attempts, event.attempts)
        elif isinstance(event, Stopped):
            self.state = PaneState.STOPPED


Listener = Callable[[PaneEvent], None]


def with_pane_model(request: CompareRequest, index: int, model: str | None) -> CompareRequest:
    """The request with one pane's model replaced (a retry with another model)."""
    if model is None or model == request.panes[index].model:
        return request
    panes = list(request.panes)
    panes[index] = replace(panes[index], model=model)
    return replace(request, panes=tuple(panes))


class CompareRun:
    """Runs a CompareRequest. Listeners see every event; ``results`` holds each pane's state."""

    def __init__(self, client: ChatClient, request: CompareRequest) -> None:
        import asyncio  # loaded with the event loop, after the window's first frame

        self.client = client
        self.request = request
        self.results = [PaneResult(p.model) for p in request.panes]
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._generation = [0] * len(request.panes)  # a retried pane ignores its old task's events
        self._listeners: tuple[Listener, ...] = (self._record,)  # replaced, never mutated, when changed
        self._end_listeners: tuple[Listener, ...] = ()
        self._changed = asyncio.Event()

    def add_listener(self, listener: Listener, *, ends_only: bool = False) -> None:
        """Call ``listener`` with every event, or with ``ends_only`` only with each pane's final one
        (Finished, Failed, Stopped): a listener that waits for the end is not called once per token."""
        if ends_only:
            self._end_listeners = (*self._end_listeners, listener)
        else:
            self._listeners = (*self._listeners, listener)

    def remove_listener(self, listener: Listener) -> None:
        self._listeners = tuple(x for x in self._listeners if x != listener)
        self._end_listeners = tuple(x for x in self._end_listeners if x != listener)

    def start(self) -> None:
        for index in range(len(self.request.panes)):
            self._start_pane(index)

    def _start_pane(self, index: int) -> None:
        fallbacks = self.request.pane_routing(index).fallbacks
        self.results[index] = PaneResult(self.request.panes[index].model, fallbacks=fallbacks)
        self._generation[index] += 1
        run = self._run_pane(index, self._generation[index])
        import asyncio

        task = asyncio.get_running_loop().create_task(run, name=f"pane-{index}")
        self._tasks[index] = task  # kept referenced until done, so it is never collected mid-flight
        task.add_done_callback(functools.partial(self._task_done, index))

    def _task_done(self, index: int, task: asyncio.Task[None]) -> None:
        if self._tasks.get(index) is task:
            del self._tasks[index]
        self._changed.set()

    def cancel(self, index: int) -> None:
        task = self._tasks.get(index)
        if task is not None:
            task.cancel()

    def cancel_all(self) -> None:
        for task in list(self._tasks.values()):
            task.cancel()

    def retry(self, index: int, model: str | None = None) -> None:
        """Run one pane again from scratch (stopping it first), optionally with another model."""
        self.request = with_pane_model(self.request, index, model)
        self.cancel(index)
        self._tasks.pop(index, None)
        self._start_pane(index)

    @property
    def running(self) -> bool:
        return bool(self._tasks)

    async def wait(self) -> None:
        """Until every pane has ended (finished, failed or stopped)."""
        import asyncio

        while self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def events(self) -> AsyncIterator[PaneEvent]:
        """Every event as it comes, until all panes have ended."""
        import asyncio

        queue: asyncio.Queue[PaneEvent] = asyncio.Queue()
        self.add_listener(queue.put_nowait)
        try:
            while self._tasks or not queue.empty():
                getter = asyncio.ensure_future(queue.get())
                changed = asyncio.ensure_future(self._changed.wait())
                done, _ = await asyncio.wait({getter, changed}, return_when=asyncio.FIRST_COMPLETED)
                changed.cancel()
                self._changed.clear()
                if getter in done:
                    yield getter.result()
                else:
                    getter.cancel()
        finally:
            self.remove_listener(queue.put_nowait)

    def _emit(self, index: int, generation: int, event: PaneEventBody) -> None:
        if generation != self._generation[index]:
            return
        pane_event = PaneEvent(index, self.request.panes[index].model, event)
        for listener in self._listeners:
            listener(pane_event)
        if self._end_listeners and type(event) in _ENDS:
            for listener in self._end_listeners:
                listener(pane_event)

    def _record(self, pane_event: PaneEvent) -> None:
        self.results[pane_event.pane].apply(pane_event.event)

    async def _run_pane(self, index: int, generation: int) -> None:
        import asyncio

        model = self.request.panes[index].model
        ended = False
        try:
            # Inside the try: a client that raises at once still gives its pane a final state.
            stream = self.client.stream_chat(self.request.chat_request(index))
            async with aclosing(stream):
                async for event in stream:
                    if type(event) is Delta:  # by far the most common: no other check applies
                        self._emit(index, generation, event)
                        continue
                    if isinstance(event, Finished):
                        self._check_schema(index, generation)
                    self._emit(index, generation, event)
                    if isinstance(event, Finished | Failed):
                        ended = True
                        break  # exactly one final state: anything after it is not this answer
        except asyncio.CancelledError:
            self._emit(index, generation, Stopped(model))
            raise
        except Exception as exc:  # one pane's bug must not take the others down
            log.exception("pane %d (%s) failed unexpectedly", index, model)
            message = f"{model}: an internal error stopped this answer ({type(exc).__name__})"
            failed = Failed(model, FailureKind.UNKNOWN, message, detail=redact(str(exc)[:300]))
            self._emit(index, generation, failed)
            return
        if not ended:
            message = f"{model}: the answer ended without saying whether it was complete"
            self._emit(index, generation, Failed(model, FailureKind.UNKNOWN, message))

    def _check_schema(self, index: int, generation: int) -> None:
        """Before a pane's end: whether its answer is the JSON its response_format asked for."""
        params = self.request.params.merged(self.request.panes[index].params)
        schema = schema_of(params.response_format)
        result = self.results[index]
        if schema is None or generation != self._generation[index] or result.tool_calls:
            return
        self._emit(index, generation, validate_answer(result.text, schema))

    @property
    def all_complete(self) -> bool:
        return all(r.state is PaneState.DONE for r in self.results)
