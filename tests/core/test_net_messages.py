"""Messages name the server that answered (an endpoint is not OpenRouter), base URLs with secret
parts are refused, a client that raises at once still ends its pane, and chunks are parsed once."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncGenerator, Iterator
from typing import Any

import pytest

from playground.core import servertext
from playground.core.compare import CompareRequest, CompareRun, PaneSpec, PaneState
from playground.core.endpoints import RoutedClient
from playground.core.errors import ApiError, UnsafeBaseUrlError
from playground.core.events import Failed, FailureKind, Finished, StreamEvent
from playground.core.openrouter import ClientConfig, OpenRouterClient, check_base_url, valid_url
from playground.core.openrouter.body import SSEReader
from playground.core.request import ChatRequest
from playground.core.retry import RetryPolicy
from playground.core.routing import Routing
from playground.simulator import Simulator
from tests.conftest import FAKE_KEY, run
from tests.core.helpers import SleepRecorder, client_for, last
from tests.hostile import HostileServer


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer() as hostile:
        yield hostile


def endpoint_client(base_url: str) -> OpenRouterClient:
    config = ClientConfig(base_url=base_url, key_required=False)
    return OpenRouterClient(None, config, retry=RetryPolicy(max_attempts=1), sleep=SleepRecorder())


def routed_failure(base_url: str, model: str) -> Failed:
    async def go() -> list[StreamEvent]:
        async with RoutedClient(None, {"local": endpoint_client(base_url)}) as routed:
            return [e async for e in routed.stream_chat(ChatRequest.simple(model, "hi"))]

    end = last(run(go()))
    assert isinstance(end, Failed)
    return end


def test_an_endpoint_s_errors_name_the_endpoint_not_openrouter(server: HostileServer) -> None:
    rejected = routed_failure(server.base_url, "@local/hostile/401")
    assert rejected.message.startswith("@local/hostile/401: ")
    assert f"the server at 127.0.0.1:{server.port} rejected the key (401)" in rejected.message
    unavailable = routed_failure(server.base_url, "@local/hostile/503")
    assert f"the server at 127.0.0.1:{server.port} is unavailable right now (503)" in unavailable.message
    for message in (rejected.message, unavailable.message):
        assert "OpenRouter" not in message and "routing" not in message


def test_an_endpoint_that_is_down_names_its_address() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = f"http://127.0.0.1:{port}/v1"
    end = routed_failure(down, "@local/llama3")
    assert end.kind == FailureKind.NETWORK and "OpenRouter" not in end.message
    assert end.message.startswith(f"@local/llama3: could not reach the server at 127.0.0.1:{port}")

    async def models() -> ApiError:
        async with endpoint_client(down) as c:
            with pytest.raises(ApiError) as caught:
                await c.models()
            return caught.value

    assert "could not reach the server at 127.0.0.1" in str(run(models()))


def test_503_speaks_of_routing_only_when_routing_was_set(server: HostileServer) -> None:
    async def go(routing: Routing | None) -> Failed:
        config = ClientConfig(base_url=server.base_url)
        async with OpenRouterClient(FAKE_KEY, config, retry=RetryPolicy(max_attempts=1)) as c:
            request = ChatRequest.simple("hostile/503", "hi")
            if routing is not None:
                request = ChatRequest(request.model, request.messages, routing=routing)
            end = [e async for e in c.stream_chat(request)][-1]
            assert isinstance(end, Failed)
            return end

    plain = run(go(None))
    assert (
        "routing" not in plain.message
        and "no provider is available for this model right now" in plain.message
    )
    routed = run(go(Routing(only=("Nobody Inc",))))
    assert "no provider meets the routing constraints (503)" in routed.message


@pytest.mark.parametrize(
    "url",
    [
        "https://user:hunter22@openrouter.example/api/v1",
        "https://openrouter.example/api/v1?token=hunter22",
        "https://openrouter.example/api/v1#hunter22",
        "http://127.0.0.1:8080/v1?",
    ],
)
def test_a_base_url_with_credentials_a_query_or_a_fragment_is_refused(url: str) -> None:
    for check in (check_base_url, valid_url):
        with pytest.raises(UnsafeBaseUrlError) as caught:
            check(url)
        assert "hunter22" not in str(caught.value)
    with pytest.raises(UnsafeBaseUrlError):
        OpenRouterClient(FAKE_KEY, ClientConfig(base_url=url))


class _RaisesAtOnce:
    """A chat client with a bug: it raises when asked for a stream, before giving one."""

    def stream_chat(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        raise RuntimeError("broken before the first event")


def test_a_client_that_raises_at_once_ends_its_pane_and_the_run() -> None:
    async def go() -> CompareRun:
        compare_run = CompareRun(_RaisesAtOnce(), CompareRequest("hi", (PaneSpec("a/b"), PaneSpec("c/d"))))
        compare_run.start()
        await compare_run.wait()
        return compare_run

    done = run(go())
    assert not done.running
    assert [r.state for r in done.results] == [PaneState.FAILED, PaneState.FAILED]
    failed = done.results[0].failed
    assert failed is not None and "an internal error stopped this answer (RuntimeError)" in failed.message


def test_every_stream_chunk_is_parsed_once(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    payloads: list[str] = []
    real_feed = SSEReader.feed

    def feed(self: SSEReader, chunk: bytes) -> list[str]:
        out = real_feed(self, chunk)
        payloads.extend(out)
        return out

    parsed: list[object] = []
    real_loads = json.loads

    def loads(text: str | bytes, *args: Any, **kwargs: Any) -> Any:
        parsed.append(text)
        return real_loads(text, *args, **kwargs)

    real_scan = servertext._SCAN  # the stream's own parse: the JSON scanner called directly

    def scan(text: str, index: int) -> Any:
        parsed.append(text)
        return real_scan(text, index)

    monkeypatch.setattr(SSEReader, "feed", feed)
    monkeypatch.setattr(json, "loads", loads)
    monkeypatch.setattr(servertext, "_SCAN", scan)

    async def go() -> list[StreamEvent]:
        async with client_for(sim) as c:
            return [e async for e in c.stream_chat(ChatRequest.simple("sim/quick-mini", "Say hello"))]

    events = run(go())
    assert isinstance(last(events), Finished)
    chunks = [p for p in payloads if p.strip() != "[DONE]"]
    assert len(chunks) >= 3  # role, text, finish and usage chunks
    assert len([text for text in parsed if text in chunks]) == len(chunks)
