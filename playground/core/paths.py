"""The one place that knows where config, data, cache and logs live."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

APP_DIR_NAME = "prompt-playground"


@dataclass(frozen=True)
class AppPaths:
    """Folders the app writes to. ``PLAYGROUND_HOME`` puts all of them under one folder."""

    config_dir: Path
    data_dir: Path
    cache_dir: Path
    log_dir: Path

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AppPaths:
        env = os.environ if env is None else env
        home = env.get("PLAYGROUND_HOME")
        if home:
            root = Path(home).expanduser()
            return cls(root / "config", root / "data", root / "cache", root / "logs")
        import platformdirs  # not needed with PLAYGROUND_HOME (portable installs)

        return cls(
            Path(platformdirs.user_config_dir(APP_DIR_NAME, appauthor=False)),
            Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False)),
            Path(platformdirs.user_cache_dir(APP_DIR_NAME, appauthor=False)),
            Path(platformdirs.user_log_dir(APP_DIR_NAME, appauthor=False)),
        )

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def catalog_cache(self) -> Path:
        return self.cache_dir / "models.json"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "playground.log"

    @property
    def templates_dir(self) -> Path:
        return self.data_dir / "templates"

    @property
    def history_db(self) -> Path:
        return self.data_dir / "history.sqlite3"

    @property
    def demo_history_db(self) -> Path:
        """Runs on the built-in simulator (``--demo``): kept apart, so they never count as real spend."""
        return self.data_dir / "demo-history.sqlite3"
