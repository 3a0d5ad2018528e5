"""The simulator's ``/chat/completions``: streamed and plain answers, and every failure form."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from playground.simulator import features
from playground.simulator.behaviour import Behaviour
from playground.simulator.http import ChunkedWriter, RecordedRequest, head, send_body, send_json
from playground.simulator.judge import judge_answer, judge_model
from playground.simulator.models import (
    SimEndpoint,
    SimModel,
    choose_endpoint,
    generate_answer,
    generate_reasoning,
    tokenize,
)
from playground.simulator.wire import error_type, fingerprint, generation, openai_error
from playground.simulator.wire import usage as usage_block

if TYPE_CHECKING:
    from playground.simulator.server import Simulator


@dataclass
class Answer:
    """What one request will be answered with."""

    gen_id: str
    model_id: str
    served: str
    provider: str
    tokens: list[str]
    reasoning: list[str]
    finish_reason: str
    prompt_tokens: int
    prices: tuple[Decimal, Decimal]
    tps: float
    ttft: float
    plain: bool = False  # a plain OpenAI-compatible server: OpenAI's fields only
    include_usage: bool = False  # the request's stream_options.include_usage (plain servers honour it)
    extras: Any = None  # tool calls, citations, images, cache figures (simulator.features)

    def usage(self, sent: int) -> dict[str, Any]:
        usage = self._usage(sent)
        if self.extras is not None:
            self.extras.patch_usage(usage, self.prices)
        return usage

    def _usage(self, sent: int) -> dict[str, Any]:
        reasoning = len(self.reasoning)
        return usage_block(self.prompt_tokens, sent + reasoning, reasoning, self.prices, plain=self.plain)

    def chunk(self, **fields: Any) -> dict[str, Any]:
        base: dict[str, Any] = {
            "id": self.gen_id,
            "provider": self.provider,
            "model": self.served,
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "system_fingerprint": fingerprint(self.served),
        }
        if self.plain:
            del base["provider"]
            base["id"] = "chatcmpl-" + self.gen_id.removeprefix("gen-")
        base.update(fields)
        return base

    def choice(self, finish_reason: str | None, **fields: Any) -> dict[str, Any]:
        """One choice; OpenRouter also names the provider's own finish reason."""
        found: dict[str, Any] = {"index": 0, **fields, "finish_reason": finish_reason}
        if finish_reason is not None and not self.plain:
            found["native_finish_reason"] = finish_reason
        return found


def _prompt_text(body: dict[str, Any]) -> str:
    parts: list[str] = []
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts += [p.get("text", "") for p in content if isinstance(p, dict)]
    return "\n".join(parts)


def _last_user_text(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            return content if isinstance(content, str) else _prompt_text({"messages": [message]})
    return ""


def _fault_model(model_id: str) -> SimModel:
    """A stand-in catalog entry for scripted ids (``fault/...``, ``bench/...``)."""
    return SimModel(
        model_id,
        model_id,
        "Fault Injection Inc",
        200,
        0.05,
        "0.000001",
        "0.000002",
        8192,
        "scripted",
        length=120,
    )


def _has_images(body: dict[str, Any]) -> bool:
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list) and any(
            isinstance(p, dict) and p.get("type") == "image_url" for p in content
        ):
            return True
    return False


def _variant(model_id: str) -> str | None:
    base, sep, variant = model_id.rpartition(":")
    return variant if sep and base else None


class ChatResponder:
    """Answers chat requests for one Simulator."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim

    async def respond(self, request: RecordedRequest, writer: asyncio.StreamWriter) -> bool:
        try:
            body = request.json()
            assert isinstance(body, dict)
        except (ValueError, AssertionError):
            await send_json(writer, 400, self.sim.error_body(400, "Invalid JSON body"))
            return True
        model_id = str(body.get("model", ""))
        behaviour = self.sim.behaviour_for(model_id)
        failure = self.sim.auth_failure(request)
        if failure is not None and (behaviour is None or behaviour.status == 200):
            await send_json(writer, 401, failure)
            return True
        # OpenRouter's ``models`` list: try each in turn; the answer names the one that served it.
        fallbacks = [m for m in body.get("models") or [] if isinstance(m, str)]
        candidates = list(dict.fromkeys([model_id, *fallbacks]))
        for index, candidate in enumerate(candidates):
            last = index == len(candidates) - 1
            if index:
                behaviour = self.sim.behaviour_for(candidate)
            model = self._resolve(candidate)
            if behaviour is None and model is None:
                if last:
                    message = f"{model_id} is not a valid model ID"
                    await send_json(writer, 400, self.sim.error_body(400, message))
                    return True
                continue
            behaviour = behaviour or Behaviour()
            if behaviour.status != 200:
                if last:
                    await self._http_error(writer, behaviour)
                    return True
                continue
            if model is not None and _has_images(body) and "image" not in model.input_modalities:
                if last:
                    message = "No endpoints found that support image input"
                    await send_json(writer, 404, self.sim.error_body(404, message))
                    return True
                continue
            endpoint = choose_endpoint(
                model or _fault_model(candidate), body.get("provider"), _variant(candidate)
            )
            if endpoint is None:
                if last:
                    message = "No allowed providers are available for the selected model."
                    await send_json(writer, 503, self.sim.error_body(503, message, {"model": candidate}))
                    return True
                continue
            if behaviour.raw_body is not None:
                await send_body(writer, 200, behaviour.raw_body, behaviour.content_type, behaviour.headers)
                return True
            answer = self._answer(candidate, model, behaviour, body, endpoint)
            answer.include_usage = _wants_usage(body)
            if body.get("stream"):
                return await Streamer(self.sim, writer, behaviour, answer).run()
            await self._plain(writer, behaviour, answer)
            return True
        return True

    def _resolve(self, model_id: str) -> SimModel | None:
        model = self.sim.models.get(model_id) or features.preset_model(self.sim, model_id)
        base, _, variant = model_id.rpartition(":")
        if model is None and variant in ("nitro", "floor"):
            model = self.sim.models.get(base)
        return model or judge_model(model_id)

    def _answer(
        self, model_id: str, model: SimModel | None, b: Behaviour, body: dict[str, Any], endpoint: SimEndpoint
    ) -> Answer:
        model = model or _fault_model(model_id)
        speaker = self.sim.models.get(model.answers_as or "", model)
        routed = endpoint.provider != model.provider
        scale = self.sim.time_scale
        prompt = _last_user_text(body)
        verdict = judge_answer(model_id, body) if b.text is None else None
        text = b.text if b.text is not None else verdict or generate_answer(speaker, prompt)
        tokens = tokenize(text)
        if b.chunk_repeat > 1:
            tokens = ["".join(tokens[i : i + b.chunk_repeat]) for i in range(0, len(tokens), b.chunk_repeat)]
        finish = b.finish_reason
        max_tokens = body.get("max_tokens") or body.get("max_completion_tokens")
        if isinstance(max_tokens, int) and 0 < max_tokens < len(tokens):
            tokens, finish = tokens[:max_tokens], "length"
        reasoning_text = (
            b.reasoning
            if b.reasoning is not None
            else (generate_reasoning(prompt) if speaker.reasoning else "")
        )
        answer = Answer(
            gen_id=self.sim.next_id(),
            model_id=model_id,
            served=b.served_model or speaker.id,
            provider=b.provider or (endpoint.provider if routed else speaker.provider),
            tokens=tokens,
            reasoning=tokenize(reasoning_text),
            finish_reason=finish,
            prompt_tokens=max(1, len(_prompt_text(body)) // 4),
            prices=(
                Decimal(max(speaker.prompt_price, "0")) * Decimal(str(endpoint.price_factor)),
                Decimal(max(speaker.completion_price, "0")) * Decimal(str(endpoint.price_factor)),
            ),
            tps=b.tokens_per_second
            if b.tokens_per_second is not None
            else speaker.tokens_per_second * endpoint.speed_factor / scale
            if scale
            else 0.0,
            ttft=b.ttft if b.ttft is not None else speaker.ttft * endpoint.latency_factor * scale,
            plain=self.sim.openai_compatible,
        )
        return features.shape(self.sim, body, answer, scripted=b.text is not None or bool(verdict))

    async def _http_error(self, writer: asyncio.StreamWriter, b: Behaviour) -> None:
        body = self.sim.error_body(b.status, b.error_message or "error", b.error_metadata)
        if b.error_code is not None and not self.sim.openai_compatible:
            body["error"]["code"] = b.error_code  # an odd code (a word, another number), when scripted
        await send_json(writer, b.status, body, b.headers, gzip=b.gzip)

    async def _plain(self, writer: asyncio.StreamWriter, b: Behaviour, answer: Answer) -> None:
        await asyncio.sleep(answer.ttft)
        if b.json_error_200:  # an odd form: HTTP 200 whose body is an error object
            error = self.sim.error_body(502, b.error_message or "Provider returned error")["error"]
            if b.error_code is not None and not self.sim.openai_compatible:
                error["code"] = b.error_code
            await send_json(writer, 200, {"error": error}, gzip=b.gzip)
            return
        message: dict[str, Any] = {"role": "assistant", "content": "".join(answer.tokens)}
        if answer.reasoning:
            message["reasoning"] = "".join(answer.reasoning)
        features.patch_message(answer, message)
        body = answer.chunk(
            object="chat.completion",
            choices=[answer.choice(answer.finish_reason, message=message)],
            usage={**answer.usage(len(answer.tokens)), **_odd(b, "usage")},
        )
        body.update(_odd(b, "chunk"))
        headers: tuple[tuple[str, str], ...] = ()
        if not answer.plain:
            self.sim.generations[answer.gen_id] = _generation_stats(
                answer, len(answer.tokens), streamed=False
            )
            headers = (("X-Generation-Id", answer.gen_id),)
        await send_json(writer, 200, body, headers, gzip=b.gzip)


def _wants_usage(body: dict[str, Any]) -> bool:
    options = body.get("stream_options")
    return isinstance(options, dict) and options.get("include_usage") is True


def _odd(b: Behaviour, part: str) -> dict[str, Any]:
    """Fields a Behaviour asks to add to every ``chunk`` or to the ``usage`` block (odd forms)."""
    fields = b.extra.get(part)
    return dict(fields) if isinstance(fields, dict) else {}


def _generation_stats(answer: Answer, sent: int, *, streamed: bool) -> dict[str, Any]:
    counts = answer.usage(sent)
    stats = generation(
        answer.gen_id,
        answer.served,
        answer.provider,
        counts,
        latency_ms=int(answer.ttft * 1000),
        generation_ms=int(sent / answer.tps * 1000) if answer.tps else 0,
        finish_reason=answer.finish_reason,
        streamed=streamed,
    )
    return {**stats, **features.stats(answer)}


class Streamer:
    """Writes one SSE answer the way OpenRouter does, ending in the behaviour's chosen form."""

    def __init__(self, sim: Simulator, writer: asyncio.StreamWriter, b: Behaviour, answer: Answer) -> None:
        self.sim = sim
        self.writer = writer
        self.b = b
        self.answer = answer
        self.out = ChunkedWriter(writer, gzip=b.gzip)
        self.newline = "\r\n" if b.crlf else "\n"

    async def run(self) -> bool:
        """Stream the answer; False when the connection must not be reused."""
        headers = [
            ("Content-Type", self.b.content_type),
            ("Cache-Control", "no-cache"),
            ("Transfer-Encoding", "chunked"),
            *([] if self.answer.plain else [("X-Generation-Id", self.answer.gen_id)]),
            *self.b.headers,
        ]
        if self.b.gzip:
            headers.append(("Content-Encoding", "gzip"))
        self.writer.write(head(200, headers))
        await self.comment()
        await asyncio.sleep(self.answer.ttft)
        await self.comment()
        await self.event(
            self.answer.chunk(choices=[self.answer.choice(None, delta={"role": "assistant", "content": ""})])
        )
        await self._pieces(self.answer.reasoning, "reasoning", None)
        sent = await self._pieces(self.answer.tokens, "content", self.b.end_after)
        await features.stream_extras(self)
        return await self._end(sent)

    async def _pieces(self, tokens: list[str], field: str, limit: int | None) -> int:
        start = time.monotonic()
        count = len(tokens) if limit is None else min(limit, len(tokens))
        for i in range(count):
            delta: dict[str, Any] = {"role": "assistant", field: tokens[i]}
            if field == "reasoning":
                delta["content"] = ""
            await self.event(self.answer.chunk(choices=[self.answer.choice(None, delta=delta)]))
            if i % 40 == 39:
                await self.comment()
            if self.answer.tps:
                delay = start + (i + 1) / self.answer.tps - time.monotonic()
                if delay > 0.002:
                    await asyncio.sleep(delay)
        return count

    async def comment(self) -> None:
        if self.b.keepalive and not self.answer.plain:
            await self.send(f": OPENROUTER PROCESSING{self.newline}{self.newline}".encode())

    async def event(self, payload: dict[str, Any] | str) -> None:
        if isinstance(payload, dict) and "object" in payload:
            payload = {**payload, **_odd(self.b, "chunk")}
        data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        await self.send(f"data: {data}{self.newline}{self.newline}".encode())

    async def send(self, data: bytes) -> None:
        if not self.b.split_utf8:
            await self.out.write(data)
            return
        for i in range(0, len(data), 3):  # 3-byte pieces cut most multibyte characters apart
            await self.out.write(data[i : i + 3])
            await asyncio.sleep(0.001)

    async def _end(self, sent: int) -> bool:
        end = self.b.end
        if not self.answer.plain:
            self.sim.generations[self.answer.gen_id] = _generation_stats(self.answer, sent, streamed=True)
        if end in ("done", "no_done"):
            await self._finish_and_usage(sent)
            if end == "done":
                await self.event("[DONE]")
        elif end == "truncate":
            pass
        elif end == "disconnect":
            self.writer.transport.abort()
            return False
        elif end == "stall":
            await asyncio.sleep(self.b.stall_seconds)
            self.writer.transport.abort()
            return False
        elif end == "malformed":
            await self.send(
                f'data: {{"id": "{self.answer.gen_id}", "choices": [{{"delta": '.encode() + b"\n\n"
            )
        elif end == "stream_error":
            await self._stream_error()
        await self.out.end()
        return True

    async def _finish_and_usage(self, sent: int) -> None:
        delta = {"role": "assistant", "content": ""}
        await self.event(
            self.answer.chunk(choices=[self.answer.choice(self.answer.finish_reason, delta=delta)])
        )
        await self.comment()
        # A plain server sends usage only when asked; usage_form "none" is a server that never does.
        if self.b.usage_form == "none" or (self.answer.plain and not self.answer.include_usage):
            return
        choices = (
            []
            if self.b.usage_form == "empty_choices" or self.answer.plain
            else [self.answer.choice(None, delta={"content": ""})]
        )
        counts = {**self.answer.usage(sent), **_odd(self.b, "usage")}
        await self.event(self.answer.chunk(choices=choices, usage=counts))

    async def _stream_error(self) -> None:
        code = self.b.error_code if self.b.error_code is not None else 502
        message = self.b.error_message or "Provider returned error"
        if self.answer.plain:  # OpenAI-compatible servers send a bare OpenAI-shaped error event
            status = code if isinstance(code, int) else 500
            await self.event(openai_error(status, message))
            return
        # The SDK's form: an integer code and metadata.error_type; other metadata only when scripted.
        metadata = self.b.error_metadata or {
            "error_type": error_type(code if isinstance(code, int) else None),
            "provider_name": self.answer.provider,
            "raw": "upstream reset",
        }
        error = {"code": code, "message": message, "metadata": metadata}
        failing_choice = [self.answer.choice("error", delta={"content": ""})]
        variant = self.b.error_variant
        if variant == 1:
            await self.event(self.answer.chunk(error=error, choices=failing_choice))
            await self.event("[DONE]")
        elif variant == 2:
            await self.event(self.answer.chunk(error=error, choices=[]))
        elif variant == 3:
            await self.event({"error": error})
        else:
            await self.event(self.answer.chunk(choices=failing_choice))
