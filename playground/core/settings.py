"""User settings (base URL, timeouts, key names, defaults) in one JSON file under the config dir."""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from playground.core.atomic import atomic_write, keep_copy, quarantine, read_json
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
        return cls.checked(data)[0]

    @classmethod
    def checked(cls, data: Mapping[str, Any]) -> tuple[Settings, list[str]]:
        """The settings, and the names of known fields whose value had the wrong type or range."""
        defaults = cls()
        values: dict[str, Any] = {}
        bad: list[str] = []
        for f in fields(cls):
            if f.name not in data:
                continue
            ok, value = _field_value(f.name, getattr(defaults, f.name), data[f.name])
            if ok:
                values[f.name] = value
            else:
                bad.append(f.name)
        return replace(defaults, **values), bad


MAX_SECONDS = 86_400.0  # a timeout longer than a day is a typo, not a wish
MAX_USD = 1_000_000.0
_OPTIONAL_TEXT = ("base_url", "active_key", "templates_dir")


def _field_value(name: str, default: Any, value: Any) -> tuple[bool, Any]:
    """(True, the value to use) when ``value`` fits the field, else (False, None)."""
    if isinstance(default, tuple):
        ok = isinstance(value, list) and all(isinstance(v, str) and len(v) <= 1000 for v in value)
        return ok, tuple(value) if ok else None
    if isinstance(default, bool):
        return isinstance(value, bool), value
    if name in ALERT_FIELDS:
        if value is None:
            return True, None
        return _number_in(value, MAX_USD)
    if isinstance(default, float):
        return _number_in(value, MAX_SECONDS)
    if isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10**9
        return ok, value
    if name in _OPTIONAL_TEXT:
        return value is None or (isinstance(value, str) and len(value) <= 4096), value
    return True, value  # a field added later without a rule here: kept as read


def _number_in(value: Any, high: float) -> tuple[bool, Any]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False, None
    if isinstance(value, int) and abs(value) > 10**15:  # a 400-digit int would not even fit a float
        return False, None
    number = float(value)
    return (True, number) if math.isfinite(number) and 0 < number <= high else (False, None)


def _set_aside(path: Path) -> str:
    """Move a damaged file aside; say where (or why it stayed, e.g. a read-only folder)."""
    try:
        return f"it was kept as {quarantine(path).name}"
    except OSError as exc:
        return f"it could not be moved aside ({exc.strerror})"


@dataclass
class SettingsStore:
    """Loads and saves Settings atomically; a corrupt file is set aside and the user told."""

    path: Path
    warnings: list[str] = field(default_factory=list)

    def load(self) -> Settings:
        try:
            data = read_json(self.path)
            if not isinstance(data, dict):
                raise ValueError("not an object")
        except FileNotFoundError:
            return Settings()
        except OSError as exc:
            self._warn(f"Could not read the settings ({exc.strerror}); using defaults.")
            return Settings()
        except ValueError as exc:
            self._warn(
                f"The settings file was damaged ({exc}); {_set_aside(self.path)} and defaults are used."
            )
            return Settings()
        settings, bad = Settings.checked(data)
        if bad:
            self._set_aside_bad_values(settings, bad)
        return settings

    def _set_aside_bad_values(self, settings: Settings, bad: list[str]) -> None:
        """Keep the file as it was aside, and rewrite it with its good values only."""
        names = ", ".join(bad)
        try:
            kept = keep_copy(self.path)
            atomic_write(self.path, json.dumps(settings.to_json(), indent=2) + "\n")
        except OSError as exc:
            self._warn(
                f"The settings file has bad values ({names}); defaults are used for them ({exc.strerror})."
            )
            return
        self._warn(
            f"The settings file had bad values ({names}); it was kept as {kept.name} and defaults are used "
            "for them."
        )

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)
            log.warning(message)

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
