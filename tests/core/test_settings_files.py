"""Settings and atomic writes: defaults, damaged files kept aside, read-only folders explained."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from playground.core.atomic import atomic_write
from playground.core.errors import PlaygroundError
from playground.core.paths import AppPaths
from playground.core.settings import Settings, SettingsStore


def test_round_trip_and_unknown_or_wrong_fields_ignored(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "settings.json")
    store.update(idle_timeout=30.0, key_names=("a",), active_key="a")
    data = json.loads((tmp_path / "settings.json").read_text())
    assert data["schema_version"] == 1
    data.update({"idle_timeout": "fast", "future": 1, "connect_timeout": -5})
    (tmp_path / "settings.json").write_text(json.dumps(data))
    loaded = store.load()
    assert loaded.idle_timeout == 60.0 and loaded.connect_timeout == 10.0 and loaded.key_names == ("a",)


def test_damaged_settings_are_set_aside_and_defaults_used(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("[1, 2")
    store = SettingsStore(path)
    assert store.load() == Settings()
    assert [p.read_text() for p in tmp_path.glob("settings.json.corrupt-*")] == ["[1, 2"]
    assert "damaged" in store.warnings[0]


def test_disk_full_is_explained_and_the_previous_file_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SettingsStore(tmp_path / "settings.json")
    store.save(Settings(idle_timeout=5.0))

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(PlaygroundError, match=r"No space left on device\. The previous settings"):
        store.save(Settings(idle_timeout=9.0))
    monkeypatch.undo()
    assert store.load().idle_timeout == 5.0
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]


def test_unwritable_location_is_explained(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the config folder should be")
    with pytest.raises(PlaygroundError, match="Could not save the settings"):
        SettingsStore(blocker / "settings.json").save(Settings())


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    atomic_write(target, "one")
    atomic_write(target, "two")
    assert target.read_text() == "two" and [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_playground_home_puts_everything_under_one_folder(tmp_path: Path) -> None:
    paths = AppPaths.from_env({"PLAYGROUND_HOME": str(tmp_path)})
    for folder in (paths.config_dir, paths.data_dir, paths.cache_dir, paths.log_dir):
        assert folder.is_relative_to(tmp_path)
