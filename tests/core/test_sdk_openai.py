"""The simulator against OpenAI's official Python SDK (PyPI ``openai``).

As OpenRouter it answers what the OpenAI SDK expects of an OpenAI-compatible API. As
``Simulator(openai_compatible=True)`` it answers as vLLM, Ollama or LM Studio do: a usage chunk only
when ``stream_options.include_usage`` asks, none of OpenRouter's own fields, OpenAI-shaped errors.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from openai import OpenAI
from openai.types import CompletionUsage, ErrorObject, Model
from openai.types.chat import ChatCompletion, ChatCompletionChunk, ChatCompletionMessage
from openai.types.chat.chat_completion import Choice as CompletionChoice
from openai.types.chat.chat_completion_chunk import Choice as ChunkChoice
from openai.types.chat.chat_completion_chunk import ChoiceDelta
from pydantic import BaseModel

from playground.simulator import Behaviour, Simulator
from playground.simulator.models import tokenize
from tests.conftest import FAKE_KEY
from tests.core.sdk_helpers import chat, chunks, get, post_chat

HI = [{"role": "user", "content": "Hi"}]
LOCAL_KEY = "local-server-token-" + "7" * 20


@pytest.fixture
def plain() -> Iterator[Simulator]:
    with Simulator(time_scale=0, openai_compatible=True) as server:
        yield server


def _client(sim: Simulator, key: str = FAKE_KEY) -> OpenAI:
    return OpenAI(api_key=key, base_url=sim.base_url, max_retries=0)


def _fields(model: type[BaseModel]) -> set[str]:
    return set(model.model_fields)


def _openrouter_only(chunk: dict[str, Any]) -> set[str]:
    """Every key of a chunk or completion that OpenAI's types do not define."""
    extra = set(chunk) - _fields(ChatCompletionChunk) - _fields(ChatCompletion)
    for choice in chunk.get("choices", []):
        extra |= set(choice) - _fields(ChunkChoice) - _fields(CompletionChoice)
        # ``reasoning`` is what Ollama and vLLM send for thinking models: not OpenRouter's own
        extra |= set(choice.get("delta", {})) - _fields(ChoiceDelta) - {"reasoning"}
        extra |= set(choice.get("message", {})) - _fields(ChatCompletionMessage) - {"reasoning"}
    extra |= set(chunk.get("usage") or {}) - _fields(CompletionUsage)
    return extra


# ----- the OpenRouter simulator, through OpenAI's SDK ---------------------------------------------


def test_openai_sdk_chats_with_the_openrouter_simulator(sim: Simulator) -> None:
    sim.script("sim/quick-mini", Behaviour(text="one two three"), Behaviour(text="four five"))
    with _client(sim) as client:
        result = client.chat.completions.create(model="sim/quick-mini", messages=HI)  # type: ignore[arg-type]
        streamed = list(client.chat.completions.create(model="sim/quick-mini", messages=HI, stream=True))  # type: ignore[arg-type]
    assert result.choices[0].message.content == "one two three"
    assert result.usage is not None and result.usage.completion_tokens == 3
    assert "".join(c.choices[0].delta.content or "" for c in streamed if c.choices) == "four five"
    assert streamed[-1].usage is not None and streamed[-1].usage.completion_tokens == 2
    raw = post_chat(sim.base_url, chat("sim/deep-reasoner", stream=True))
    for payload in chunks(raw.text):
        ChatCompletionChunk.model_validate(payload)
    ChatCompletion.model_validate_json(post_chat(sim.base_url, chat("sim/deep-reasoner")).text)


def test_openai_sdk_raises_openrouters_mid_stream_error(sim: Simulator) -> None:
    sim.script("sim/quick-mini", Behaviour(text="a b c d", end="stream_error", end_after=2))
    text = ""
    with _client(sim) as client, pytest.raises(openai.APIError, match="Provider returned error") as caught:
        for chunk in client.chat.completions.create(model="sim/quick-mini", messages=HI, stream=True):  # type: ignore[arg-type]
            text += "".join(c.delta.content or "" for c in chunk.choices)
    assert text == "a b"
    assert isinstance(caught.value.body, dict) and caught.value.body["code"] == 502


@pytest.mark.parametrize(
    ("fault", "error_class"),
    [
        ("400", openai.BadRequestError),
        ("401", openai.AuthenticationError),
        ("403", openai.PermissionDeniedError),
        ("404", openai.NotFoundError),
        ("429", openai.RateLimitError),
        ("500", openai.InternalServerError),
    ],
)
def test_openai_sdk_types_openrouters_http_errors(sim: Simulator, fault: str, error_class: type) -> None:
    with _client(sim) as client, pytest.raises(error_class) as caught:
        client.chat.completions.create(model=f"fault/{fault}", messages=HI)  # type: ignore[arg-type]
    assert caught.value.status_code == int(fault)  # type: ignore[attr-defined]


# ----- a plain OpenAI-compatible server ----------------------------------------------------------


def test_a_plain_server_lists_models_in_openais_shape(plain: Simulator) -> None:
    with _client(plain) as client:
        assert [m.id for m in client.models.list()] == list(plain.models)
    for entry in get(plain.base_url, "/models").json()["data"]:
        assert set(entry) <= _fields(Model)
        Model.model_validate(entry)


@pytest.mark.parametrize(
    ("options", "usage_chunks"),
    [(None, 0), ({"include_usage": False}, 0), ({"include_usage": True}, 1)],
)
def test_a_plain_server_sends_usage_only_when_asked(
    plain: Simulator, options: dict[str, bool] | None, usage_chunks: int
) -> None:
    plain.script("sim/quick-mini", Behaviour(text="exactly five tokens here ok"))
    extra = {} if options is None else {"stream_options": options}
    answer = chunks(
        post_chat(plain.base_url, chat("sim/quick-mini", "Count me in", stream=True, **extra)).text
    )
    with_usage = [c for c in answer if "usage" in c]
    assert len(with_usage) == usage_chunks
    if usage_chunks:
        (last,) = with_usage
        assert last is answer[-1] and last["choices"] == []  # after the finish chunk, as OpenAI sends it
        assert last["usage"]["completion_tokens"] == len(tokenize("exactly five tokens here ok")) == 5
        assert last["usage"]["prompt_tokens"] == len("Count me in") // 4


def test_the_openai_sdk_gets_exact_usage_from_a_plain_server(plain: Simulator) -> None:
    plain.script("sim/balanced-pro", Behaviour(text="a b c d e f"))
    with _client(plain) as client:
        streamed = list(
            client.chat.completions.create(
                model="sim/balanced-pro",
                messages=HI,  # type: ignore[arg-type]
                stream=True,
                stream_options={"include_usage": True},
            )
        )
    usage = streamed[-1].usage
    assert usage is not None and (usage.completion_tokens, usage.total_tokens) == (6, 6 + usage.prompt_tokens)


@pytest.mark.parametrize("model", ["sim/quick-mini", "sim/deep-reasoner"])
def test_a_plain_server_sends_none_of_openrouters_fields(plain: Simulator, model: str) -> None:
    streamed = post_chat(plain.base_url, chat(model, stream=True, stream_options={"include_usage": True}))
    assert "x-generation-id" not in streamed.headers and ": OPENROUTER" not in streamed.text
    for payload in chunks(streamed.text):
        assert _openrouter_only(payload) == set()
        ChatCompletionChunk.model_validate(payload)
    whole = post_chat(plain.base_url, chat(model)).json()
    assert _openrouter_only(whole) == set()
    ChatCompletion.model_validate(whole)


def _plain_failure(plain: Simulator, case: str) -> tuple[int, dict[str, Any]]:
    if case == "bad JSON":
        with httpx.Client() as raw:
            answer = raw.post(f"{plain.base_url}/chat/completions", content=b"{not json")
    elif case == "unknown path":
        answer = get(plain.base_url, "/generation", id="gen-1")
    elif case == "wrong key":
        plain.valid_keys = {LOCAL_KEY}
        answer = post_chat(plain.base_url, chat("sim/quick-mini"))
    else:
        answer = post_chat(plain.base_url, chat(case))
    return answer.status_code, answer.json()


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("bad JSON", 400),
        ("no/such-model", 400),
        ("wrong key", 401),
        ("unknown path", 404),
        ("fault/402", 402),
        ("fault/429", 429),
        ("fault/502", 502),
    ],
)
def test_a_plain_servers_errors_are_openai_shaped(plain: Simulator, case: str, status: int) -> None:
    got, body = _plain_failure(plain, case)
    assert got == status
    assert set(body) == {"error"} and set(body["error"]) == {"message", "type", "param", "code"}
    error = ErrorObject.model_validate(body["error"])
    assert error.message and error.type


def test_the_openai_sdk_reads_a_plain_servers_errors(plain: Simulator) -> None:
    plain.valid_keys = {LOCAL_KEY}
    with _client(plain, "wrong") as client, pytest.raises(openai.AuthenticationError) as caught:
        client.chat.completions.create(model="sim/quick-mini", messages=HI)  # type: ignore[arg-type]
    assert (caught.value.code, caught.value.type) == ("invalid_api_key", "invalid_request_error")
    plain.script("sim/quick-mini", Behaviour(text="a b c", end="stream_error", end_after=1))
    text = ""
    with _client(plain, LOCAL_KEY) as client, pytest.raises(openai.APIError) as failed:
        for chunk in client.chat.completions.create(model="sim/quick-mini", messages=HI, stream=True):  # type: ignore[arg-type]
            text += "".join(c.delta.content or "" for c in chunk.choices)
    assert text == "a" and failed.value.type == "server_error"
    assert json.dumps(failed.value.body).count("metadata") == 0  # no OpenRouter metadata
