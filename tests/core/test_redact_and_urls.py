"""Key masking in one place, the logging filter, and where a key may be sent."""

from __future__ import annotations

import logging

import pytest

from playground.core.errors import NoKeyError, UnsafeBaseUrlError
from playground.core.openrouter import ClientConfig, OpenRouterClient, check_base_url
from playground.core.redact import RedactingFilter, mask_key, redact, register_secret
from tests.conftest import CANARY_KEY, run


def test_mask_shape() -> None:
    assert mask_key("sk-or-v1-abc" + "0" * 58 + "xyz") == "sk-or-v1-abc...xyz"
    assert mask_key("short") == "***"


def test_redact_finds_keys_and_bearer_tokens_in_any_text() -> None:
    text = f"url?key={CANARY_KEY}&x=1 Authorization: Bearer {CANARY_KEY[:20]} {{'k': '{CANARY_KEY}'}}"
    cleaned = redact(text)
    assert CANARY_KEY not in cleaned and CANARY_KEY[-12:] not in cleaned and CANARY_KEY[:20] not in cleaned


def test_registered_secrets_of_other_shapes_are_masked() -> None:
    register_secret("local-endpoint-token-abcdef")
    assert "local-endpoint-token-abcdef" not in redact("token=local-endpoint-token-abcdef")


def test_logging_filter_masks_messages_arguments_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redact")
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter())
    caplog.handler.addFilter(RedactingFilter())
    logger.addHandler(handler)
    try:
        with caplog.at_level(logging.DEBUG, logger="test.redact"):
            logger.info("sending %s", CANARY_KEY)
            try:
                raise ValueError(f"bad key {CANARY_KEY}")
            except ValueError:
                logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    assert CANARY_KEY not in caplog.text and CANARY_KEY[-12:] not in caplog.text
    assert "sk-or-v1-ccc...ccc" in caplog.text


@pytest.mark.parametrize(
    "url",
    [
        "https://openrouter.ai/api/v1",
        "http://localhost:8080/v1",
        "http://127.0.0.1/v1",
        "http://127.5.5.5:1/v1",
        "http://[::1]:9/v1",
    ],
)
def test_allowed_base_urls(url: str) -> None:
    assert check_base_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://openrouter.ai/api/v1",
        "http://192.168.1.10:11434/v1",
        "ftp://x/y",
        "not a url",
        "http://localhost.evil.com/v1",
    ],
)
def test_refused_base_urls(url: str) -> None:
    with pytest.raises(UnsafeBaseUrlError) as err:
        OpenRouterClient(CANARY_KEY, ClientConfig(base_url=url))
    assert "only sent over https" in str(err.value) or "not a valid URL" in str(err.value)


def test_no_key_is_a_typed_error() -> None:
    async def go() -> None:
        async with OpenRouterClient(None, ClientConfig(base_url="http://127.0.0.1:1/v1")) as client:
            await client.key_info()

    with pytest.raises(NoKeyError, match="playground key set"):
        run(go())


def test_the_default_base_url_is_the_same_everywhere() -> None:
    from playground.core import context, openrouter

    assert context.DEFAULT_BASE_URL == openrouter.DEFAULT_BASE_URL == "https://openrouter.ai/api/v1"
