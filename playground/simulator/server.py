"""Simulator: a real HTTP server on loopback, in its own thread, that speaks OpenRouter's API."""

from __future__ import annotations

import asyncio
import itertools
import random
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterable
from typing import Any

from playground.simulator.behaviour import FAULTS, Behaviour
from playground.simulator.chat import ChatResponder
from playground.simulator.http import RecordedRequest, read_request, send_json
from playground.simulator.models import DEFAULT_MODELS, SimModel, endpoints_for
from playground.simulator.wire import key_info, model_endpoints, models_page, openai_error, openrouter_error

__all__ = ["RecordedRequest", "Simulator"]


# Faults mixed in by ``chaos``: each ends quickly and in a definite state.
CHAOS = (
    FAULTS["500"],
    FAULTS["502"],
    FAULTS["truncate"],
    FAULTS["disconnect"],
    FAULTS["malformed"],
    FAULTS["stream-error"],
    FAULTS["stream-error-3"],
    Behaviour(status=429, headers=(("Retry-After", "0"),)),
    Behaviour(end="disconnect", end_after=40),
)


def bench_behaviour(spec: str) -> Behaviour:
    """``bench/2000`` streams 2,000 chunks as fast as it can; ``bench/1200@80`` at 80 per second;
    ``bench/md-50000`` 50,000 tokens of Markdown; ``/x25`` joins 25 tokens per chunk."""
    spec, _, per_chunk = spec.partition("/x")
    spec, _, rate = spec.partition("@")
    markdown = spec.startswith("md-")
    try:
        count = int(spec.removeprefix("md-"))
        tps = float(rate) if rate else 0.0
        repeat = int(per_chunk) if per_chunk else 1
    except ValueError:
        return Behaviour()
    text = markdown_of_length(count) if markdown else "tok " * count
    return Behaviour(text=text, tokens_per_second=tps, ttft=0.0, keepalive=False, chunk_repeat=repeat)


def markdown_of_length(tokens: int) -> str:
    """Markdown with headings, lists, code blocks and tables, about ``tokens`` tokens long."""
    section = (
        "## Section {n}\n\nSome prose about the topic, with **bold** and `code` words in it.\n\n"
        "- first point of {n}\n- second point\n\n| key | value |\n|---|---|\n| a | {n} |\n| b | 2 |\n\n"
        "```python\ndef f{n}(x):\n    return x * {n}\n```\n\n"
    )
    parts: list[str] = []
    words = 0
    n = 0
    while words < tokens:
        chunk = section.format(n=n)
        parts.append(chunk)
        words += len(chunk.split())
        n += 1
    return "".join(parts)


class Simulator:
    """A local OpenRouter. ``with Simulator() as sim:`` starts it; ``sim.base_url`` is its API root.

    ``time_scale`` multiplies the models' own pacing (0 = as fast as possible); speeds and waits
    given explicitly in a Behaviour are not scaled.
    """

    def __init__(
        self,
        models: Iterable[SimModel] = DEFAULT_MODELS,
        *,
        time_scale: float = 1.0,
        valid_keys: set[str] | None = None,
        key_data: dict[str, Any] | None = None,
        redirect_to: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl_context: Any = None,
        chaos: float = 0.0,
        seed: int = 0,
        openai_compatible: bool = False,
    ) -> None:
        self.models = {m.id: m for m in models}
        self.time_scale = time_scale
        self.valid_keys = valid_keys
        self.key_data = key_data or {}
        self.redirect_to = redirect_to
        self.host = host
        self.port = port
        self.ssl_context = ssl_context
        self.chaos = chaos  # share of unscripted requests that get a random fault
        # A plain OpenAI-compatible server (a local Ollama, vLLM...): /v1 root, OpenAI's /models shape
        # and error bodies, no OpenRouter fields (provider, cost...), a usage chunk only when
        # ``stream_options.include_usage`` asks, no keep-alive comments, no /key; a key only if valid_keys.
        self.openai_compatible = openai_compatible
        self._random = random.Random(seed)
        self.requests: list[RecordedRequest] = []
        self.generations: dict[str, dict[str, Any]] = {}
        self.open_connections = 0
        self._scripts: dict[str, deque[Behaviour]] = defaultdict(deque)
        self._defaults: dict[str, Behaviour] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._startup_error: OSError | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._responder = ChatResponder(self)

    # ----- control, from any thread ------------------------------------------------------------

    @property
    def base_url(self) -> str:
        scheme = "https" if self.ssl_context is not None else "http"
        root = "/v1" if self.openai_compatible else "/api/v1"
        return f"{scheme}://{self.host}:{self.port}{root}"

    def script(self, model: str, *behaviours: Behaviour) -> None:
        """The next requests for ``model`` get these behaviours, in order; then the default."""
        with self._lock:
            self._scripts[model].extend(behaviours)

    def set_default(self, model: str, behaviour: Behaviour | None) -> None:
        with self._lock:
            if behaviour is None:
                self._defaults.pop(model, None)
            else:
                self._defaults[model] = behaviour

    def chat_requests(self, model: str | None = None) -> list[RecordedRequest]:
        with self._lock:
            found = [r for r in self.requests if r.path.endswith("/chat/completions")]
        return [r for r in found if model is None or r.json().get("model") == model]

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def error_body(self, status: int, message: str, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
        """An error body in this server's dialect: OpenRouter's, or OpenAI's for a plain server."""
        if self.openai_compatible:
            return openai_error(status, message)
        return openrouter_error(status, message, metadata)

    def next_id(self) -> str:
        return f"gen-{int(time.time())}-{next(self._ids):06d}"

    def behaviour_for(self, model: str) -> Behaviour | None:
        """Scripted first, then a chaos fault (if enabled), then the model's default or fault id."""
        with self._lock:
            queue = self._scripts.get(model)
            if queue:
                return queue.popleft()
            if self.chaos and model in self.models and self._random.random() < self.chaos:
                return self._random.choice(CHAOS)
            if model in self._defaults:
                return self._defaults[model]
        if model.startswith("fault/"):
            return FAULTS.get(model.removeprefix("fault/"), Behaviour())
        if model.startswith("bench/"):
            return bench_behaviour(model.removeprefix("bench/"))
        return None

    # ----- lifecycle ----------------------------------------------------------------------------

    def start(self) -> Simulator:
        self._thread = threading.Thread(target=self._run, name="simulator", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the simulator did not start")
        if self._startup_error is not None:
            self._thread.join(1)
            self._thread = None
            raise self._startup_error
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except OSError as exc:
            self._startup_error = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._accept, self.host, self.port, ssl=self.ssl_context)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()
            server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.open_connections += 1
        try:
            await self._serve_connection(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        except asyncio.CancelledError:
            pass  # shutting down; ending normally keeps asyncio's stream callback from logging it
        finally:
            self.open_connections -= 1
            self._tasks.discard(task)
            writer.transport.abort()

    async def _serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            request = await read_request(reader)
            if request is None:
                return
            with self._lock:
                self.requests.append(request)
            keep_open = await self._route(request, writer)
            if not keep_open or request.headers.get("connection", "").lower() == "close":
                return

    # ----- routing ------------------------------------------------------------------------------

    async def _route(self, request: RecordedRequest, writer: asyncio.StreamWriter) -> bool:
        path = request.path
        for prefix in ("/api/v1", "/v1"):
            if path.startswith(prefix):
                path = path[len(prefix) :]
                break
        if self.redirect_to is not None:
            location = self.redirect_to.rstrip("/") + request.path
            await send_json(writer, 307, self.error_body(307, "moved"), (("Location", location),))
            return True
        if request.method == "POST" and path == "/chat/completions":
            return await self._responder.respond(request, writer)
        if request.method != "GET":
            await send_json(writer, 405, self.error_body(405, "Method not allowed"))
            return True
        await self._get(path, request, writer)
        return True

    async def _get(self, path: str, request: RecordedRequest, writer: asyncio.StreamWriter) -> None:
        if path == "/models" and self.openai_compatible:
            data = [
                {"id": m.id, "object": "model", "created": 1_760_000_000 + i, "owned_by": "library"}
                for i, m in enumerate(self.models.values())
            ]
            await send_json(writer, 200, {"object": "list", "data": data})
        elif path == "/models":
            data = [m.to_json(i) for i, m in enumerate(self.models.values())]
            await send_json(writer, 200, models_page(data, request.query, self.base_url))
        elif path == "/models/count" and not self.openai_compatible:
            await send_json(writer, 200, {"data": {"count": len(self.models)}})
        elif self.openai_compatible:
            await send_json(writer, 404, self.error_body(404, "Not Found"))
        elif path.startswith("/models/") and path.endswith("/endpoints"):
            await self._endpoints(path.removeprefix("/models/").removesuffix("/endpoints"), writer)
        elif path.startswith("/model/"):
            model = self.models.get(path.removeprefix("/model/"))
            if model is None:
                await send_json(writer, 404, self.error_body(404, "Model not found"))
            else:
                await send_json(writer, 200, {"data": model.to_json(list(self.models).index(model.id))})
        elif path in ("/key", "/auth/key", "/credits", "/generation"):
            await self._account(path, request, writer)
        else:
            await send_json(writer, 404, self.error_body(404, "Not Found"))

    async def _endpoints(self, model_id: str, writer: asyncio.StreamWriter) -> None:
        ids = list(self.models)
        model = self.models.get(model_id)
        if model is None:
            await send_json(writer, 404, self.error_body(404, f"Model {model_id} not found"))
            return
        listing = model_endpoints(model, endpoints_for(model), ids.index(model_id))
        await send_json(writer, 200, {"data": listing})

    def auth_failure(self, request: RecordedRequest) -> dict[str, Any] | None:
        auth = request.headers.get("authorization", "")
        if self.openai_compatible and self.valid_keys is None:
            return None  # a local server that needs no key
        if not auth.lower().startswith("bearer ") or not auth[7:].strip():
            return self.error_body(401, "No auth credentials found")
        if self.valid_keys is not None and auth[7:].strip() not in self.valid_keys:
            return self.error_body(401, "User not found.")
        return None

    async def _account(self, path: str, request: RecordedRequest, writer: asyncio.StreamWriter) -> None:
        failure = self.auth_failure(request)
        if failure is not None:
            await send_json(writer, 401, failure)
            return
        key = request.headers["authorization"][7:].strip()
        if path == "/credits":
            if not self.key_data.get("is_management_key"):
                await send_json(writer, 403, self.error_body(403, "Only management keys can fetch credits"))
            else:
                await send_json(writer, 200, {"data": {"total_credits": 25.0, "total_usage": 7.25}})
        elif path == "/generation":
            stats = self.generations.get(request.query.get("id", ""))
            if stats is None:
                await send_json(writer, 404, self.error_body(404, "Generation not found"))
            else:
                await send_json(writer, 200, {"data": stats})
        else:
            await send_json(writer, 200, {"data": self._key_payload(key)})

    def _key_payload(self, key: str) -> dict[str, Any]:
        label = f"{key[:12]}...{key[-3:]}" if len(key) > 15 else "sk-or-v1-..."
        payload = key_info(label)
        payload.update(self.key_data)
        return payload
