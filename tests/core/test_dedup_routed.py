"""RoutedClient.for_model: the one way an answer is routed over the one client its model names
(the window's network thread leases that client; the CLI routes a whole comparison)."""

from __future__ import annotations

from playground.core.endpoints import RoutedClient
from playground.core.events import Failed
from playground.core.openrouter import ClientConfig, OpenRouterClient
from playground.core.request import ChatParams, ChatRequest
from tests.conftest import FAKE_KEY, run


def test_one_model_is_routed_to_its_own_client_or_fails_in_words() -> None:
    async def go() -> None:
        async with OpenRouterClient(FAKE_KEY, ClientConfig(base_url="http://127.0.0.1:9/v1")) as client:
            assert RoutedClient.for_model("openai/gpt-4o-mini", client).openrouter is client
            routed = RoutedClient.for_model("@ollama/llama3", client)
            assert routed.openrouter is None and routed.endpoints == {"ollama": client}
        request = ChatRequest("@ollama/llama3", ({"role": "user", "content": "hi"},), ChatParams())
        events = [e async for e in RoutedClient.for_model("@ollama/llama3", None).stream_chat(request)]
        assert len(events) == 1 and isinstance(events[0], Failed)
        assert "no endpoint named 'ollama'" in events[0].message

    run(go())
