"""Other OpenAI-compatible endpoints beside OpenRouter: a local Ollama, LM Studio, vLLM, llama.cpp...

An endpoint has a name, a base URL and optionally a key, kept in the OS keyring and bound to that
endpoint: ``RoutedClient`` sends each request with the key of the endpoint it goes to, so a key is
only ever sent to the endpoint it belongs to. Endpoint models are named ``@<endpoint>/<model id>``
so they can sit in panes beside OpenRouter models.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncGenerator, Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from playground.core.atomic import atomic_write, quarantine, read_json
from playground.core.catalog import ModelInfo
from playground.core.errors import ConfigError, PlaygroundError
from playground.core.estimate import estimate_tokens
from playground.core.events import Delta, Failed, FailureKind, Finished, StreamEvent, Usage
from playground.core.modelref import PRESET
from playground.core.modelref import model_ref as model_ref  # re-exported: older imports
from playground.core.modelref import split_ref as split_ref
from playground.core.openrouter import OpenRouterClient, check_base_url, valid_url
from playground.core.request import ChatRequest
from playground.core.secrets import RESERVED_PREFIX

log = logging.getLogger(__name__)

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


@dataclass(frozen=True)
class Endpoint:
    """An OpenAI-compatible API root (``.../v1``) and whether a key is stored for it."""

    name: str
    base_url: str
    has_key: bool = False


def validate_endpoint_name(name: str) -> str:
    name = name.strip().lower()
    if not _NAME.match(name):
        raise ConfigError(
            f"Endpoint name {name!r}: use 1-32 lower-case letters, digits, '-' or '_' (e.g. 'ollama')."
        )
    if name == PRESET:
        raise ConfigError("Endpoint name 'preset' is reserved: @preset/NAME is an OpenRouter preset.")
    return name


def check_endpoint_url(url: str, *, with_key: bool) -> str:
    """A usable base URL. With a key the same rule as OpenRouter's: https, or http to this machine;
    without one, plain http to another machine (a LAN server) is allowed - nothing secret is sent."""
    return check_base_url(url) if with_key else valid_url(url)


def keyring_name(endpoint: str) -> str:
    """The keyring entry of an endpoint's key (apart from OpenRouter keys' names)."""
    return f"{RESERVED_PREFIX}{endpoint}"  # a name OpenRouter keys may not take


def _well_formed(entry: Any) -> bool:
    """An endpoint entry as the app writes it: a name and a URL as text, has_key a boolean."""
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("name"), str)
        and isinstance(entry.get("base_url"), str)
        and isinstance(entry.get("has_key", False), bool)
    )


class EndpointStore:
    """The endpoints, in ``endpoints.json`` under the config dir (never their keys)."""

    def __init__(self, path: Path, warnings: list[str] | None = None) -> None:
        self.path = path
        self.warnings = warnings if warnings is not None else []

    def load(self) -> list[Endpoint]:
        try:
            data = read_json(self.path)  # untrusted: UTF-8, no NaN, bounded
            entries = data.get("endpoints", []) if isinstance(data, dict) else None
            if not isinstance(entries, list) or not all(map(_well_formed, entries)):
                raise ValueError("no endpoint list")
            return [Endpoint(e["name"], e["base_url"], e.get("has_key") is True) for e in entries]
        except FileNotFoundError:
            return []
        except OSError as exc:  # unreadable, not damaged: the file is left where it is
            self._warn(f"Could not read the endpoints ({exc.strerror or exc}); none are used.")
            return []
        except ValueError:
            self._warn(f"The endpoints file was damaged; {_set_aside(self.path)} and no endpoints are set.")
            return []

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)
        log.warning(message)

    def get(self, name: str) -> Endpoint:
        for endpoint in self.load():
            if endpoint.name == name:
                return endpoint
        known = ", ".join(e.name for e in self.load()) or "none"
        raise ConfigError(
            f"No endpoint named '{name}' (known: {known}). Add one with `playground endpoint add`."
        )

    def _save(self, endpoints: Iterable[Endpoint]) -> None:
        data = {"schema_version": 1, "endpoints": [asdict(e) for e in endpoints]}
        try:
            atomic_write(self.path, json.dumps(data, indent=2) + "\n")
        except OSError as exc:
            raise PlaygroundError(f"Could not save the endpoints: {exc.strerror}.") from None

    def add(self, name: str, base_url: str, *, has_key: bool) -> Endpoint:
        endpoint = Endpoint(
            validate_endpoint_name(name), check_endpoint_url(base_url, with_key=has_key), has_key
        )
        others = [e for e in self.load() if e.name != endpoint.name]
        self._save([*others, endpoint])
        return endpoint

    def remove(self, name: str) -> Endpoint:
        endpoint = self.get(name)
        self._save([e for e in self.load() if e.name != name])
        return endpoint


def _set_aside(path: Path) -> str:
    """Move a damaged file aside; say where (or why it stayed, e.g. a read-only folder)."""
    try:
        return f"it was kept as {quarantine(path).name}"
    except OSError as exc:
        return f"it could not be moved aside ({exc.strerror or exc})"


def catalog_entries(endpoint: Endpoint, raw: Iterable[Any]) -> list[ModelInfo]:
    """An endpoint's ``/models`` (OpenAI's shape: id, owned_by...) as catalog entries with no prices."""
    found: list[ModelInfo] = []
    for entry in raw:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str) or not entry["id"].strip():
            continue
        model_id = entry["id"].strip()
        ref = model_ref(endpoint.name, model_id)
        context = next(
            (
                entry[k]
                for k in ("context_length", "max_model_len", "context_window")
                if isinstance(entry.get(k), int)
            ),
            None,
        )
        description = f"On {endpoint.name} ({endpoint.base_url}); no prices: local or unknown cost."
        found.append(
            ModelInfo(
                id=ref,
                name=f"{model_id} ({endpoint.name})",
                description=description,
                context_length=context,
                haystack=f"{ref} {model_id} {endpoint.name} local".lower(),
            )
        )
    return found


class RoutedClient:
    """A ChatClient over OpenRouter and the endpoints: each request goes to the client its model
    names, with that client's own key, and OpenRouter-only fields are left out for endpoints."""

    def __init__(
        self, openrouter: OpenRouterClient | None, endpoints: Mapping[str, OpenRouterClient] | None = None
    ) -> None:
        self.openrouter = openrouter
        self.endpoints = dict(endpoints or {})

    @classmethod
    def for_model(cls, model: str, client: OpenRouterClient | None) -> RoutedClient:
        """Routing for one answer over the one client its model names (OpenRouter's, or its
        endpoint's); with None the answer fails in words, as an unknown endpoint does."""
        ref = split_ref(model)
        if ref is None:
            return cls(client)
        return cls(None, {ref[0]: client} if client is not None else {})

    async def aclose(self) -> None:
        for client in [self.openrouter, *self.endpoints.values()]:
            if client is not None:
                await client.aclose()

    async def __aenter__(self) -> RoutedClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def stream_chat(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        ref = split_ref(request.model)
        if ref is None:
            if self.openrouter is None:
                return _fail(request.model, "no OpenRouter key is set - add one in Key settings")
            return self.openrouter.stream_chat(request)
        name, model_id = ref
        client = self.endpoints.get(name)
        if client is None:
            return _fail(request.model, f"there is no endpoint named '{name}' - add it under Endpoints")
        # Only what any OpenAI-compatible server understands: no routing, no OpenRouter extras; and
        # ask for usage in the stream (vLLM, Ollama, LM Studio send exact counts only when asked).
        # Messages keep naming "@name/id", so an error says which endpoint it came from.
        plain = replace(
            request,
            model=model_id,
            params=request.params.openai_compatible(),
            extra={"stream_options": {"include_usage": True}},
            routing=None,
            label=request.model,
        )
        return _with_estimated_usage(client.stream_chat(plain), request)


async def _fail(model: str, why: str) -> AsyncGenerator[StreamEvent, None]:
    yield Failed(model, FailureKind.BAD_REQUEST, f"{model}: {why}")


async def _with_estimated_usage(
    events: AsyncGenerator[StreamEvent, None], request: ChatRequest
) -> AsyncGenerator[StreamEvent, None]:
    """Endpoints that send no usage get token counts estimated from the text, marked as estimates."""
    seen_usage = False
    chars = 0
    try:
        async for event in events:
            if type(event) is Delta:
                chars += len(event.text)
            elif isinstance(event, Usage):
                seen_usage = True
            elif isinstance(event, Finished) and not seen_usage:
                sent = "\n".join(_text_of(m.get("content")) for m in request.messages)
                yield Usage(
                    prompt_tokens=estimate_tokens(sent),
                    completion_tokens=(chars + 3) // 4,
                    total_tokens=estimate_tokens(sent) + (chars + 3) // 4,
                    estimated=True,
                )
            yield event
    finally:
        await events.aclose()


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(p.get("text", "") for p in content if isinstance(p, Mapping))
    return ""
