"""Files of the right syntax and the wrong shape: validated by type, set aside with a message, never a crash.

Each file the app reads (settings, window state, endpoints, model cache) is checked value by value; a
value of the wrong type or range is left out (the file kept aside as it was), a file that is not UTF-8
JSON is set aside whole, and a FIFO in a file's place does not hang the app.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from playground.core.catalog import CatalogCache
from playground.core.endpoints import EndpointStore
from playground.core.settings import Settings, SettingsStore
from playground.core.uistate import UiStateStore


def _aside(path: Path) -> list[Path]:
    return list(path.parent.glob(f"{path.name}.corrupt-*"))


@pytest.mark.parametrize(
    "value",
    ["1" * 400, "1e400", "NaN", "-Infinity", "-5", "0", "true", '"fast"', "[60]", "1e12"],
)
def test_a_bad_timeout_keeps_the_other_settings(value: str, tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    text = f'{{"idle_timeout": {value}, "active_key": "work", "key_names": ["work"], "log_prompts": true}}'
    path.write_text(text)
    store = SettingsStore(path)
    settings = store.load()
    if value in ("NaN", "-Infinity", "1" * 400, "1e400"):  # not JSON the app writes: the file is damaged
        assert settings == Settings() and "damaged" in store.warnings[0]
        assert [p.read_text() for p in _aside(path)] == [text]
        return
    assert settings.idle_timeout == Settings().idle_timeout  # the default for the bad value...
    assert (settings.active_key, settings.key_names, settings.log_prompts) == ("work", ("work",), True)
    assert "idle_timeout" in store.warnings[0] and "kept as settings.json.corrupt-" in store.warnings[0]
    assert [p.read_text() for p in _aside(path)] == [text]  # ...the file as it was, kept aside
    again = SettingsStore(path)
    assert again.load() == settings and again.warnings == []  # and the file now holds the good values


def test_settings_of_the_wrong_types(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(
        json.dumps({"key_names": [1, {"a": 2}], "base_url": 5, "spend_cap_usd": "lots", "sync": 1})
    )
    store = SettingsStore(path)
    assert store.load() == Settings()
    assert all(name in store.warnings[0] for name in ("key_names", "base_url", "spend_cap_usd"))


def test_settings_that_are_not_utf8_are_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(b'{"base_url": "\xff\xfe"}')
    store = SettingsStore(path)
    assert store.load() == Settings() and "damaged" in store.warnings[0]
    assert len(_aside(path)) == 1 and not path.exists()


def test_a_fifo_in_place_of_the_settings_does_not_hang(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    os.mkfifo(path)
    store = SettingsStore(path)
    assert store.load() == Settings() and "not a regular file" in store.warnings[0]


@pytest.mark.parametrize(
    "entry, value",
    [
        ("geometry", "this is not base64!"),
        ("geometry", 12),
        ("panes", "sim/quick-mini"),
        ("panes", 7),
        ("panes", [1, None]),
        ("params", [1, 2]),
        ("overrides", {"a": 1}),
        ("prompt", {"text": "x"}),
        ("sync", "yes"),
    ],
)
def test_window_state_with_a_bad_entry_keeps_the_good_ones(entry: str, value: object, tmp_path: Path) -> None:
    path = tmp_path / "window.json"
    good = {"prompt": "my unsent prompt", "panes": ["sim/quick-mini"], "theme": "dark"}
    path.write_text(json.dumps(good | {entry: value}))
    store = UiStateStore(path)
    state = store.load()
    assert entry not in state
    assert {k: v for k, v in good.items() if k != entry}.items() <= state.items()
    assert entry in store.warnings[0] and len(_aside(path)) == 1


@pytest.mark.parametrize("text", ["[1, 2]", '"panes"', '{"panes": NaN}', "[" * 50_000])
def test_window_state_that_is_not_an_object_is_set_aside(text: str, tmp_path: Path) -> None:
    path = tmp_path / "window.json"
    path.write_text(text)
    store = UiStateStore(path)
    assert store.load() == {} and "damaged" in store.warnings[0] and len(_aside(path)) == 1


@pytest.mark.parametrize(
    "data",
    [
        {"endpoints": "ollama"},
        {"endpoints": [{"name": 5, "base_url": "http://localhost:11434/v1"}]},
        {"endpoints": [{"name": "x", "base_url": ["http://a"]}]},
        {"endpoints": [{"name": "x", "base_url": "http://a", "has_key": "yes"}]},
    ],
)
def test_endpoints_of_the_wrong_shape_are_set_aside(data: object, tmp_path: Path) -> None:
    path = tmp_path / "endpoints.json"
    path.write_text(json.dumps(data))
    warnings: list[str] = []
    assert EndpointStore(path, warnings).load() == [] and "damaged" in warnings[0]
    assert len(_aside(path)) == 1


@pytest.mark.parametrize("text", ['{"models": [], "fetched_at": NaN}', '{"models": []' + "]" * 3, "\xff"])
def test_a_model_cache_that_is_not_strict_json_is_set_aside(text: str, tmp_path: Path) -> None:
    path = tmp_path / "models.json"
    path.write_bytes(text.encode("latin-1"))
    cache = CatalogCache(path, [])
    assert cache.load() is None and "damaged" in cache.warnings[0] and len(_aside(path)) == 1


def test_damaged_files_in_a_read_only_folder_still_give_defaults(tmp_path: Path) -> None:
    from tests.storage_faults import make_read_only, small_disk

    folder = tmp_path / "config"
    with small_disk(folder, "64k") as mounted:
        if not mounted and os.geteuid() == 0:
            pytest.skip("root ignores file modes and cannot mount here: no way to make a folder read-only")
        (folder / "settings.json").write_text("{broken")
        (folder / "window.json").write_text("[broken")
        make_read_only(folder, mounted)
        try:
            settings = SettingsStore(folder / "settings.json")
            assert settings.load() == Settings() and "could not be moved aside" in settings.warnings[0]
            state = UiStateStore(folder / "window.json")
            assert state.load() == {} and "could not be moved aside" in state.warnings[0]
        finally:
            if not mounted:
                folder.chmod(0o755)
