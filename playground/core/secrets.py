"""KeyStore: named API keys in the OS keyring, the environment / ``.env`` override, session-only keys.

Every keyring call runs in a daemon thread with a timeout, so a locked or hanging keyring never
blocks the event loop, and a hung call cannot keep the process from exiting.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from dotenv import dotenv_values

from playground.core.errors import ConfigError, NoKeyError, PlaygroundError
from playground.core.redact import mask_key, register_secret
from playground.core.settings import SettingsStore

log = logging.getLogger(__name__)

SERVICE = os.environ.get("PLAYGROUND_KEYRING_SERVICE", "prompt-playground")  # tests use their own
KEY_PREFIX = "sk-or-v1-"
KEYRING_TIMEOUT = 3.0
T = TypeVar("T")


class KeyringError(PlaygroundError):
    """The keyring could not do what was asked. The message says what to do instead."""


class KeyringUnavailableError(KeyringError):
    """No usable keyring backend on this system (or only a plaintext one, not opted in)."""


class KeyringLockedError(KeyringError):
    """The keyring exists but is locked and the user did not unlock it."""


class KeyringTimeoutError(KeyringError):
    """The keyring did not answer in time (a hanging daemon or an unanswered unlock prompt)."""


class KeySource(StrEnum):
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


def validate_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 64 or not name.isprintable():
        raise ConfigError("A key name needs 1 to 64 printable characters.")
    return name


async def run_with_timeout(fn: Callable[[], T], timeout: float = KEYRING_TIMEOUT) -> T:
    """Run ``fn`` in a daemon thread; raise KeyringTimeoutError if it has not returned in time."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def deliver(result: T | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def hand_over(result: Any, error: BaseException | None) -> None:
        try:
            loop.call_soon_threadsafe(deliver, result, error)
        except RuntimeError:
            pass  # the loop closed after a timeout: nobody is waiting any more

    def work() -> None:
        try:
            result: Any = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting coroutine
            hand_over(None, exc)
            return
        hand_over(result, None)

    threading.Thread(target=work, name="keyring-call", daemon=True).start()
    try:
        return await asyncio.wait_for(future, timeout)
    except TimeoutError:
        raise KeyringTimeoutError(
            f"The system keyring did not answer within {timeout:.0f} s (is it locked, waiting "
            "for a password prompt, or hung?). Unlock it and try again, or use the key for this "
            "session only."
        ) from None


def _keyring_failure(exc: Exception) -> KeyringError:
    """Our typed error for whatever the keyring library raised, in words a person can act on."""
    import keyring.errors

    if isinstance(exc, KeyringError):
        return exc
    if isinstance(exc, keyring.errors.KeyringLocked):
        return KeyringLockedError(
            "The system keyring is locked. Unlock it (log in to your desktop keyring) and try "
            "again, or use the key for this session only."
        )
    if isinstance(exc, keyring.errors.NoKeyringError | keyring.errors.InitError):
        return KeyringUnavailableError(_NO_KEYRING)
    text = str(exc).lower()
    if "locked" in text or "dismissed" in text:
        return KeyringLockedError(
            "The system keyring is locked or the unlock prompt was dismissed. Unlock it and try "
            "again, or use the key for this session only."
        )
    return KeyringError(f"The system keyring reported an error ({type(exc).__name__}). {_ALTERNATIVES}")


_ALTERNATIVES = "You can set OPENROUTER_API_KEY instead, or use the key for this session only."
_NO_KEYRING = (
    "No system keyring is available. On Linux, install and start a Secret Service provider "
    "(GNOME Keyring or KWallet; on a minimal system: gnome-keyring with dbus). " + _ALTERNATIVES
)


def default_backend() -> Any:
    import keyring

    return keyring.get_keyring()


def backend_problem(backend: Any, allow_plaintext: bool) -> KeyringUnavailableError | None:
    """Why this backend must not hold keys, or None when it may."""
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if name.startswith("keyring.backends.fail"):
        return KeyringUnavailableError(_NO_KEYRING)
    try:
        priority = float(backend.priority)
    except Exception:  # noqa: BLE001 - a backend that cannot say is treated as unsafe
        priority = 0.0
    if priority < 1 and not allow_plaintext:
        return KeyringUnavailableError(
            f"The only keyring available ({type(backend).__name__}) may store keys unencrypted, "
            "so it is not used. Enable 'allow plaintext keyring' in settings if you accept that. "
            + _ALTERNATIVES
        )
    return None


class KeyStore:
    """Named keys: secrets in the keyring, names and the active name in settings."""

    def __init__(
        self,
        settings: SettingsStore,
        *,
        backend: Any = None,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        timeout: float = KEYRING_TIMEOUT,
    ) -> None:
        self.settings = settings
        self._backend = backend
        self._env = os.environ if env is None else env
        self._cwd = cwd
        self.timeout = timeout
        self._session: dict[str, ApiKey] = {}

    # ----- the keyring, off the event loop -------------------------------------------------

    async def _call(self, fn: Callable[[Any], T]) -> T:
        def work() -> T:
            backend = self._backend if self._backend is not None else default_backend()
            problem = backend_problem(backend, self.settings.load().allow_plaintext_keyring)
            if problem is not None:
                raise problem
            return fn(backend)

        try:
            return await run_with_timeout(work, self.timeout)
        except KeyringError:
            raise
        except Exception as exc:  # noqa: BLE001 - every keyring failure becomes a typed error
            log.warning("keyring call failed: %s", type(exc).__name__)
            raise _keyring_failure(exc) from None

    async def check(self) -> None:
        """Raise a KeyringError if keys cannot be stored here."""
        await self._call(lambda b: None)

    # ----- named keys ---------------------------------------------------------------------

    def names(self) -> list[str]:
        settings = self.settings.load()
        return list(dict.fromkeys([*settings.key_names, *self._session]))

    def active_name(self) -> str | None:
        return self.settings.load().active_key

    async def save(self, name: str, raw: str) -> tuple[ApiKey, list[str]]:
        """Store a key under ``name`` (replacing any); it becomes active if none is."""
        name = validate_name(name)
        value, warnings = normalize_key(raw)
        await self._call(lambda b: b.set_password(SERVICE, name, value))
        settings = self.settings.load()
        self.settings.update(
            key_names=tuple(dict.fromkeys([*settings.key_names, name])),
            active_key=settings.active_key or name,
        )
        self._session.pop(name, None)
        return ApiKey(value), warnings

    def hold_for_session(self, name: str, raw: str) -> tuple[ApiKey, list[str]]:
        """Keep a key in memory only, for this run of the app; it becomes the one in use."""
        name = validate_name(name)
        value, warnings = normalize_key(raw)
        self._session[name] = ApiKey(value)
        return self._session[name], warnings

    async def get(self, name: str) -> ApiKey:
        if name in self._session:
            return self._session[name]
        value = await self._call(lambda b: b.get_password(SERVICE, name))
        if not value:
            raise ConfigError(f"No key named '{name}' is in the keyring. See `playground key list`.")
        return ApiKey(value)

    def use(self, name: str) -> None:
        if name not in self.names():
            raise ConfigError(f"No key named '{name}'. Known: {', '.join(self.names()) or 'none'}.")
        if name not in self._session:
            self.settings.update(active_key=name)

    async def remove(self, name: str) -> None:
        if name not in self.names():
            raise ConfigError(f"No key named '{name}'.")
        if self._session.pop(name, None) is None:
            await self._call(lambda b: _delete(b, name))
        settings = self.settings.load()
        remaining = tuple(n for n in settings.key_names if n != name)
        active = settings.active_key if settings.active_key != name else (remaining or (None,))[0]
        self.settings.update(key_names=remaining, active_key=active)

    async def rename(self, old: str, new: str) -> None:
        key = await self.get(old)
        await self.save(new, key.reveal())
        was_active = self.active_name() == old
        await self.remove(old)
        if was_active:
            self.use(validate_name(new))

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

    def override(self) -> ActiveKey | None:
        """The environment or ``.env`` key, which wins over the keyring when set."""
        value = self._env.get("OPENROUTER_API_KEY", "").strip()
        if value:
            return ActiveKey(ApiKey(normalize_key(value)[0]), KeySource.ENV)
        dotenv = (self._cwd or Path.cwd()) / ".env"
        if dotenv.is_file():
            value = (dotenv_values(dotenv).get("OPENROUTER_API_KEY") or "").strip()
            if value:
                return ActiveKey(ApiKey(normalize_key(value)[0]), KeySource.DOTENV)
        return None

    async def active(self, name: str | None = None) -> ActiveKey:
        """The key to use: ``name`` if given, else env / .env, a session key, or the active one."""
        if name is None:
            override = self.override()
            if override is not None:
                return override
            if self._session:
                session_name = next(reversed(self._session))
                return ActiveKey(self._session[session_name], KeySource.SESSION, session_name)
            name = self.active_name()
        if name is None:
            raise NoKeyError(
                "No OpenRouter API key is set. Run `playground key set` (it reads the key from "
                "stdin or a hidden prompt), set OPENROUTER_API_KEY, or try `--demo`."
            )
        key = await self.get(name)
        source = KeySource.SESSION if name in self._session else KeySource.KEYRING
        return ActiveKey(key, source, name)


def _delete(backend: Any, name: str) -> None:
    import keyring.errors

    try:
        backend.delete_password(SERVICE, name)
    except keyring.errors.PasswordDeleteError:
        pass  # already gone from the keyring: removing the name is all that is left
