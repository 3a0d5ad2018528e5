"""The widget I/O boundary: only the Session's services (``playground/ui/services/``) touch storage.

No other module under playground/ui imports sqlite3, keyring or a TOML reader, imports the core's
stores (history database, keyring store, settings, templates, the window's state file, atomic
writers...), reaches the AppContext (``session.ctx``), reads a key's secret (``reveal()``) or opens,
reads or writes a file itself. A widget asks a service; the service does the I/O and says what went
wrong in words. The check reports ``file:line`` for each offender.
"""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "playground" / "ui"
SERVICES = "services"  # the one place the window's storage and keyring calls live
SESSION = {"session.py"}  # owns the AppContext (privately) and hands it to the services
COMPOSITION_ROOT = {"app.py"}  # builds the Session from an AppContext: nothing else

FORBIDDEN_MODULES = {
    "sqlite3",
    "keyring",
    "tomllib",
    "tomli_w",
    "shutil",
    "playground.core.history.db",
    "playground.core.history.store",
    "playground.core.history.runs",
    "playground.core.history.search",
    "playground.core.history.spend",
    "playground.core.history.votes",
    "playground.core.history.versions",
    "playground.core.keyring_calls",
    "playground.core.atomic",
    "playground.core.uistate",
    "playground.core.logs",
    "playground.core.keyflow",
}
# Modules whose data records a widget may use, but not these names (stores and functions doing I/O).
FORBIDDEN_NAMES = {
    "playground.core.history": {"RunHistory", "export_runs"},
    "playground.core.history.export": {"export_runs", "export_from"},
    "playground.core.secrets": {"KeyStore"},
    "playground.core.settings": {"SettingsStore"},
    "playground.core.templates": {"TemplateStore", "read_template_bytes"},
    "playground.core.library": {"TemplateLibrary", "record_run"},
    "playground.core.catalog": {"CatalogCache", "refresh_catalog"},
    "playground.core.endpoints": {"EndpointStore"},
    "playground.core.attachments": {"load_attachment"},
    "playground.core.context": {"AppContext"},
    "playground.core.evaluation.suite": {"template_file"},
    "playground.core.evaluation.store": {"TestStore"},  # its Recorder comes from RunService
    "playground.core.history.testruns": {"TestStore"},
}
FILE_CALLS = {"read_text", "read_bytes", "write_text", "write_bytes", "atomic_write", "mkdir", "unlink"}
FILE_FUNCTIONS = {"open", "atomic_write", "QFile", "QSaveFile", "QSettings"}  # called by their own name
OS_FILE_CALLS = {"open", "remove", "replace", "rename", "unlink", "makedirs", "rmdir"}  # os.<name>()
SECRET_CALLS = {"reveal"}
CONTEXT_ATTRIBUTES = {"ctx", "_ctx"}
BLIND_REVEALS = {"self", "self.blind"}  # a blind comparison's reveal names the models: no secret


def _type_only(tree: ast.Module) -> set[int]:
    """Lines inside ``if TYPE_CHECKING:`` blocks: names for annotations, never run."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _import_problem(node: ast.AST, root_exempt: bool) -> str | None:
    if isinstance(node, ast.Import):
        bad = [a.name for a in node.names if a.name in FORBIDDEN_MODULES or a.name in FORBIDDEN_NAMES]
        return f"imports {', '.join(bad)}" if bad else None
    if not isinstance(node, ast.ImportFrom) or node.module is None:
        return None
    if node.module in FORBIDDEN_MODULES:
        return f"imports {node.module}"
    names = {a.name for a in node.names} & FORBIDDEN_NAMES.get(node.module, set())
    if root_exempt:
        names -= {"AppContext"}
    return f"imports {', '.join(sorted(names))} from {node.module}" if names else None


def _call_problem(node: ast.AST) -> str | None:
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if isinstance(func, ast.Name) and func.id in FILE_FUNCTIONS:
        return f"calls {func.id}()"
    if isinstance(func, ast.Attribute):
        receiver = ast.unparse(func.value)
        if (receiver == "os" and func.attr in OS_FILE_CALLS) or (
            receiver in {"io", "Path"} and func.attr == "open"
        ):
            return f"calls {ast.unparse(func)}()"
        if func.attr in FILE_CALLS or (
            func.attr in SECRET_CALLS and ast.unparse(func.value) not in BLIND_REVEALS
        ):
            return f"calls .{func.attr}()"
    return None


def _context_problem(node: ast.AST, root_exempt: bool) -> str | None:
    if isinstance(node, ast.Attribute) and node.attr in CONTEXT_ATTRIBUTES and not root_exempt:
        return f"reaches the AppContext ({ast.unparse(node)})"
    return None


def offenders(source: str, name: str) -> list[str]:
    """``name:line: what`` for each storage, keyring or file access in one module's source."""
    tree = ast.parse(source)
    type_only = _type_only(tree)
    root = name in COMPOSITION_ROOT
    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        problem = _call_problem(node) or _context_problem(node, root)
        if problem is None and line not in type_only:
            problem = _import_problem(node, root)
        if problem is not None:
            found.append((line, problem))
    return [f"{name}:{line}: {problem}" for line, problem in sorted(found)]


def _widget_modules() -> list[Path]:
    return [
        path
        for path in sorted(UI.rglob("*.py"))
        if SERVICES not in path.relative_to(UI).parts[:-1] and path.name not in SESSION
    ]


def test_no_widget_module_does_storage_keyring_or_file_io() -> None:
    found = [
        problem
        for path in _widget_modules()
        for problem in offenders(path.read_text("utf-8"), str(path.relative_to(UI)))
    ]
    assert found == [], "storage, keyring or file I/O outside ui/services:\n" + "\n".join(found)


def test_the_check_sees_every_kind_of_offence() -> None:
    sample = (
        "import sqlite3\n"
        "from typing import TYPE_CHECKING\n"
        "from playground.core.history import RunHistory, RunRecord\n"
        "if TYPE_CHECKING:\n"
        "    from playground.core.templates import TemplateStore\n"
        "def f(self, path):\n"
        "    self.session.ctx.settings.update(x=1)\n"
        "    path.write_text('x'); os.replace(path, path)\n"
        "    self.reveal()  # a blind comparison's reveal: no secret\n"
        "    with open(path) as fh:\n"
        "        return key.reveal(), fh\n"
    )
    assert offenders(sample, "w.py") == [
        "w.py:1: imports sqlite3",
        "w.py:3: imports RunHistory from playground.core.history",
        "w.py:7: reaches the AppContext (self.session.ctx)",
        "w.py:8: calls .write_text()",
        "w.py:8: calls os.replace()",
        "w.py:10: calls open()",
        "w.py:11: calls .reveal()",
    ]


def test_the_services_themselves_are_not_checked() -> None:
    modules = {str(p.relative_to(UI)) for p in _widget_modules()}
    assert "key_dialog.py" in modules and "session.py" not in modules
    assert not any(m.startswith(f"{SERVICES}/") for m in modules)
