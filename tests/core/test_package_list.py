"""Every package of the app ships: ``pip install .`` (the README's first command) installs only the
packages pyproject.toml lists, so a new sub-package missing there breaks a non-editable install while
the editable installs the tests use still work."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_with_an_init_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "playground").rglob("__init__.py")
    }
    assert found - listed == set(), "add these to [tool.setuptools] packages"
