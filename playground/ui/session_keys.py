"""SessionKeys: the Session's key part - which key is used, the keyring's states (locked, hung,
waiting on its unlock prompt) and what the key dialog asks for. Mixed into ui.session.Session.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QFileSystemWatcher, QObject

from playground.core.account import KeyInfo
from playground.core.context import AppContext
from playground.core.errors import ApiError, ConfigError, NoKeyError, PlaygroundError
from playground.core.format import usd
from playground.core.secrets import ActiveKey, ApiKey, KeyringLockedError, KeyringTimeoutError, KeySource
from playground.ui.backend import OPENROUTER

if TYPE_CHECKING:
    from collections.abc import Coroutine

    from PySide6.QtCore import SignalInstance

    from playground.core.keyflow import Confirm, KeyCheck, SaveResult
    from playground.ui.backend import StreamBackend

UNLOCK_POLL = 2.0  # seconds between "is the keyring unlocked yet?" while it is locked
NO_KEY_WORDS = "No key - add one (Ctrl+K) or try the demo"


class SessionKeys:
    """The key in use and the actions on saved keys; the Session provides the signals and clients."""

    if TYPE_CHECKING:  # provided by Session
        ctx: AppContext
        openrouter_ready: bool
        key_info: KeyInfo | None
        closed: bool
        _key_refresh: asyncio.Task[Any] | None
        keyChanged: SignalInstance
        keysChanged: SignalInstance
        creditChanged: SignalInstance

        def spawn(self, coro: Coroutine[Any, Any, Any], name: str = "") -> asyncio.Task[Any]: ...
        @property
        def backend(self) -> StreamBackend: ...
        async def _configure_backend(self) -> dict[str, str]: ...
        def refresh_alerts(self) -> None: ...

    def _init_keys(self, ctx: AppContext) -> None:
        self.active: ActiveKey | None = None
        self.key_problem: str | None = None
        self.key_state = "loading"  # ok | none | locked | hung | error | loading
        self._unlock_watch: asyncio.Task[Any] | None = None
        self._key_lock = asyncio.Lock()
        self._key_info: asyncio.Task[Any] | None = None
        self._seen_settings: tuple[str | None, tuple[str, ...]] = (None, ())
        self._watcher: QFileSystemWatcher | None = None
        ctx.keys.on_prompt = self._keyring_prompt
        ctx.keys.on_late = self._keyring_answered_late

    async def load_key(self) -> None:
        """Find the key in use by the one rule (env, .env, then the key picked) and build its client.
        One at a time: a save, the settings watch and a keyring coming back may all ask at once."""
        async with self._key_lock:
            await self._load_key()

    async def _load_key(self) -> None:
        self.key_state = "loading"
        try:
            self.active = await self.ctx.active_key()
            self.key_problem, self.key_state = None, "ok"
        except NoKeyError:
            self.active, self.key_problem, self.key_state = None, None, "none"
        except KeyringLockedError as exc:
            self.active, self.key_problem, self.key_state = None, str(exc), "locked"
        except KeyringTimeoutError as exc:
            self.active, self.key_problem, self.key_state = None, str(exc), "hung"
        except PlaygroundError as exc:
            self.active, self.key_problem, self.key_state = None, str(exc), "error"
        self._seen_settings = self._key_settings()
        self.keyChanged.emit(self.key_description())  # at once: the clients are built off this thread
        if await self._rebuild_client():
            self.keyChanged.emit(self.key_description())
        self.keysChanged.emit()
        if self.active is not None:
            self._key_info = self.spawn(self.refresh_key_info(), "key-info")
        else:
            self.creditChanged.emit("")
        if self.key_state == "locked" and self._unlock_watch is None:
            self._unlock_watch = self.spawn(self._watch_for_unlock(), "unlock-watch")

    def key_description(self) -> str:
        if self.ctx.demo is not None:
            return "Demo - simulated models, no key needed"
        problems = " ".join(self.ctx.keys.override_problems())
        text = (self.key_problem or NO_KEY_WORDS) if self.active is None else self.active.describe()
        return f"{text} - {problems}" if problems else text

    def _key_settings(self) -> tuple[str | None, tuple[str, ...]]:
        settings = self.ctx.settings.load()
        return settings.active_key, settings.key_names

    def watch_key_settings(self) -> None:
        """``playground key use|set|remove`` in a terminal shows here too: the settings are watched."""
        folder = self.ctx.paths.settings_file.parent
        folder.mkdir(parents=True, exist_ok=True)
        self._watcher = QFileSystemWatcher([str(folder)], cast(QObject, self))  # Session is a QObject
        self._watcher.directoryChanged.connect(lambda _p: self._settings_touched())

    def _settings_touched(self) -> None:
        if self.closed or self._key_settings() == self._seen_settings:
            return
        self._seen_settings = self._key_settings()
        self.spawn(self.load_key(), "key-settings-changed")

    def _keyring_prompt(self) -> None:
        self.keyChanged.emit("Waiting for you to unlock the keyring (a password prompt is open)...")

    def _keyring_answered_late(self) -> None:
        """A keyring call we gave up on has returned: the keyring answers again, so look again."""
        if not self.closed:
            self.spawn(self.load_key(), "keyring-answered")

    async def _watch_for_unlock(self) -> None:
        """While the keyring is locked, ask (without a prompt) until it is unlocked, then load the key."""
        try:
            while not self.closed and self.key_state == "locked":
                await asyncio.sleep(UNLOCK_POLL)
                if self.ctx.keys.stuck:
                    continue  # a call is still waiting on the keyring: no second one on top
                try:
                    locked = await self.ctx.keys.is_locked()
                except PlaygroundError:
                    continue
                if not locked:
                    await self.load_key()
        finally:
            self._unlock_watch = None

    async def unlock_keyring(self) -> None:
        """Read the key again: on a locked keyring this opens the system's unlock prompt."""
        await self.load_key()

    async def _rebuild_client(self) -> bool:
        """New clients for the next requests (the key or a setting changed); True when the OpenRouter
        client could not be built (``key_problem`` then says why). Answers already streaming keep the
        clients they started with (see ui/backend.py)."""
        for task in (self._key_info, self._key_refresh):  # figures of the key being replaced: stale
            if task is not None and not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        problems = await self._configure_backend()
        if OPENROUTER in problems:
            self.key_problem = problems[OPENROUTER]
        return OPENROUTER in problems

    async def refresh_key_info(self) -> None:
        if not self.openrouter_ready or self.active is None:
            return
        try:
            self.key_info = await self.backend.call(OPENROUTER, lambda client: client.key_info())
        except ApiError as exc:
            self.creditChanged.emit("key rejected" if exc.status == 401 else "credit unknown (offline)")
            return
        self.creditChanged.emit(credit_line(self.key_info))
        self.refresh_alerts()

    async def test_key(self, raw: str | None) -> KeyCheck:
        """Check a pasted key, or the key in use when ``raw`` is None, with OpenRouter's /key."""
        from playground.core.keyflow import check_key
        from playground.core.secrets import normalize_key

        key = ApiKey(normalize_key(raw)[0]) if raw else (self.active.key if self.active else None)
        if key is None:
            raise NoKeyError(NO_KEY_WORDS)
        return await check_key(self.ctx.client_config(self.ctx.base_url), key)

    async def save_key(self, name: str, raw: str, confirm: Confirm) -> SaveResult:
        """Check, then save (see playground.core.keyflow); the key in use follows the one rule."""
        from playground.core.keyflow import save_key

        try:
            config = self.ctx.client_config(self.ctx.base_url)
            result = await save_key(self.ctx.keys, config, name, raw, confirm)
        except PlaygroundError:
            self.keysChanged.emit()  # a write given up on is listed already: show it as it is
            raise
        await self.load_key()
        return result

    async def save_session_key(self, name: str, raw: str) -> list[str]:
        _, warnings = self.ctx.keys.hold_for_session(name, raw)
        await self.load_key()
        return warnings

    async def list_keys(self) -> list[tuple[str, str, bool]]:
        """(name, masked key or a problem, in use?) for each named key, read in parallel."""
        names = self.ctx.keys.names()
        overridden = self.active is None or self.active.source in (KeySource.ENV, KeySource.DOTENV)
        in_use = None if overridden or self.active is None else self.active.name
        masks = await asyncio.gather(*(self._masked(name) for name in names))
        return [(name, masked, name == in_use) for name, masked in zip(names, masks, strict=True)]

    async def _masked(self, name: str) -> str:
        try:
            return (await self.ctx.keys.get(name)).masked
        except KeyringTimeoutError:
            return "(the keyring did not answer)"
        except KeyringLockedError:
            return "(the keyring is locked)"
        except ConfigError:
            return "(not in the keyring - save it again, or remove it)"
        except PlaygroundError:
            return "(cannot read from the keyring)"

    async def use_key(self, name: str) -> None:
        self.ctx.keys.use(name)
        await self.load_key()

    async def remove_key(self, name: str) -> str | None:
        """Remove a key; returns the name of the key now in use instead, if the removed one was."""
        now = await self.ctx.keys.remove(name)
        await self.load_key()
        return now

    async def rename_key(self, old: str, new: str) -> None:
        await self.ctx.keys.rename(old, new)
        await self.load_key()


def credit_line(info: KeyInfo) -> str:
    if info.limit_remaining is not None:
        return f"{usd(info.limit_remaining)} left of {usd(info.limit)}"
    if info.usage is not None:
        return f"{usd(info.usage)} used, no limit"
    return ""
