"""The answer-text key masking skips the work for chunks that cannot hold a key; every split of a key
across chunks is still masked, and text without one comes out exactly as it went in."""

from __future__ import annotations

import pytest

from playground.core.redact import may_hold_key, register_secret
from playground.core.servertext import AnswerMasker

KEY = "sk-or-v1-" + "0123456789abcdef" * 4
TEXT = f"Here it is: {KEY} - keep it safe, sk is not a key, nor is tusk-like or disks."
MASKED = "Here it is: sk-or-v1-012...def - keep it safe, sk is not a key, nor is tusk-like or disks."


def stream(pieces: list[str]) -> str:
    masker = AnswerMasker()
    return "".join(masker.feed(piece) for piece in pieces) + masker.flush()


@pytest.mark.parametrize("cut", range(1, len(TEXT)))
def test_a_key_split_anywhere_in_two_chunks_is_masked(cut: int) -> None:
    assert stream([TEXT[:cut], TEXT[cut:]]) == MASKED


def test_a_key_arriving_one_character_at_a_time_is_masked() -> None:
    assert stream(list(TEXT)) == MASKED


@pytest.mark.parametrize(
    "text",
    [
        "the bearer of good news",
        "Bearer tokens are how APIs authenticate",
        "asks tasks, s",
        "a plain answer with no key at all\n",
        "sk",
    ],
)
def test_text_without_a_key_comes_out_unchanged(text: str) -> None:
    assert stream([text]) == text
    assert stream(text.split(" ")) == text.replace(" ", "")


def test_a_registered_secret_of_another_shape_is_masked_in_answers() -> None:
    secret = "perf-local-endpoint-token-123456"
    assert not may_hold_key(f"it is {secret}")
    register_secret(secret)
    assert may_hold_key(f"it is {secret}")
    out = stream(["it is ", secret, " - done"])
    assert secret not in out and out.startswith("it is ") and out.endswith(" - done")
