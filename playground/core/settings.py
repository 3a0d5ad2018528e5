"""User settings (base URL, timeouts, key names, defaults) in one JSON file under the config dir."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from playground.core.atomic import atomic_write, quarantine
from playground.core.errors import PlaygroundError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
ALERT_FIELDS = ("spend_cap_usd", "alert_remaining_below_usd", "alert_daily_spend_usd")


@dataclass(frozen=True)
class Settings:
    """Everything the user can set. Never holds a key: only key names."""

    base_url: str | None = None  # None: OPENROUTER_BASE_URL or OpenRouter's
    connect_timeout: float = 10.0
    idle_timeout: float = 60.0
    answer_deadline: float = 600.0  # seconds one answer may take in all, retries included
    active_key: str | None = None
    key_names: tuple[str, ...] = ()
    allow_plaintext_keyring: bool = False
    send_attribution: bool = True
    default_models: tuple[str, ...] = ()
    favourite_models: tuple[str, ...] = ()
    recent_models: tuple[str, ...] = ()
    log_prompts: bool = False
    spend_cap_usd: float | None = None  # ask before a comparison estimated at or above this
    alert_remaining_below_usd: float | None = None  # warn when the key's remaining credit falls to this
    alert_daily_spend_usd: float | None = None  # warn when today's spend reaches this
    templates_dir: str | None = None  # e.g. a shared git repository; None: under the data dir
    blind_show_speed: bool = True  # blind mode: speed figures may stay visible (cost never does)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["schema_version"] = SCHEMA_VERSION
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Settings:
        """Known fields of the right type are taken; anything else keeps its default."""
        defaults = cls()
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            default = getattr(defaults, f.name)
            if isinstance(default, tuple) and isinstance(value, list):
                values[f.name] = tuple(str(v) for v in value)
            elif isinstance(default, bool) and isinstance(value, bool):
                values[f.name] = value
            elif isinstance(default, float) and isinstance(value, int | float) and value > 0:
                values[f.name] = float(value)
            elif f.name in ALERT_FIELDS and (value is None or (isinstance(value, int | float) and value > 0)):
                values[f.name] = None if value is None else float(value)
            elif f.name in ("base_url", "active_key", "templates_dir") and (
                value is None or isinstance(value, str)
            ):
                values[f.name] = value
        return replace(defaults, **values)


@dataclass
class SettingsStore:
    """Loads and saves Settings atomically; a corrupt file is set aside and the user told."""

    path: Path
    warnings: list[str] = field(default_factory=list)

    def load(self) -> Settings:
        try:
            raw = self.path.read_text("utf-8")
        except FileNotFoundError:
            return Settings()
        except OSError as exc:
            self.warnings.append(f"Could not read the settings ({exc.strerror}); using defaults.")
            return Settings()
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("not an object")
        except ValueError:
            moved = quarantine(self.path)
            message = f"The settings file was damaged; it was kept as {moved.name} and defaults are used."
            self.warnings.append(message)
            log.warning(message)
            return Settings()
        return Settings.from_json(data)

    def save(self, settings: Settings) -> None:
        try:
            atomic_write(self.path, json.dumps(settings.to_json(), indent=2) + "\n")
        except OSError as exc:
            raise PlaygroundError(
                f"Could not save the settings to {self.path.parent}: {os.strerror(exc.errno or 0)}. "
                "The previous settings are unchanged."
            ) from None

    def update(self, **changes: Any) -> Settings:
        settings = replace(self.load(), **changes)
        self.save(settings)
        return settings
