"""Turn HTTP statuses and OpenRouter error bodies into a FailureKind and one plain sentence."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from playground.core.events import FailureKind
from playground.core.redact import redact
from playground.core.routing import Routing, split_variant
from playground.core.servertext import ServerJSONError, loads, server_text

_STATUS_KINDS: dict[int, FailureKind] = {
    400: FailureKind.BAD_REQUEST,
    401: FailureKind.AUTH,
    402: FailureKind.CREDITS,
    403: FailureKind.FORBIDDEN,
    404: FailureKind.NOT_FOUND,
    408: FailureKind.TIMEOUT,
    409: FailureKind.RATE_LIMITED,  # a conflicting request in flight: wait and retry, like 429
    413: FailureKind.BAD_REQUEST,
    422: FailureKind.BAD_REQUEST,
    429: FailureKind.RATE_LIMITED,
    524: FailureKind.TIMEOUT,
}

_STRING_CODES: dict[str, int] = {
    "bad_request": 400,
    "invalid_request_error": 400,
    "unauthorized": 401,
    "authentication_error": 401,
    "insufficient_quota": 402,
    "payment_required": 402,
    "forbidden": 403,
    "moderation": 403,
    "not_found": 404,
    "timeout": 408,
    "rate_limit_exceeded": 429,
    "rate_limited": 429,
    "server_error": 500,
    "internal_error": 500,
    "bad_gateway": 502,
    "service_unavailable": 503,
    "overloaded": 529,
}


def kind_for_status(status: int | None) -> FailureKind:
    if status is None:
        return FailureKind.STREAM_ERROR
    if status in _STATUS_KINDS:
        return _STATUS_KINDS[status]
    return FailureKind.SERVER if status >= 500 else FailureKind.UNKNOWN


def status_from_code(code: Any) -> int | None:
    """``error.code`` may be a number, a numeric string or a word such as ``server_error``."""
    if isinstance(code, bool):
        return None
    if isinstance(code, int):
        return code if 100 <= code <= 599 else None
    if isinstance(code, str):
        if code.strip().isdigit():
            return status_from_code(int(code.strip()))
        return _STRING_CODES.get(code.strip().lower())
    return None


def sentence_for(
    status: int | None,
    model: str,
    error: Mapping[str, Any] | None,
    routing: Routing | None = None,
    wait: float | None = None,
    *,
    server: str = "OpenRouter",
) -> str:
    """One sentence naming the model, what happened and what to do next; ``server`` names who
    answered (OpenRouter, or an endpoint), so no message blames OpenRouter for another server."""
    metadata = error.get("metadata") if error else None
    metadata = metadata if isinstance(metadata, Mapping) else {}
    said = _server_message(error)
    provider = server_text(metadata.get("provider_name"), 100)
    if routing_blocked(status, error, routing):
        assert routing is not None
        text = _routing_sentence(status, routing)
    elif status == 429 and is_free_model(model) and server == "OpenRouter":
        text = free_limit_words(said, metadata, wait)
    elif status == 403:
        text = _forbidden_sentence(said, metadata, server)
    elif status in (502, 500) and provider:
        text = f"the provider {provider} returned an error ({status})"
    elif status in (400, 422) and said:
        text = f"{server} refused the request ({status}): {said[:200]}"
    else:
        text = _status_sentence(status, server)
    return redact(f"{model}: {text}")


def _status_sentence(status: int | None, server: str) -> str:
    if status is None:
        return "the provider reported an error"
    if status == 503:  # routing words only when routing was set: that case is handled above
        openrouter = server == "OpenRouter"
        where = "no provider is available for this model" if openrouter else f"{server} is unavailable"
        return f"{where} right now (503) - try again later or pick another model"
    if status == 401 and server != "OpenRouter":
        return f"{server} rejected the key (401) - add the endpoint again with its right key"
    known = _STATUS_SENTENCES.get(status)
    if known is not None:
        return known.replace("OpenRouter", server)
    if status >= 500:
        return f"{server} reported a server error ({status}) - try again in a moment"
    return f"the request failed ({status})"


def wait_words(seconds: float) -> str:
    """A wait for a person: "14 s", "3 min", "2.5 h", "more than a day"."""
    if seconds != seconds or seconds >= 86_400:  # NaN or a day and more
        return "more than a day"
    if seconds >= 5400:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 120:
        return f"{seconds / 60:.0f} min"
    return f"{max(seconds, 0):.0f} s"


_STATUS_SENTENCES: dict[int, str] = {
    400: "OpenRouter refused the request as invalid (400) - check the model id and parameters",
    401: "OpenRouter rejected the API key (401) - check it with `playground key test`",
    409: "too many requests at once (409) - try again in a moment",
    402: "not enough credits (402) - add credits or lower max tokens",
    404: "model not available (404) - pick another model",
    408: "the request timed out (408)",
    413: "the prompt is too large for this request (413)",
    422: "OpenRouter could not process the request (422) - check the parameters",
    429: "rate limited (429)",
    502: "the provider returned an error (502) - try again or pick another model",
    524: "the provider took too long to answer (524)",
    529: "the provider is overloaded (529) - try again in a moment",
}


_NO_PROVIDER_WORDS = ("no endpoints", "no allowed providers", "no provider", "data policy", "max_price")


def routing_blocked(status: int | None, error: Mapping[str, Any] | None, routing: Routing | None) -> bool:
    """True when the routing the user chose leaves the model with no provider: retrying cannot help."""
    if routing is None or not routing.constraints():
        return False
    if status == 503:
        return True
    return status == 404 and any(w in _server_message(error).lower() for w in _NO_PROVIDER_WORDS)


def _routing_sentence(status: int | None, routing: Routing) -> str:
    constraints = routing.constraints()
    one = len(constraints) == 1
    relax = f"relax {constraints[0]}" if one else "relax one of: " + "; ".join(constraints)
    return f"no provider meets the routing constraints ({status}) - {relax}"


def is_free_model(model: str) -> bool:
    return split_variant(model)[1] == "free"


def free_limit_words(server: str, metadata: Mapping[str, Any], wait: float | None) -> str:
    """ "free models: 20 requests per minute - next slot in 14 s" from what the 429 carried."""
    headers = metadata.get("headers")
    limit = headers.get("X-RateLimit-Limit") if isinstance(headers, Mapping) else None
    per_day = "day" in server.lower()
    number = isinstance(limit, int | str) and not isinstance(limit, bool)
    shown = server_text(str(limit), 20) if number else None
    count = f"{shown} requests" if shown else "a limited number of requests"
    words = f"free models: {count} per {'day' if per_day else 'minute'} (429)"
    if wait is not None and wait >= 1:
        return f"{words} - next slot in {wait_words(wait)}"
    if per_day:
        return f"{words} - the daily allowance is used up; it resets at midnight UTC"
    return f"{words} - wait a moment and try again"


def _forbidden_sentence(said: str, metadata: Mapping[str, Any], server: str) -> str:
    reasons = metadata.get("reasons")
    if isinstance(reasons, list) and reasons:
        listed = ", ".join(server_text(str(r)[:100]) or "?" for r in reasons[:5])
        return f"the prompt was blocked by moderation (403): {listed}"
    if "limit" in said.lower() and server == "OpenRouter":
        return "this key has reached its spending limit (403) - raise it on openrouter.ai/keys"
    return f"{server} refused the request (403)" + (f": {said[:200]}" if said else "")


def _server_message(error: Mapping[str, Any] | None) -> str:
    if not error:
        return ""
    message = error.get("message")
    return redact(message[:2000].strip()) if isinstance(message, str) else ""


def detail_for(status: int | None, error: Mapping[str, Any] | None, raw: str = "") -> str:
    """The server's own words for a "details" disclosure: status, message, metadata; never the key."""
    parts: list[str] = []
    if status is not None:
        parts.append(f"HTTP {status}")
    message = _server_message(error)
    if message:
        parts.append(message)
    metadata = error.get("metadata") if error else None
    if isinstance(metadata, Mapping) and metadata:
        parts.append(_metadata_text(metadata))
    if not message and raw:
        parts.append(raw[:500])
    return redact(" - ".join(parts))


def _metadata_text(metadata: Mapping[str, Any]) -> str:
    try:
        return json.dumps(metadata, ensure_ascii=False, default=str)[:2000]
    except (RecursionError, ValueError):  # nested too deeply to write out: leave it out
        return "(metadata too deeply nested to show)"


def parse_error_body(raw: bytes) -> Mapping[str, Any] | None:
    """The ``error`` object of an OpenRouter error body, or None when the body is not one."""
    try:
        body = loads(raw.decode("utf-8", errors="replace"))
    except ServerJSONError:
        return None
    if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
        error: Mapping[str, Any] = body["error"]
        return error
    return None
