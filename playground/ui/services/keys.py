"""KeyService: which key is used, the keyring's states (locked, hung, waiting on its unlock prompt)
and what the key dialog asks for. Keys are tested through the StreamBackend's network thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QFileSystemWatcher

from playground.core.context import AppContext
from playground.core.errors import ApiError, ConfigError, NoKeyError, PlaygroundError
from playground.core.format import usd
from playground.core.secrets import ActiveKey, ApiKey, KeyringLockedError, KeyringTimeoutError, KeySource

if TYPE_CHECKING:
    import asyncio

    from playground.core.account import KeyInfo
    from playground.core.keyflow import Confirm, KeyCheck, SaveResult
    from playground.ui.session import Session

UNLOCK_POLL = 2.0  # seconds between "is the keyring unlocked yet?" while it is locked
KEY_REFRESH_DELAY = 2.0  # seconds after a comparison before the key's figures are read again
NO_KEY_WORDS = "No key - add one (Ctrl+K) or try the demo"


class KeyService:
    """The key in use and the actions on saved keys; the Session provides the signals and clients."""

    def __init__(self, ctx: AppContext, session: Session) -> None:
        self._ctx = ctx
        self._session = session
        self.active: ActiveKey | None = None
        self.key_problem: str | None = None
        self.key_state = "loading"  # ok | none | locked | hung | error | loading
        self.key_info: KeyInfo | None = None
        self._unlock_watch: asyncio.Task[Any] | None = None
        self._key_lock: asyncio.Lock | None = None  # made with the event loop, after the first frame
        self._key_info: asyncio.Task[Any] | None = None
        self._key_refresh: asyncio.Task[Any] | None = None
        self._seen_settings: tuple[str | None, tuple[str, ...]] = (None, ())
        self._watcher: QFileSystemWatcher | None = None
        ctx.keys.on_prompt = self._keyring_prompt
        ctx.keys.on_late = self._keyring_answered_late

    # ----- the key in use ----------------------------------------------------------------------

    async def load_key(self) -> None:
        """Find the key in use by the one rule (env, .env, then the key picked) and build its client.
        One at a time: a save, the settings watch and a keyring coming back may all ask at once."""
        import asyncio

        if self._key_lock is None:
            self._key_lock = asyncio.Lock()
        async with self._key_lock:
            await self._load_key()

    async def _load_key(self) -> None:
        self.key_state = "loading"
        try:
            self.active = await self._ctx.active_key()
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
        session = self._session
        session.keyChanged.emit(self.key_description())  # at once: the clients are built off this thread
        if await self.rebuild_clients():
            session.keyChanged.emit(self.key_description())
        session.keysChanged.emit()
        if self.active is not None:
            self._key_info = session.spawn(self.refresh_key_info(), "key-info")
        else:
            session.creditChanged.emit("")
        if self.key_state == "locked" and self._unlock_watch is None:
            self._unlock_watch = session.spawn(self._watch_for_unlock(), "unlock-watch")

    def key_description(self) -> str:
        if self._ctx.demo is not None:
            return "Demo - simulated models, no key needed"
        problems = " ".join(self._ctx.keys.override_problems())
        text = (self.key_problem or NO_KEY_WORDS) if self.active is None else self.active.describe()
        return f"{text} - {problems}" if problems else text

    def names(self) -> list[str]:
        """The saved keys' names (from the settings: no keyring call)."""
        return self._ctx.keys.names()

    def override(self) -> ActiveKey | None:
        """The key from the environment or a .env file, which wins over the saved ones."""
        return self._ctx.keys.override()

    def override_problems(self) -> list[str]:
        return self._ctx.keys.override_problems()

    def _key_settings(self) -> tuple[str | None, tuple[str, ...]]:
        settings = self._ctx.settings.load()
        return settings.active_key, settings.key_names

    def watch_key_settings(self) -> None:
        """``playground key use|set|remove`` in a terminal shows here too: the settings are watched."""
        folder = self._ctx.paths.settings_file.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._session.notice.emit(f"Key changes made in a terminal will not show here: {exc.strerror}.")
            return
        self._watcher = QFileSystemWatcher([str(folder)], self._session)
        self._watcher.directoryChanged.connect(lambda _p: self._settings_touched())

    def _settings_touched(self) -> None:
        if self._session.closed or self._key_settings() == self._seen_settings:
            return
        self._seen_settings = self._key_settings()
        self._session.spawn(self.load_key(), "key-settings-changed")

    def _keyring_prompt(self) -> None:
        self._session.keyChanged.emit("Waiting for you to unlock the keyring (a password prompt is open)...")

    def _keyring_answered_late(self) -> None:
        """A keyring call we gave up on has returned: the keyring answers again, so look again."""
        if not self._session.closed:
            self._session.spawn(self.load_key(), "keyring-answered")

    async def _watch_for_unlock(self) -> None:
        """While the keyring is locked, ask (without a prompt) until it is unlocked, then load the key."""
        import asyncio

        try:
            while not self._session.closed and self.key_state == "locked":
                await asyncio.sleep(UNLOCK_POLL)
                if self._ctx.keys.stuck:
                    continue  # a call is still waiting on the keyring: no second one on top
                try:
                    locked = await self._ctx.keys.is_locked()
                except PlaygroundError:
                    continue
                if not locked:
                    await self.load_key()
        finally:
            self._unlock_watch = None

    async def unlock_keyring(self) -> None:
        """Read the key again: on a locked keyring this opens the system's unlock prompt."""
        await self.load_key()

    async def rebuild_clients(self) -> bool:
        """New clients for the next requests (the key or a setting changed); True when the OpenRouter
        client could not be built (``key_problem`` then says why). Answers already streaming keep the
        clients they started with (see ui/backend.py)."""
        import asyncio

        from playground.ui.backend import OPENROUTER

        for task in (self._key_info, self._key_refresh):  # figures of the key being replaced: stale
            if task is not None and not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        problems = await self._session.configure_backend()
        if OPENROUTER in problems:
            self.key_problem = problems[OPENROUTER]
        return OPENROUTER in problems

    # ----- the key's figures -------------------------------------------------------------------

    async def refresh_key_info(self) -> None:
        if not self._session.openrouter_ready or self.active is None:
            return
        from playground.ui.backend import OPENROUTER

        try:
            self.key_info = await self._session.backend.call(OPENROUTER, lambda client: client.key_info())
        except ApiError as exc:
            words = "key rejected" if exc.status == 401 else "credit unknown (offline)"
            self._session.creditChanged.emit(words)
            return
        self._session.creditChanged.emit(credit_line(self.key_info))
        self._session.spend.refresh_alerts()

    def refresh_after_run(self) -> None:
        """The key is asked a moment later (OpenRouter's figures lag the answer anyway), once for a
        burst of runs, and never in the middle of closing the window."""
        if self.active is None:
            return
        if self._key_refresh is not None and not self._key_refresh.done():
            self._key_refresh.cancel()
        self._key_refresh = self._session.spawn(self._refresh_key_info_later(), "key-info-after-run")

    async def _refresh_key_info_later(self) -> None:
        import asyncio

        await asyncio.sleep(KEY_REFRESH_DELAY)
        await self.refresh_key_info()

    # ----- the key dialog's actions ------------------------------------------------------------

    async def _check(self, key: ApiKey) -> KeyCheck:
        """OpenRouter's /key for ``key``, on a client the network thread builds for this one call."""
        from playground.core.context import ClientSpec
        from playground.core.keyflow import check_config, check_with

        config = check_config(self._ctx.client_config(self._ctx.base_url))
        return await self._session.backend.call_once(ClientSpec(key, config), check_with)

    async def test_key(self, raw: str | None) -> KeyCheck:
        """Check a pasted key, or the key in use when ``raw`` is None, with OpenRouter's /key."""
        from playground.core.secrets import normalize_key

        key = ApiKey(normalize_key(raw)[0]) if raw else (self.active.key if self.active else None)
        if key is None:
            raise NoKeyError(NO_KEY_WORDS)
        return await self._check(key)

    async def test_saved(self, name: str) -> KeyCheck:
        """Check a saved key (read from the keyring here: the dialog never holds the secret)."""
        return await self._check(await self._ctx.keys.get(name))

    async def save_key(self, name: str, raw: str, confirm: Confirm) -> SaveResult:
        """Check, then save (see playground.core.keyflow); the key in use follows the one rule."""
        from playground.core.keyflow import save_key

        try:
            config = self._ctx.client_config(self._ctx.base_url)
            result = await save_key(self._ctx.keys, config, name, raw, confirm, self._check)
        except PlaygroundError:
            self._session.keysChanged.emit()  # a write given up on is listed already: show it as it is
            raise
        await self.load_key()
        return result

    async def save_session_key(self, name: str, raw: str) -> list[str]:
        _, warnings = self._ctx.keys.hold_for_session(name, raw)
        await self.load_key()
        return warnings

    async def list_keys(self) -> list[tuple[str, str, bool]]:
        """(name, masked key or a problem, in use?) for each named key, read in parallel."""
        names = self._ctx.keys.names()
        overridden = self.active is None or self.active.source in (KeySource.ENV, KeySource.DOTENV)
        in_use = None if overridden or self.active is None else self.active.name
        import asyncio

        masks = await asyncio.gather(*(self._masked(name) for name in names))
        return [(name, masked, name == in_use) for name, masked in zip(names, masks, strict=True)]

    async def _masked(self, name: str) -> str:
        try:
            return (await self._ctx.keys.get(name)).masked
        except KeyringTimeoutError:
            return "(the keyring did not answer)"
        except KeyringLockedError:
            return "(the keyring is locked)"
        except ConfigError:
            return "(not in the keyring - save it again, or remove it)"
        except PlaygroundError:
            return "(cannot read from the keyring)"

    async def use_key(self, name: str) -> None:
        self._ctx.keys.use(name)
        await self.load_key()

    async def remove_key(self, name: str) -> str | None:
        """Remove a key; returns the name of the key now in use instead, if the removed one was."""
        now = await self._ctx.keys.remove(name)
        await self.load_key()
        return now

    async def rename_key(self, old: str, new: str) -> None:
        await self._ctx.keys.rename(old, new)
        await self.load_key()


def credit_line(info: KeyInfo) -> str:
    if info.limit_remaining is not None:
        return f"{usd(info.limit_remaining)} left of {usd(info.limit)}"
    if info.usage is not None:
        return f"{usd(info.usage)} used, no limit"
    return ""
