"""KeyStore: named API keys in the OS keyring, the environment / ``.env`` override, session-only keys.

Which key is used is one rule, the same in the CLI, the window and the README:
1. ``OPENROUTER_API_KEY`` in the environment, else in ``.env`` (a malformed one is skipped, and said);
2. else the key picked last: a session-only key, or the saved key made active (``key use`` / Use).

Every keyring call runs in a daemon thread (playground.core.keyring_calls), so a locked or hanging
keyring never blocks the event loop, and a hung call cannot keep the process from exiting.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from playground.core.errors import ConfigError, NoKeyError
from playground.core.keyring_calls import (
    KEYRING_TIMEOUT,
    PROMPT_TIMEOUT,
    KeyringError,
    KeyringLockedError,
    KeyringTimeoutError,
    KeyringUnavailableError,
    backend_problem,
    collection_locked,
    default_backend,
    keyring_failure,
    run_with_timeout,
    unlock_collection,
)
from playground.core.redact import mask_key, register_secret
from playground.core.settings import SettingsStore

__all__ = [
    "KEYRING_TIMEOUT",
    "ActiveKey",
    "ApiKey",
    "KeySource",
    "KeyStore",
    "KeyringError",
    "KeyringLockedError",
    "KeyringTimeoutError",
    "KeyringUnavailableError",
    "normalize_key",
]

log = logging.getLogger(__name__)

SERVICE = os.environ.get("PLAYGROUND_KEYRING_SERVICE", "prompt-playground")  # tests use their own
KEY_PREFIX = "sk-or-v1-"
T = TypeVar("T")
LateError = Callable[[BaseException | None], None]  # hears how a call given up on ended
NO_KEY = (
    "No OpenRouter API key is set. Run `playground key set` (it reads the key from stdin or a hidden "
    "prompt), set OPENROUTER_API_KEY, or try `--demo`."
)


class KeySource(StrEnum):
    """Where the key in use came from, in the words the app shows."""

    ENV = "the OPENROUTER_API_KEY environment variable"
    DOTENV = "OPENROUTER_API_KEY in the .env file"
    KEYRING = "the system keyring"
    SESSION = "this session only (not saved)"


class ApiKey:
    """A secret whose ``str`` and ``repr`` are masked; ``reveal()`` is the only way to the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        register_secret(value)

    def reveal(self) -> str:
        return self._value

    @property
    def masked(self) -> str:
        return mask_key(self._value)

    def __repr__(self) -> str:
        return f"ApiKey({self.masked})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiKey) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class ActiveKey:
    """The key in use, where it came from, and its name when it has one."""

    key: ApiKey
    source: KeySource
    name: str | None = None

    def describe(self) -> str:
        named = f"key '{self.name}' " if self.name else "key "
        return f"{named}from {self.source.value} ({self.key.masked})"


def normalize_key(raw: str) -> tuple[str, list[str]]:
    """Strip what a paste brings along (spaces, quotes, ``Bearer``); return the key and warnings."""
    key = raw.strip().strip("\"'`").strip()
    if key.lower().startswith("bearer "):
        key = key[7:].strip()
    if not key:
        raise ConfigError("The key is empty.")
    if any(ch.isspace() for ch in key) or not key.isascii() or not key.isprintable():
        raise ConfigError("The key contains spaces or characters a key never has; paste it again.")
    warnings = []
    if not key.startswith(KEY_PREFIX):
        warnings.append(
            f"This does not look like an OpenRouter key (they start with {KEY_PREFIX}); "
            "it is kept anyway, for other endpoints."
        )
    return key, warnings


# Keyring entries of the app that are not OpenRouter keys: an endpoint's key ("endpoint:NAME") and
# the availability probe. A key named like one would overwrite it, and removing it would delete it.
# Compared case-blind: Windows' Credential Manager matches entry names that way.
RESERVED_PREFIX = "endpoint:"
RESERVED_NAMES = ("playground-check",)


def validate_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 64 or not name.isprintable():
        raise ConfigError("A key name needs 1 to 64 printable characters.")
    folded = name.casefold()
    if folded.startswith(RESERVED_PREFIX) or folded in RESERVED_NAMES:
        raise ConfigError(
            f"The key name '{name}' is reserved (names starting with '{RESERVED_PREFIX}' hold the keys "
            "of other endpoints); pick another."
        )
    return name


class KeyStore:
    """Named keys: secrets in the keyring, names and the active name in settings (see the module
    docstring for which key is used)."""

    def __init__(
        self,
        settings: SettingsStore,
        *,
        backend: Any = None,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        timeout: float = KEYRING_TIMEOUT,
        prompt_timeout: float = PROMPT_TIMEOUT,
    ) -> None:
        self.settings = settings
        self._backend = backend
        self._env = os.environ if env is None else env
        self._cwd = cwd
        self.timeout = timeout
        self.prompt_timeout = prompt_timeout
        self._session: dict[str, ApiKey] = {}
        self._session_pick: str | None = None
        self.stuck = 0  # keyring calls given up on that have not returned yet
        self.on_prompt: Callable[[], None] | None = None  # an unlock prompt has opened
        self.on_late: Callable[[], None] | None = None  # a call given up on has returned

    # ----- the keyring, off the event loop -------------------------------------------------

    def _backend_now(self) -> Any:
        return self._backend if self._backend is not None else default_backend()

    async def _call(self, fn: Callable[[Any], T], late: LateError | None = None) -> T:
        import asyncio  # loaded with the event loop, after the window's first frame

        loop = asyncio.get_running_loop()
        prompt = threading.Event()

        def work() -> T:
            backend = self._backend_now()
            problem = backend_problem(backend, self.settings.load().allow_plaintext_keyring)
            if problem is not None:
                raise problem
            if collection_locked(backend):
                prompt.set()  # an unlock prompt opens now: wait for the person at it, not a timeout
                with suppress(RuntimeError):
                    loop.call_soon_threadsafe(self._prompt_opened)
                unlock_collection(backend)
            return fn(backend)

        def finished_late(_result: Any, error: BaseException | None) -> None:
            self.stuck = max(0, self.stuck - 1)
            if late is not None:
                late(error)
            if self.on_late is not None:
                self.on_late()

        try:
            return await run_with_timeout(
                work, self.timeout, prompt=prompt, prompt_timeout=self.prompt_timeout, late=finished_late
            )
        except (KeyringTimeoutError, asyncio.CancelledError):
            self.stuck += 1
            raise
        except KeyringError:
            raise
        except Exception as exc:  # noqa: BLE001 - every keyring failure becomes a typed error
            log.warning("keyring call failed: %s", type(exc).__name__)
            raise keyring_failure(exc) from None

    def _prompt_opened(self) -> None:
        if self.on_prompt is not None:
            self.on_prompt()

    async def check(self) -> None:
        """Raise a KeyringError if keys cannot be stored or read here now (a read, as a save does)."""
        await self._call(lambda b: b.get_password(SERVICE, "playground-check"))

    async def is_locked(self) -> bool:
        """Whether the keyring is locked, asked without opening an unlock prompt."""
        return await run_with_timeout(lambda: collection_locked(self._backend_now()), self.timeout)

    # ----- named keys ---------------------------------------------------------------------

    def names(self) -> list[str]:
        settings = self.settings.load()
        return list(dict.fromkeys([*settings.key_names, *self._session]))

    def active_name(self) -> str | None:
        """The saved key made active (settings); see ``in_use_name`` for the one picked now."""
        return self.settings.load().active_key

    def in_use_name(self) -> str | None:
        """The named key used when no OPENROUTER_API_KEY is set: a session pick, else the active one."""
        return self._session_pick if self._session_pick in self._session else self.active_name()

    async def save(self, name: str, raw: str, *, activate: bool | None = None) -> tuple[ApiKey, list[str]]:
        """Store a key under ``name`` (replacing any). ``activate``: True makes it the active key,
        False never does, None only when no key is active.

        The name is listed before the write, so a write the keyring finishes after we gave up on it
        is never hidden: it stays listed (and removable); a write that fails is unlisted again.
        """
        name = validate_name(name)
        value, warnings = normalize_key(raw)
        known = name in self.settings.load().key_names
        if not known:
            self._set_listed(name, True)

        def late(error: BaseException | None) -> None:
            if error is not None and not known:
                self._set_listed(name, False)

        try:
            await self._call(lambda b: b.set_password(SERVICE, name, value), late)
        except KeyringTimeoutError as exc:
            raise KeyringTimeoutError(
                f"{exc} The key '{name}' is listed already: it shows up masked if the keyring writes it "
                "later, or as not in the keyring; you can remove it either way."
            ) from None
        except BaseException:
            if not known:
                self._set_listed(name, False)
            raise
        self._session.pop(name, None)
        if activate or (activate is None and self.active_name() is None):
            self.use(name)
        return ApiKey(value), warnings

    def _set_listed(self, name: str, listed: bool) -> None:
        names = self.settings.load().key_names
        kept = (*names, name) if listed else tuple(n for n in names if n != name)
        self.settings.update(key_names=tuple(dict.fromkeys(kept)))

    def hold_for_session(self, name: str, raw: str) -> tuple[ApiKey, list[str]]:
        """Keep a key in memory only, for this run of the app; it becomes the one picked."""
        name = validate_name(name)
        value, warnings = normalize_key(raw)
        self._session[name] = ApiKey(value)
        self._session_pick = name
        return self._session[name], warnings

    async def get(self, name: str) -> ApiKey:
        if name in self._session:
            return self._session[name]
        value = await self._call(lambda b: b.get_password(SERVICE, name))
        if not value:
            raise ConfigError(f"No key named '{name}' is in the keyring. See `playground key list`.")
        return ApiKey(value)

    def use(self, name: str) -> None:
        """Pick a key: a session-only one for this run, or a saved one as the active key."""
        if name not in self.names():
            raise ConfigError(f"No key named '{name}'. Known: {', '.join(self.names()) or 'none'}.")
        if name in self._session:
            self._session_pick = name
        else:
            self._session_pick = None
            self.settings.update(active_key=name)

    async def remove(self, name: str) -> str | None:
        """Delete a key; return the key now in use instead when it was the one in use (or None)."""
        if name not in self.names():
            raise ConfigError(f"No key named '{name}'.")
        was_in_use = self.in_use_name() == name
        if self._session.pop(name, None) is None:
            await self._call(lambda b: _delete(b, name))
        if self._session_pick == name:
            self._session_pick = None
        settings = self.settings.load()
        remaining = tuple(n for n in settings.key_names if n != name)
        active = settings.active_key if settings.active_key != name else (remaining or (None,))[0]
        self.settings.update(key_names=remaining, active_key=active)
        return self.in_use_name() if was_in_use else None

    async def rename(self, old: str, new: str) -> None:
        """Rename a key; refused when ``new`` is taken (a rename never overwrites another key)."""
        new = validate_name(new)
        if new == old:
            return
        if new in self.names():
            raise ConfigError(f"A key named '{new}' already exists. Remove it first, or pick another name.")
        if old in self._session:  # a session-only key stays in memory under its new name
            self._session[new] = self._session.pop(old)
            if self._session_pick == old:
                self._session_pick = new
            return
        key = await self.get(old)
        was_in_use = self.in_use_name() == old
        await self.save(new, key.reveal(), activate=False)
        await self.remove(old)
        if was_in_use:
            self.use(new)

    # ----- keys of other endpoints (kept apart from the OpenRouter keys' names) ---------------

    async def save_secret(self, entry: str, raw: str) -> ApiKey:
        """Store another endpoint's key under ``entry`` (any non-empty token; not listed as a key)."""
        value = raw.strip()
        if value.lower().startswith("bearer "):
            value = value[7:].strip()
        if not value or any(ch.isspace() for ch in value) or not value.isprintable():
            raise ConfigError("The key is empty or contains spaces; paste it again.")
        await self._call(lambda b: b.set_password(SERVICE, entry, value))
        return ApiKey(value)

    async def get_secret(self, entry: str) -> ApiKey | None:
        value = await self._call(lambda b: b.get_password(SERVICE, entry))
        return ApiKey(value) if value else None

    async def remove_secret(self, entry: str) -> None:
        await self._call(lambda b: _delete(b, entry))

    # ----- which key is in use ------------------------------------------------------------

    def _overrides(self) -> tuple[ActiveKey | None, list[str]]:
        """The first valid OPENROUTER_API_KEY (environment, then ``.env``) and what was wrong
        with any malformed one before it, naming its source."""
        problems: list[str] = []
        for source, value in self._override_values():
            try:
                return ActiveKey(ApiKey(normalize_key(value)[0]), source), problems
            except ConfigError as exc:
                where = "the .env file" if source is KeySource.DOTENV else source.value
                why = "it is empty" if "empty" in str(exc) else "it has spaces or characters a key never has"
                problems.append(f"The key in {where} is not a valid OpenRouter key ({why}); it is ignored.")
        return None, problems

    def _override_values(self) -> list[tuple[KeySource, str]]:
        found = []
        value = self._env.get("OPENROUTER_API_KEY", "").strip()
        if value:
            found.append((KeySource.ENV, value))
        dotenv = (self._cwd or Path.cwd()) / ".env"
        try:
            if dotenv.is_file():
                from dotenv import dotenv_values  # only when there is a .env to read

                value = (dotenv_values(dotenv).get("OPENROUTER_API_KEY") or "").strip()
                if value:
                    found.append((KeySource.DOTENV, value))
        except (OSError, UnicodeDecodeError, ValueError):
            log.warning("the .env file could not be read")
        return found

    def override(self) -> ActiveKey | None:
        """The environment or ``.env`` key, which wins over the keyring when set and valid."""
        return self._overrides()[0]

    def override_problems(self) -> list[str]:
        """Why an OPENROUTER_API_KEY that is set is not used (its source named), if it is not."""
        return self._overrides()[1]

    async def active(self, name: str | None = None) -> ActiveKey:
        """The key to use: ``name`` if given, else by the one rule in the module docstring."""
        if name is None:
            override, problems = self._overrides()
            if override is not None:
                return override
            for problem in problems:
                if problem not in self.settings.warnings:
                    self.settings.warnings.append(problem)
            name = self.in_use_name()
            if name is None:
                raise NoKeyError(" ".join([*problems, NO_KEY]))
        key = await self.get(name)
        source = KeySource.SESSION if name in self._session else KeySource.KEYRING
        return ActiveKey(key, source, name)


def _delete(backend: Any, name: str) -> None:
    import keyring.errors

    try:
        backend.delete_password(SERVICE, name)
    except keyring.errors.PasswordDeleteError:
        pass  # already gone from the keyring: removing the name is all that is left
