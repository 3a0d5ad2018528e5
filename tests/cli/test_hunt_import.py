"""``playground templates import`` against hostile files: devices, FIFOs, alias bombs, aliases that
contain themselves, deep nesting and out-of-range parameters. Each is refused (or left out) with a
message naming the file, exit code 2, and never fills the memory, hangs or says "something went
wrong"."""

from __future__ import annotations

import os
from pathlib import Path

from tests.cli.helpers import playground


def _import(home: Path, *files: str) -> tuple[int, str]:
    result = playground("templates", "import", *files, home=home, timeout=60)
    shown = result.stdout + result.stderr
    assert "Traceback" not in shown and "something went wrong" not in shown
    return result.returncode, shown


def test_a_device_or_a_fifo_is_not_read(home: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "waiting.toml"
    os.mkfifo(fifo)  # nothing ever writes to it: reading it would wait for ever
    code, shown = _import(home, "/dev/zero", str(fifo))
    assert code == 2
    assert "zero is not a regular file" in shown and "waiting.toml is not a regular file" in shown


def _bomb(levels: int) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(lines) + f"\nprompts: ['Say {{{{x}}}}']\ntests: [{{vars: {{x: *l{levels - 1}}}}}]\n"


def test_yaml_that_expands_or_contains_itself_is_refused(home: Path, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(_bomb(7))  # 600 bytes that stand for 4.8 million strings
    itself = tmp_path / "itself.yaml"
    itself.write_text("prompts: ['hi {{x}}']\ntests: &t [{vars: {x: 1}, assert: *t}]\n")
    deep = tmp_path / "deep.yaml"
    deep.write_text("prompts:\n  - " + "[" * 20_000 + "]" * 20_000 + "\n")
    code, shown = _import(home, str(bomb), str(itself), str(deep))
    assert code == 2
    assert "bomb.yaml expands to more than 10,000,000 values (aliases); not read." in shown
    assert "itself.yaml has an alias that contains itself; not read." in shown
    assert "deep.yaml is nested" in shown
    assert "No templates yet" in playground("templates", "list", home=home).stdout


def test_a_small_alias_is_still_welcome(home: Path, tmp_path: Path) -> None:
    config = tmp_path / "promptfooconfig.yaml"
    config.write_text(
        "description: shared\nprompts: ['Explain {{x}}']\nproviders: [openrouter:sim/quick-mini]\n"
        "tests:\n  - {vars: &v {x: caching}}\n  - {description: again, vars: *v}\n"
    )
    code, shown = _import(home, str(config))
    assert code == 0 and "Imported 'shared'." in shown
    assert "again" in playground("templates", "show", "shared", home=home).stdout


def test_out_of_range_parameters_are_left_out_and_named(home: Path, tmp_path: Path) -> None:
    config = tmp_path / "promptfooconfig.yaml"
    config.write_text(
        "description: params\nprompts: ['Explain {{x}}']\n"
        "providers:\n  - id: openrouter:sim/quick-mini\n"
        "    config: {temperature: .inf, max_tokens: 1.5e400, seed: 99999999999999999999999,"
        " top_p: .nan, presence_penalty: 1.5}\n"
        "tests: [{vars: {x: caching}}]\n"
    )
    code, shown = _import(home, str(config))
    assert code == 0
    for name in ("temperature", "max_tokens", "seed", "top_p"):
        assert f"not carried over: provider config: {name} " in shown
    shown = playground("templates", "show", "params", home=home).stdout
    assert "presence_penalty = 1.5" in shown and "temperature" not in shown
    ran = playground("templates", "test", "params", "--demo", home=home, timeout=120)
    assert ran.returncode in (0, 1) and "something went wrong" not in ran.stdout + ran.stderr


def test_export_to_a_folder_that_cannot_be_one_says_so(home: Path, tmp_path: Path) -> None:
    (tmp_path / "t.toml").write_text('schema_version = 1\nname = "t"\nprompt = "hi"\n')
    assert _import(home, str(tmp_path / "t.toml"))[0] == 0
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for folder in (blocker, blocker / "below"):
        shown = playground("templates", "export", str(folder), home=home)
        assert shown.returncode == 1
        assert f"error: could not export to {folder}: " in shown.stderr
        assert "something went wrong" not in shown.stderr
