"""The simulator's JSON shapes, as the official SDKs type them (PyPI ``openrouter`` and ``openai``).

Every required field of the SDKs' models is present with a value of the declared type, so an
SDK's own parser accepts each answer. Odd forms seen in the wild (a ``null`` fingerprint, a short
``cost_details``, string error codes, bare error events) are produced only when a Behaviour asks.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playground.simulator.models import SimEndpoint, SimModel

# OpenRouter's ``error.metadata.error_type`` for an HTTP-like status (the SDK's APIErrorType names).
_ERROR_TYPES = {
    400: "invalid_request",
    401: "authentication",
    402: "payment_required",
    403: "permission_denied",
    404: "not_found",
    408: "timeout",
    413: "payload_too_large",
    422: "unprocessable",
    429: "rate_limit_exceeded",
    503: "provider_unavailable",
    524: "timeout",
    529: "provider_overloaded",
}

# OpenAI's ``error.type`` and ``error.code`` (a string or null) for a status.
_OPENAI_ERRORS: dict[int, tuple[str, str | None]] = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    402: ("insufficient_quota", "insufficient_quota"),
    403: ("permission_error", None),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
}


def error_type(status: int | None) -> str:
    if status is None:
        return "unmapped"
    return _ERROR_TYPES.get(status, "server" if status >= 500 else "unmapped")


def openrouter_error(status: int, message: str, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    """OpenRouter's error body: ``{"error": {code, message, metadata?}, "user_id"}``."""
    error: dict[str, Any] = {"code": status, "message": message}
    if metadata:
        error["metadata"] = metadata
    return {"error": error, "user_id": "user_sim"}


def openai_error(status: int, message: str) -> dict[str, Any]:
    """OpenAI's error body, as vLLM, Ollama and LM Studio send it: message, type, param, code."""
    fallback = ("server_error", "server_error") if status >= 500 else ("invalid_request_error", None)
    kind, code = _OPENAI_ERRORS.get(status, fallback)
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def fingerprint(model: str) -> str:
    """A stable ``system_fingerprint``: a string, as the SDKs type it (never null)."""
    return "fp_" + hashlib.sha256(model.encode("utf-8")).hexdigest()[:10]


def usage(
    prompt: int, completion: int, reasoning: int, prices: tuple[Decimal, Decimal], *, plain: bool
) -> dict[str, Any]:
    """A usage block. OpenRouter adds cost, BYOK and the upstream cost split; OpenAI's has counts only."""
    block: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": reasoning},
    }
    if plain:
        return block
    prompt_cost, completion_cost = prices[0] * prompt, prices[1] * completion
    block.update(
        cost=float(prompt_cost + completion_cost),
        is_byok=False,
        cost_details={
            "upstream_inference_cost": None,  # only BYOK requests have an upstream bill of their own
            "upstream_inference_prompt_cost": float(prompt_cost),
            "upstream_inference_completions_cost": float(completion_cost),
        },
    )
    return block


def generation(
    gen_id: str,
    model: str,
    provider: str,
    counts: dict[str, Any],
    latency_ms: int,
    generation_ms: int,
    finish_reason: str | None,
    *,
    streamed: bool,
) -> dict[str, Any]:
    """``GET /generation``'s ``data``: every field of the SDK's GenerationResponseData."""
    return {
        "id": gen_id,
        "upstream_id": "chatcmpl-" + gen_id.removeprefix("gen-"),
        "created_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "model": model,
        "provider_name": provider,
        "router": None,
        "api_type": "completions",
        "app_id": None,
        "http_referer": None,
        "user_agent": None,
        "external_user": None,
        "origin": "",
        "preset_id": None,
        "workspace_id": None,
        "data_region": "global",
        "service_tier": None,
        "streamed": streamed,
        "cancelled": False,
        "is_byok": False,
        "total_cost": counts["cost"],
        "usage": counts["cost"],
        "upstream_inference_cost": None,
        "cache_discount": None,
        "latency": latency_ms,
        "moderation_latency": None,
        "generation_time": generation_ms,
        "finish_reason": finish_reason,
        "native_finish_reason": finish_reason,
        "tokens_prompt": counts["prompt_tokens"],
        "tokens_completion": counts["completion_tokens"],
        "native_tokens_prompt": counts["prompt_tokens"],
        "native_tokens_completion": counts["completion_tokens"],
        "native_tokens_reasoning": counts["completion_tokens_details"]["reasoning_tokens"],
        "native_tokens_cached": 0,
        "native_tokens_completion_images": None,
        "num_media_prompt": None,
        "num_media_completion": None,
        "num_input_audio_prompt": None,
        "num_search_results": None,
        "num_fetches": None,
        "web_search_engine": None,
        "provider_responses": None,
    }


def key_info(label: str) -> dict[str, Any]:
    """``GET /key``'s ``data`` for a pay-as-you-go key with a monthly $20 limit."""
    return {
        "label": label,
        "limit": 20.0,
        "limit_remaining": 12.5,
        "limit_reset": "monthly",
        "include_byok_in_limit": False,
        "usage": 7.5,
        "usage_daily": 0.42,
        "usage_weekly": 2.1,
        "usage_monthly": 7.5,
        "byok_usage": 0.0,
        "byok_usage_daily": 0.0,
        "byok_usage_weekly": 0.0,
        "byok_usage_monthly": 0.0,
        "is_free_tier": False,
        "is_management_key": False,
        "is_provisioning_key": False,
        "expires_at": None,
        "rate_limit": {"requests": 200, "interval": "10s", "note": "This field is deprecated."},
        "allowed_data_regions": ["global"],
        "budgets": [],
        "effective_budget": None,
        "free_model_daily_requests": {"limit": 1000, "remaining": 1000, "used": 0},
        "creator_user_id": None,
        "organization_id": None,
        "workspace_id": None,
    }


def models_page(entries: list[dict[str, Any]], query: dict[str, str], base_url: str) -> dict[str, Any]:
    """``GET /models``: the whole list, or one page when ``offset`` / ``limit`` are sent."""
    total = len(entries)
    if "offset" not in query and "limit" not in query:
        return {"data": entries, "links": {"next": None}, "total_count": total}
    offset = _int(query.get("offset"), 0)
    limit = min(_int(query.get("limit"), 500), 1000)
    page = entries[offset : offset + limit]
    more = offset + limit < total
    following = f"{base_url}/models?offset={offset + limit}&limit={limit}" if more else None
    return {"data": page, "links": {"next": following}, "total_count": total}


def _int(value: str | None, default: int) -> int:
    try:
        return max(0, int(value)) if value is not None else default
    except ValueError:
        return default


def model_endpoints(model: SimModel, endpoints: list[SimEndpoint], index: int) -> dict[str, Any]:
    """``GET /models/{author}/{slug}/endpoints``: the model and each provider that serves it."""
    entry = model.to_json(index)
    return {
        "id": model.id,
        "name": model.name,
        "created": entry["created"],
        "description": model.description,
        "architecture": entry["architecture"],
        "endpoints": [_endpoint(model, e, entry["supported_parameters"]) for e in endpoints],
    }


def _endpoint(model: SimModel, endpoint: SimEndpoint, parameters: list[str]) -> dict[str, Any]:
    ttft_ms = model.ttft * endpoint.latency_factor * 1000
    speed = model.tokens_per_second * endpoint.speed_factor
    return {
        "name": f"{endpoint.provider} | {model.id}",
        "model_id": model.id,
        "model_name": model.name,
        "provider_name": endpoint.provider,
        "tag": endpoint.provider.lower().replace(" ", "-"),
        "status": 0,
        "context_length": model.context_length,
        "max_completion_tokens": model.max_completion_tokens,
        "max_prompt_tokens": None,
        "pricing": {
            "prompt": _scaled(model.prompt_price, endpoint.price_factor),
            "completion": _scaled(model.completion_price, endpoint.price_factor),
        },
        "quantization": endpoint.quantization,
        "service_tier": None,
        "supported_parameters": parameters,
        "supports_implicit_caching": False,
        "supports_diarization": False,
        "supports_tool_choice": {"auto": True, "none": True, "required": True, "function": True},
        "native_tools": {},
        "latency_last_30m": _spread(ttft_ms, 1.5),
        "throughput_last_30m": _spread(speed, 0.7),
        "uptime_last_1d": 99.9,
        "uptime_last_30m": 100.0,
        "uptime_last_5m": 100.0,
    }


def _scaled(price: str, factor: float) -> str:
    """A per-token price string times a provider's factor; router prices ("-1") stay as they are."""
    value = Decimal(price)
    return price if value <= 0 else format((value * Decimal(str(factor))).normalize(), "f")


def _spread(median: float, tail: float) -> dict[str, float]:
    """Percentiles around a median: ``tail`` > 1 grows (latency), < 1 shrinks (throughput)."""
    return {f"p{p}": round(median * tail ** (i / 3), 3) for i, p in enumerate((50, 75, 90, 99))}
