"""Checking the simulator's raw answers against the official SDKs' own types.

Two checks per answer: the SDK's pydantic model, parsed the way the SDK itself parses a response,
and the SDK's TypedDict of the same shape. The second is the strict one: the SDK's models quietly
turn a malformed optional block (a ``cost_details`` without its required costs) into "unset", the
TypedDict names the missing field.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import Any

import httpx
from openrouter.utils import BackoffStrategy, RetryConfig
from openrouter.utils.serializers import unmarshal_json
from pydantic import TypeAdapter, ValidationError

from tests.conftest import FAKE_KEY

AUTH = {"Authorization": f"Bearer {FAKE_KEY}"}
# The SDK retries 5xx for up to an hour by default; these tests want each answer as it is.
NO_RETRY = RetryConfig("none", BackoffStrategy(1, 1, 1.0, 1), False)


def rejections(model: Any, typed_dict: Any, raw: str) -> list[str]:
    """Where the SDK's model or TypedDict rejects ``raw`` (JSON text): "path: reason" lines."""
    found: list[str] = []
    for check in (lambda: unmarshal_json(raw, model), lambda: _adapter(typed_dict).validate_json(raw)):
        try:
            check()
        except ValidationError as exc:
            found += [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
    return sorted(set(found))


@cache
def _adapter(typed_dict: Any) -> TypeAdapter[Any]:
    return TypeAdapter(typed_dict)  # building one takes a while: the SDK's types are large


def sse_data(body: str) -> Iterator[str]:
    """The ``data:`` payloads of an SSE body, without keep-alive comments and ``[DONE]``."""
    for line in body.splitlines():
        if line.startswith("data: ") and line[6:] != "[DONE]":
            yield line[6:]


def post_chat(base_url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
    """One raw chat request, its answer read whole."""
    with httpx.Client(base_url=base_url, headers=AUTH if headers is None else headers) as client:
        return client.post("/chat/completions", json=body, timeout=30)


def get(base_url: str, path: str, **params: Any) -> httpx.Response:
    with httpx.Client(base_url=base_url, headers=AUTH) as client:
        return client.get(path, params=params, timeout=30)


def chat(model: str, prompt: str = "Say hello", **fields: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": prompt}], **fields}


def chunks(body: str) -> list[dict[str, Any]]:
    return [json.loads(d) for d in sse_data(body)]
