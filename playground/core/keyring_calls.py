"""Keyring calls off the event loop: a timeout for a hung keyring, a longer wait while an unlock
prompt is open (the person at it is the answer, not a hang), and typed errors in plain words.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from playground.core.errors import PlaygroundError

if TYPE_CHECKING:  # asyncio loads with the event loop, after the window's first frame
    import asyncio

log = logging.getLogger(__name__)

KEYRING_TIMEOUT = 3.0  # a keyring that answers nothing in 3 s is hung
PROMPT_TIMEOUT = 300.0  # a person typing a keyring password
T = TypeVar("T")


class KeyringError(PlaygroundError):
    """The keyring could not do what was asked. The message says what to do instead."""


class KeyringUnavailableError(KeyringError):
    """No usable keyring backend on this system (or only a plaintext one, not opted in)."""


class KeyringLockedError(KeyringError):
    """The keyring exists but is locked and the user did not unlock it."""


class KeyringTimeoutError(KeyringError):
    """The keyring did not answer in time (a hanging daemon or an unanswered unlock prompt)."""


LateResult = Callable[[Any, BaseException | None], None]


async def run_with_timeout(
    fn: Callable[[], T],
    timeout: float = KEYRING_TIMEOUT,
    *,
    prompt: threading.Event | None = None,
    prompt_timeout: float = PROMPT_TIMEOUT,
    late: LateResult | None = None,
) -> T:
    """Run ``fn`` in a daemon thread; raise KeyringTimeoutError if it has not returned in time.

    While ``prompt`` is set an unlock prompt is open: the person at it is the answer, so the
    wait goes on up to ``prompt_timeout``. ``late`` hears what a call returned after giving up.
    """
    import asyncio

    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def deliver(result: T | None, error: BaseException | None) -> None:
        if future.done():
            if late is not None:
                late(result, error)
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
        return await _wait(future, timeout, prompt, prompt_timeout)
    finally:
        future.cancel()  # given up on (or cancelled): a later answer goes to ``late``


async def _wait(
    future: asyncio.Future[T], timeout: float, prompt: threading.Event | None, prompt_timeout: float
) -> T:
    import asyncio

    try:
        return await asyncio.wait_for(asyncio.shield(future), timeout)
    except TimeoutError:
        if prompt is None or not prompt.is_set():
            raise KeyringTimeoutError(_timeout_words(timeout)) from None
    try:
        return await asyncio.wait_for(asyncio.shield(future), max(0.0, prompt_timeout - timeout))
    except TimeoutError:
        raise KeyringTimeoutError(
            "The keyring's unlock prompt was not answered. Unlock the keyring and try again, or use "
            "the key for this session only."
        ) from None


def _timeout_words(timeout: float) -> str:
    return (
        f"The system keyring did not answer within {timeout:.0f} s (it looks hung: no unlock prompt is "
        "open). Try again when it answers, or use the key for this session only."
    )


def collection_locked(backend: Any) -> bool:
    """Whether the keyring's collection is locked (a read would open an unlock prompt).

    Asks without unlocking. A backend of our own may say so through ``needs_unlock()``.
    """
    for candidate in getattr(backend, "backends", None) or [backend]:
        checker = getattr(candidate, "needs_unlock", None)
        if callable(checker):
            return bool(checker())
        if type(candidate).__module__ == "keyring.backends.SecretService":
            return _secret_service_locked(candidate)
    return False


def unlock_collection(backend: Any) -> None:
    """Open the keyring's unlock prompt and wait for the person's answer; raise KeyringLockedError
    if it stays locked (prompt dismissed). Done here, not inside the keyring library, whose locked
    path leaves its D-Bus connection open."""
    for candidate in getattr(backend, "backends", None) or [backend]:
        unlock = getattr(candidate, "unlock_collection", None)
        if callable(unlock):
            unlocked = bool(unlock())
            break
        if type(candidate).__module__ == "keyring.backends.SecretService":
            unlocked = _secret_service_unlock(candidate)
            break
    else:
        return
    if not unlocked:
        raise KeyringLockedError(
            "The system keyring is locked and the unlock prompt was dismissed. Unlock it and try "
            "again, or use the key for this session only."
        )


def _collection(bus: Any, backend: Any) -> Any:
    import secretstorage

    path = getattr(backend, "preferred_collection", None)
    return secretstorage.Collection(bus, path) if path else secretstorage.get_default_collection(bus)


def _secret_service_locked(backend: Any) -> bool:
    import secretstorage

    try:
        bus = secretstorage.dbus_init()
    except Exception:  # noqa: BLE001 - the real call reports what is wrong, in words
        return False
    try:
        return bool(_collection(bus, backend).is_locked())
    except Exception:  # noqa: BLE001
        return False
    finally:
        bus.close()


def _secret_service_unlock(backend: Any) -> bool:
    import secretstorage

    bus = secretstorage.dbus_init()
    try:
        collection = _collection(bus, backend)
        collection.unlock()  # returns when the prompt is answered or dismissed
        return not collection.is_locked()
    finally:
        bus.close()


def keyring_failure(exc: Exception) -> KeyringError:
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
