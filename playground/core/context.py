"""AppContext: paths, settings, keys and the client, built once from the environment.

The CLI and the window both start here, so they find the same key, base URL and folders.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playground.core.errors import ConfigError
from playground.core.paths import AppPaths
from playground.core.secrets import ActiveKey, ApiKey, KeySource, KeyStore
from playground.core.settings import SettingsStore

# The storage and network modules (httpx, SQLite, TOML) are imported where they are first used, so
# the window can show itself before they load.
if TYPE_CHECKING:
    from playground.core.catalog import CatalogCache
    from playground.core.endpoints import Endpoint, EndpointStore, RoutedClient
    from playground.core.history import RunHistory
    from playground.core.library import TemplateLibrary
    from playground.core.openrouter import ClientConfig, OpenRouterClient
    from playground.core.retry import RetryPolicy
    from playground.core.templates import TemplateStore

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"  # the same as playground.core.openrouter's

DEMO_KEY = "sk-or-v1-demo-simulated-key-not-a-secret"


@dataclass
class AppContext:
    """What every command needs. ``demo`` holds the in-process simulator when running ``--demo``."""

    paths: AppPaths
    settings: SettingsStore
    keys: KeyStore
    env: Mapping[str, str]
    demo: Any = None
    warnings: list[str] = field(default_factory=list)
    _history: RunHistory | None = None
    _templates: TemplateStore | None = None

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, cwd: Path | None = None, keyring_backend: Any = None
    ) -> AppContext:
        env = os.environ if env is None else env
        paths = AppPaths.from_env(env)
        settings = SettingsStore(paths.settings_file)
        keys = KeyStore(settings, backend=keyring_backend, env=env, cwd=cwd)
        return cls(paths, settings, keys, env, warnings=settings.warnings)

    def start_demo(self, *, time_scale: float = 1.0) -> None:
        """Start the built-in simulator and use it instead of OpenRouter (no key, no network)."""
        from playground.simulator import Simulator
        from playground.simulator.features import IMAGE_MODEL
        from playground.simulator.models import DEFAULT_MODELS

        if self.demo is None:  # the demo also has a model that draws, to show images in the answers
            self.demo = Simulator(models=[*DEFAULT_MODELS, IMAGE_MODEL], time_scale=time_scale).start()

    def stop_demo(self) -> None:
        if self.demo is not None:
            self.demo.stop()
            self.demo = None

    @property
    def base_url(self) -> str:
        if self.demo is not None:
            return str(self.demo.base_url)
        return self.env.get("OPENROUTER_BASE_URL") or self.settings.load().base_url or DEFAULT_BASE_URL

    @property
    def catalog_cache(self) -> CatalogCache:
        from playground.core.catalog import CatalogCache

        name = "models.json" if self.base_url == DEFAULT_BASE_URL else f"models-{_slug(self.base_url)}.json"
        return CatalogCache(self.paths.cache_dir / name, self.warnings)

    async def active_key(self, name: str | None = None) -> ActiveKey:
        if self.demo is not None:
            return ActiveKey(ApiKey(DEMO_KEY), KeySource.SESSION, "demo")
        return await self.keys.active(name)

    @property
    def templates(self) -> TemplateStore:
        """The templates folder (the setting, or under the data dir); one store per folder."""
        from playground.core.templates import TemplateStore

        custom = self.settings.load().templates_dir
        folder = Path(custom).expanduser() if custom else self.paths.templates_dir
        if self._templates is None or self._templates.folder != folder:
            self._templates = TemplateStore(folder)
        return self._templates

    def history(self) -> RunHistory:
        """The history database, opened once; a damaged one is set aside and the user told.
        Demo runs have their own database, so they never land in the real history or spend."""
        path = self.paths.demo_history_db if self.demo is not None else self.paths.history_db
        if self._history is not None and self._history.path != path:
            self._history.close()
            self._history = None
        if self._history is None:
            from playground.core.history import RunHistory

            self._history = RunHistory(path)
            self.warnings.extend(self._history.warnings)
        return self._history

    def library(self) -> TemplateLibrary:
        from playground.core.library import TemplateLibrary

        return TemplateLibrary(self.templates, self.history())

    def close(self) -> None:
        self.stop_demo()
        if self._history is not None:
            self._history.close()
            self._history = None

    @property
    def endpoints(self) -> EndpointStore:
        from playground.core.endpoints import EndpointStore

        return EndpointStore(self.paths.config_dir / "endpoints.json", self.warnings)

    async def add_endpoint(self, name: str, url: str, key: str | None) -> Endpoint:
        """Add or replace an endpoint. Its key goes to the keyring first, so an endpoint is never listed
        as keyed without its key; replacing a keyed endpoint with a keyless one deletes the old key."""
        from playground.core.endpoints import keyring_name, validate_endpoint_name

        store = self.endpoints
        clean = validate_endpoint_name(name)
        previous = next((e for e in store.load() if e.name == clean), None)
        if key:
            await self.keys.save_secret(keyring_name(clean), key)
        endpoint = store.add(clean, url, has_key=bool(key))
        if not key and previous is not None and previous.has_key:
            await self.keys.remove_secret(keyring_name(clean))
        return endpoint

    async def remove_endpoint(self, name: str) -> Endpoint:
        """Forget an endpoint and delete its key from the keyring."""
        from playground.core.endpoints import keyring_name

        endpoint = self.endpoints.remove(name)
        if endpoint.has_key:
            await self.keys.remove_secret(keyring_name(endpoint.name))
        return endpoint

    async def endpoint_client(self, endpoint: Endpoint) -> OpenRouterClient:
        """A client for one other endpoint, holding only that endpoint's own key (if it has one)."""
        return (await self.endpoint_spec(endpoint)).build()

    async def endpoint_spec(self, endpoint: Endpoint) -> ClientSpec:
        """What a client for one other endpoint is built from: its own key (if it has one)."""
        from playground.core.endpoints import keyring_name

        key = await self.keys.get_secret(keyring_name(endpoint.name)) if endpoint.has_key else None
        if endpoint.has_key and key is None:
            raise ConfigError(
                f"The key of endpoint '{endpoint.name}' is not in the keyring: "
                "add the endpoint again with its key."
            )
        return ClientSpec(key, self.client_config(endpoint.base_url, key_required=False))

    async def chat_client(self, key: ActiveKey | None, models: Iterable[str] = ()) -> RoutedClient:
        """OpenRouter (when there is a key) and the endpoints ``models`` name, each with its own key."""
        from playground.core.endpoints import RoutedClient, split_ref

        wanted = {ref[0] for ref in (split_ref(m) for m in models) if ref}
        endpoints = {e.name: e for e in self.endpoints.load() if e.name in wanted}
        unknown = wanted - set(endpoints)
        if unknown:
            raise ConfigError(f"No endpoint named '{sorted(unknown)[0]}'. See `playground endpoint list`.")
        clients = {name: await self.endpoint_client(e) for name, e in endpoints.items()}
        return RoutedClient(self.client(key) if key else None, clients)

    def client(self, key: ActiveKey | None, *, retry: RetryPolicy | None = None) -> OpenRouterClient:
        return self.client_spec(key).build(retry=retry)

    def client_spec(self, key: ActiveKey | None) -> ClientSpec:
        """What the OpenRouter client is built from (the window's network thread builds it)."""
        return ClientSpec(key.key if key else None, self.client_config(self.base_url))

    def client_config(self, base_url: str, *, key_required: bool = True) -> ClientConfig:
        """The one place the settings become a client's configuration (timeouts, prompt logging)."""
        from playground.core.openrouter import ClientConfig

        settings = self.settings.load()
        return ClientConfig(
            base_url=base_url,
            connect_timeout=settings.connect_timeout,
            idle_timeout=_float_env(self.env, "PLAYGROUND_IDLE_TIMEOUT", settings.idle_timeout),
            answer_deadline=_float_env(self.env, "PLAYGROUND_ANSWER_DEADLINE", settings.answer_deadline),
            log_texts=settings.log_prompts,
            key_required=key_required,
        )


@dataclass(frozen=True)
class ClientSpec:
    """Everything one HTTP client is built from: a plain value, so it can cross to another thread
    and be compared with the spec of a client already built (equal specs keep the client)."""

    key: ApiKey | None  # masked in repr
    config: ClientConfig

    def build(self, *, retry: RetryPolicy | None = None) -> OpenRouterClient:
        """A new client; raises ConfigError when the URL may not carry the key."""
        from playground.core.openrouter import OpenRouterClient

        return OpenRouterClient(self.key.reveal() if self.key else None, self.config, retry=retry)


def _slug(url: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in url.split("://")[-1]).strip("-")[:80]


def _float_env(env: Mapping[str, str], name: str, default: float) -> float:
    try:
        value = float(env.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default
