"""Checking and saving a key: one flow, so ``playground key set`` and the window's Save agree.

Save checks the key with OpenRouter (``GET /key``) before it is stored:
- it works, or it could not be checked (offline): stored, and made the active key - said so;
- it is rejected (401): stored only when the person confirms, and never made active.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from playground.core.account import Credits, KeyInfo, describe_key_info
from playground.core.errors import ApiError, PlaygroundError
from playground.core.events import FailureKind
from playground.core.secrets import ApiKey, KeyStore, normalize_key, validate_name

if TYPE_CHECKING:
    from playground.core.openrouter import ClientConfig, OpenRouterClient

REJECTED_WORDS = "OpenRouter rejected this key (401): it is wrong, revoked or expired."
CHECK_TIMEOUT = 10.0  # seconds to reach /key before the key is saved unchecked


class Verdict(StrEnum):
    """What OpenRouter's /key said: the key works, was rejected (401), or could not be asked."""

    WORKS = "works"
    REJECTED = "rejected"
    UNCHECKED = "unchecked"


@dataclass(frozen=True)
class KeyCheck:
    """What OpenRouter said about a key, in words; ``figures`` are its limits and usage."""

    verdict: Verdict
    words: str
    figures: list[tuple[str, str]] = field(default_factory=list)


class KeyNotSavedError(PlaygroundError):
    """A rejected key the person chose not to keep."""


@dataclass(frozen=True)
class SaveResult:
    """What Save did: the key's name and mask, the check, and whether it is now the active key."""

    name: str
    masked: str
    check: KeyCheck
    active: bool
    warnings: list[str]

    def summary(self) -> str:
        saved = f"Saved key '{self.name}' ({self.masked}) to the system keyring."
        if self.check.verdict is Verdict.REJECTED:
            return f"{saved} It was rejected, so it is not the key in use; pick it with Use / `key use`."
        then = " It is now the active key." if self.active else ""
        unchecked = f" {self.check.words}" if self.check.verdict is Verdict.UNCHECKED else ""
        return saved + then + unchecked


def check_config(base: str | ClientConfig) -> ClientConfig:
    """The client configuration of a key check: the user's (a base URL alone: the defaults),
    waiting at most CHECK_TIMEOUT so an unreachable server soon means "saved unchecked"."""
    from playground.core.openrouter import ClientConfig

    config = ClientConfig(base_url=base) if isinstance(base, str) else base
    return replace(
        config,
        connect_timeout=min(config.connect_timeout, CHECK_TIMEOUT),
        idle_timeout=min(config.idle_timeout, CHECK_TIMEOUT),
    )


async def key_figures(client: OpenRouterClient) -> tuple[KeyInfo, Credits | None]:
    """``GET /key`` (its ApiError says what is wrong with the key), then the account's credits
    when the key may read them. The one way the CLI's `key test` and the window ask about a key."""
    info = await client.key_info()
    try:
        credits = await client.credits()
    except ApiError:
        credits = None
    return info, credits


async def check_key(base: str | ClientConfig, key: ApiKey) -> KeyCheck:
    """Ask OpenRouter about ``key``: works, rejected (401), or unchecked (could not ask)."""
    from playground.core.openrouter import OpenRouterClient

    async with OpenRouterClient(key.reveal(), check_config(base)) as client:
        return await check_with(client)


async def check_with(client: OpenRouterClient) -> KeyCheck:
    """The check on a client already built for the key (the window builds it on its network thread)."""
    try:
        info, credits = await key_figures(client)
    except ApiError as exc:
        return _failed_check(exc)
    return KeyCheck(Verdict.WORKS, "The key works.", describe_key_info(info, credits))


def _failed_check(exc: ApiError) -> KeyCheck:
    if exc.status == 401:
        return KeyCheck(Verdict.REJECTED, REJECTED_WORDS)
    if exc.kind == FailureKind.NETWORK:
        return KeyCheck(
            Verdict.UNCHECKED,
            "Could not reach OpenRouter to check it - this says nothing about the key; test it later.",
        )
    return KeyCheck(Verdict.UNCHECKED, f"It could not be checked ({exc}); test it later.")


Confirm = Callable[[KeyCheck], Awaitable[bool]]
Checker = Callable[[ApiKey], Awaitable[KeyCheck]]  # how a key is asked about (default: check_key)


async def save_key(
    keys: KeyStore,
    base: str | ClientConfig,
    name: str,
    raw: str,
    confirm: Confirm,
    checker: Checker | None = None,
) -> SaveResult:
    """Check, then store ``raw`` as ``name``. A rejected key needs ``confirm`` and is never made active;
    raises KeyNotSavedError when the person declines, KeyringError / ConfigError as the store does."""
    name = validate_name(name)
    value, _ = normalize_key(raw)
    await keys.check()  # a locked, missing or hung keyring is said before the key goes anywhere
    check = await (checker or (lambda key: check_key(base, key)))(ApiKey(value))
    rejected = check.verdict is Verdict.REJECTED
    if rejected and not await confirm(check):
        raise KeyNotSavedError(f"{check.words} The key was not saved.")
    key, warnings = await keys.save(name, value, activate=not rejected)
    active = keys.active_name() == name
    return SaveResult(name, key.masked, check, active, warnings)
