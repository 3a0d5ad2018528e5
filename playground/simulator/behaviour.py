"""How the simulator answers one request: a plain dataclass, plus named faults from OPENROUTER.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Behaviour:
    """One scripted response. The defaults give a normal, complete streamed answer.

    ``end`` says how a stream ends:
      ``done`` finish chunk, usage chunk, ``[DONE]``; ``no_done`` the same without ``[DONE]``;
      ``truncate`` the body ends cleanly with no finish reason and no ``[DONE]``;
      ``disconnect`` the socket is cut; ``stall`` nothing more is sent for ``stall_seconds``;
      ``malformed`` a chunk that is not JSON; ``stream_error`` an in-stream error, form
      ``error_variant`` 1-4 (error + finish_reason error / error + empty choices / bare error /
      finish_reason error with no error object).
    """

    status: int = 200
    error_code: int | str | None = None  # defaults to status
    error_message: str = ""
    error_metadata: dict[str, Any] | None = None
    headers: tuple[tuple[str, str], ...] = ()
    text: str | None = None  # the answer; None = generated for the model and prompt
    reasoning: str | None = None  # None = the model's default (reasoning models only)
    tokens_per_second: float | None = None  # None = the model's speed; 0 = as fast as possible
    ttft: float | None = None  # seconds before the first token; None = the model's
    end: str = "done"
    end_after: int | None = None  # tokens sent before the end form; None = all
    error_variant: int = 1
    stall_seconds: float = 3600.0
    usage_form: str = "empty_choices"  # empty_choices | one_choice | none
    finish_reason: str = "stop"
    keepalive: bool = True  # ": OPENROUTER PROCESSING" before and between events
    crlf: bool = False
    split_utf8: bool = False  # write each event in small pieces that cut multibyte characters
    content_type: str = "text/event-stream"
    raw_body: bytes | None = None  # sent as-is with ``content_type`` (e.g. an HTML page)
    served_model: str | None = None
    provider: str | None = None
    gzip: bool = False
    json_error_200: bool = False  # non-streaming: HTTP 200 whose body is an error object
    chunk_repeat: int = 1  # join this many tokens per chunk (1 MB chunk tests)
    # Odd forms seen in the wild, opt-in: {"chunk": fields added to every chunk (e.g.
    # {"system_fingerprint": None}), "usage": fields that replace the usage block's (e.g. a short
    # cost_details)}. Without them every answer matches the official SDKs' types.
    extra: dict[str, Any] = field(default_factory=dict)


def _http(status: int, message: str, **kw: Any) -> Behaviour:
    return Behaviour(status=status, error_message=message, **kw)


# Named faults: the model id ``fault/<name>`` always behaves like this; tests script them too.
FAULTS: dict[str, Behaviour] = {
    "400": _http(400, "fault/400 is not a valid model ID"),
    "401": _http(401, "User not found."),
    "402": _http(
        402,
        "This request requires more credits, or fewer max_tokens. You requested up to 4096 "
        "tokens, but can only afford 120.",
    ),
    "403": _http(
        403,
        "Your input was flagged",
        error_metadata={
            "reasons": ["harassment", "violence"],
            "flagged_input": "...",
            "provider_name": "OpenAI",
            "model_slug": "fault/403",
        },
    ),
    "403-limit": _http(403, "Key limit exceeded (total limit). Raise the limit to continue."),
    "404": _http(404, "No endpoints found for fault/404."),
    "408": _http(408, "Request timed out"),
    "413": _http(413, "Payload too large"),
    "422": _http(422, "Unprocessable entity"),
    "429": _http(429, "Rate limit exceeded", headers=(("Retry-After", "1"),)),
    "500": _http(500, "Internal Server Error"),
    "502": _http(
        502,
        "Provider returned error",
        error_metadata={"raw": "upstream connect error", "provider_name": "Example AI"},
    ),
    "503": _http(503, "No allowed providers are available for the selected model."),
    "524": _http(524, "Provider timed out"),
    "529": _http(529, "Provider overloaded"),
    "truncate": Behaviour(end="truncate", end_after=12),
    "disconnect": Behaviour(end="disconnect", end_after=12),
    "stall": Behaviour(end="stall", end_after=5),
    "malformed": Behaviour(end="malformed", end_after=8),
    "html": Behaviour(raw_body=b"<html><body>Bad gateway</body></html>", content_type="text/html"),
    "stream-error": Behaviour(end="stream_error", end_after=6, error_code=502),
    "stream-error-2": Behaviour(end="stream_error", error_variant=2, error_code="server_error"),
    "stream-error-3": Behaviour(end="stream_error", error_variant=3, end_after=4),
    "stream-error-4": Behaviour(end="stream_error", error_variant=4, end_after=4),
    "slow": Behaviour(tokens_per_second=8, ttft=1.5),
    "wild-chunks": Behaviour(  # what the simulator used to send on every answer
        extra={
            "chunk": {"system_fingerprint": None},
            "usage": {"cost_details": {"upstream_inference_cost": None}},
        }
    ),
}
