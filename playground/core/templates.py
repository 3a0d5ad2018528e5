"""PromptTemplate and TemplateStore: prompts with {{variables}}, one human-editable TOML file each.

Placeholders: ``{{name}}``, ``{{ name }}`` (spaces allowed), ``{{name|default text}}``. Write
``\\{{`` for a literal ``{{``. Test cases are named variable sets kept with the template.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import stat
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import tomli_w

from playground.core.atomic import atomic_write
from playground.core.errors import ConfigError
from playground.core.request import ChatParams
from playground.core.routing import Routing
from playground.core.template_fields import (
    KNOWN_FIELDS,
    params_table,
    routing_table,
    toml_value,
    unknown_params,
)

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
MAX_TEMPLATE_BYTES = 1_000_000  # a template is a prompt, not a data set; bigger files are listed as broken
# The head of a placeholder: "{{", a name, then "|" (a default follows) or "}}". It can only run up to
# the next "{", so trying it at every "{{" stays linear in the text's length.
_HEAD = re.compile(r"\{\{\s*([A-Za-z_][\w.-]*)\s*(\||\}\})")
_NAME = re.compile(r"^[\w][\w .-]{0,63}$")


class TemplateError(ConfigError):
    """A template cannot be rendered, parsed, found or saved; the message says why."""


class TemplateConflict(TemplateError):
    """The file changed on disk since the app loaded it; ``theirs`` is what is there now."""

    def __init__(self, path: Path, theirs: PromptTemplate | None, digest: str = "") -> None:
        what = "deleted" if theirs is None else "changed"
        super().__init__(f"{path.name} was {what} outside the app since you opened it.")
        self.path, self.theirs = path, theirs
        self.digest = digest  # of the file now ("" when it is gone): pass it to save over it


@dataclass(frozen=True)
class Variable:
    name: str
    default: str | None


@dataclass(frozen=True)
class Rendered:
    system: str | None
    prompt: str
    unused: tuple[str, ...] = ()  # variables given but not in the template


@dataclass(frozen=True)
class PromptTemplate:
    """A named prompt with placeholders, default models and parameters, and test cases."""

    name: str
    prompt: str
    system: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    params: ChatParams = field(default_factory=ChatParams)
    cases: tuple[tuple[str, Mapping[str, str]], ...] = ()
    routing: Routing = field(default_factory=Routing)  # defaults for every pane run from it
    # [[assert]] tables (every case) and each case's own, kept as written; playground.core.evaluation
    # validates and checks them
    asserts: tuple[Mapping[str, Any], ...] = ()
    case_asserts: Mapping[str, tuple[Mapping[str, Any], ...]] = field(default_factory=dict)
    # fields this version does not know (top level, and in [params]): written back as they were,
    # so a template from a newer app loses nothing when it is saved here
    unknown: Mapping[str, Any] = field(default_factory=dict)
    unknown_params: Mapping[str, Any] = field(default_factory=dict)

    def variables(self) -> list[Variable]:
        """Placeholders in order of first use (system prompt first); the first default wins."""
        found: dict[str, str | None] = {}
        for text in (self.system, self.prompt):
            for _start, _end, name, default in placeholders(text):
                if name not in found or found[name] is None:
                    found[name] = default.strip() if default is not None else found.get(name)
        return [Variable(n, d) for n, d in found.items()]

    def missing(self, values: Mapping[str, str]) -> list[str]:
        return [v.name for v in self.variables() if v.default is None and v.name not in values]

    def render(self, values: Mapping[str, str]) -> Rendered:
        missing = self.missing(values)
        if missing:
            raise TemplateError(f"Template '{self.name}' needs a value for: {', '.join(missing)}.")
        known = {v.name for v in self.variables()}
        system = _fill(self.system, values) if self.system else None
        unused = tuple(sorted(set(values) - known))
        return Rendered(system, _fill(self.prompt, values), unused)

    def case(self, name: str) -> Mapping[str, str]:
        for case_name, values in self.cases:
            if case_name == name:
                return values
        known = ", ".join(n for n, _ in self.cases) or "none"
        raise TemplateError(f"Template '{self.name}' has no test case '{name}' (cases: {known}).")

    # ----- TOML ----------------------------------------------------------------------------------

    def to_toml(self) -> str:
        data: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "name": self.name}
        if self.description:
            data["description"] = self.description
        if self.tags:
            data["tags"] = list(self.tags)
        if self.system:
            data["system"] = self.system
        data["prompt"] = self.prompt
        if self.models:
            data["models"] = list(self.models)
        params = {n: toml_value(getattr(self.params, n)) for n in self.params.set_names()}
        params |= {k: v for k, v in self.unknown_params.items() if k not in params}
        if params:
            data["params"] = params
        if not self.routing.empty:
            data["routing"] = self.routing.to_mapping()
        if self.asserts:
            data["assert"] = [dict(a) for a in self.asserts]
        if self.cases:
            data["cases"] = [_case_data(n, v, self.case_asserts.get(n, ())) for n, v in self.cases]
        data |= {k: v for k, v in self.unknown.items() if k not in data}
        return tomli_w.dumps(data, multiline_strings=True)

    @classmethod
    def from_toml(cls, text: str) -> PromptTemplate:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise TemplateError(f"not valid TOML: {exc}") from None
        except RecursionError:
            raise TemplateError("nested too deeply to read (arrays or tables inside each other)") from None
        try:
            return cls.from_data(data)
        except RecursionError:  # a value nested hundreds deep, turned to text
            raise TemplateError("nested too deeply to read (arrays or tables inside each other)") from None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> PromptTemplate:
        version = data.get("schema_version", SCHEMA_VERSION)
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise TemplateError(f"schema_version {version!r} is newer than this app understands")
        name, prompt = data.get("name"), data.get("prompt")
        if not isinstance(name, str) or not name.strip():
            raise TemplateError("the template has no 'name'")
        if not isinstance(prompt, str):
            raise TemplateError("the template has no 'prompt' text")
        return cls(
            name=name.strip(),
            prompt=prompt,
            system=_str(data.get("system")),
            description=_str(data.get("description")),
            tags=_strs(data.get("tags")),
            models=_strs(data.get("models")),
            params=_params(data.get("params")),
            cases=_cases(data.get("cases")),
            routing=_routing(data.get("routing")),
            asserts=_tables(data.get("assert"), "assert"),
            case_asserts=_case_asserts(data.get("cases")),
            unknown={k: v for k, v in data.items() if k not in KNOWN_FIELDS},
            unknown_params=unknown_params(data.get("params")),
        )

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.to_toml().encode("utf-8")).hexdigest()[:12]


def placeholders(text: str) -> list[tuple[int, int, str, str | None]]:
    """Every ``{{name}}`` / ``{{name|default}}`` as (start, end, name, default), in one linear pass.

    A default runs to the first ``}}`` after its ``|``; ``\\{{`` is a literal. The position of the
    next ``}}`` is remembered, so text like ``{{a|{{a|{{a|...`` is not scanned again for each start.
    """
    found: list[tuple[int, int, str, str | None]] = []
    position, close = 0, -1
    while (start := text.find("{{", position)) >= 0:
        head = _HEAD.match(text, start)
        if head is None or (start > 0 and text[start - 1] == "\\"):
            position = start + 1
            continue
        if head.group(2) == "}}":
            found.append((start, head.end(), head.group(1), None))
            position = head.end()
            continue
        if close < head.end():
            close = text.find("}}", head.end())
            if close < 0:
                close = len(text) + 1  # no "}}" anywhere after: no default can close from here on
        if close > len(text):
            position = start + 1
            continue
        found.append((start, close + 2, head.group(1), text[head.end() : close]))
        position = close + 2
    return found


def _fill(text: str, values: Mapping[str, str]) -> str:
    parts: list[str] = []
    done = 0
    for start, end, name, default in placeholders(text):
        parts.append(text[done:start])
        parts.append(str(values[name]) if name in values else (default or "").strip())
        done = end
    parts.append(text[done:])
    return "".join(parts).replace("\\{{", "{{")


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _params(value: Any) -> ChatParams:
    try:
        return params_table(value)
    except ConfigError as exc:
        raise TemplateError(str(exc)) from None


def _routing(value: Any) -> Routing:
    try:
        return routing_table(value)
    except ConfigError as exc:
        raise TemplateError(str(exc)) from None


def _cases(value: Any) -> tuple[tuple[str, Mapping[str, str]], ...]:
    if not isinstance(value, list):
        return ()
    cases: list[tuple[str, Mapping[str, str]]] = []
    for index, case in enumerate(value):
        if not isinstance(case, Mapping):
            raise TemplateError(f"case {index + 1} is not a table")
        raw_name, variables = case.get("name"), case.get("vars")
        name = raw_name if isinstance(raw_name, str) else f"case {index + 1}"
        pairs = variables.items() if isinstance(variables, Mapping) else []
        cases.append((name, {str(k): str(v) for k, v in pairs}))
    return tuple(cases)


def _case_data(name: str, values: Mapping[str, str], asserts: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {"name": name, "vars": dict(values)}
    if asserts:
        data["assert"] = [dict(a) for a in asserts]
    return data


def _tables(value: Any, what: str) -> tuple[Mapping[str, Any], ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, Mapping) else value
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        raise TemplateError(f"'{what}' must be a list of tables (each with a 'type')")
    return tuple(items)


def _case_asserts(value: Any) -> dict[str, tuple[Mapping[str, Any], ...]]:
    found: dict[str, tuple[Mapping[str, Any], ...]] = {}
    for index, case in enumerate(value if isinstance(value, list) else []):
        if isinstance(case, Mapping) and case.get("assert") is not None:
            name = case.get("name") if isinstance(case.get("name"), str) else f"case {index + 1}"
            found[str(name)] = _tables(case["assert"], f"assert of case '{name}'")
    return found


def slug(name: str) -> str:
    cleaned = re.sub(r"[^\w.-]+", "-", name.strip().lower()).strip("-.")
    return cleaned or "template"


@dataclass(frozen=True)
class TemplateEntry:
    """A file in the templates folder: its template, or why it could not be read."""

    path: Path
    template: PromptTemplate | None
    error: str | None = None
    digest: str = ""  # sha256 of the bytes on disk, to tell an edit made outside the app

    @property
    def name(self) -> str:
        return self.template.name if self.template else self.path.stem


class TemplateStore:
    """The templates folder: one TOML file per template; saves are atomic; edits outside the app
    are picked up on the next ``entries()``; deletes go to ``.trash`` so they can be undone."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._cache: dict[Path, tuple[tuple[int, int], TemplateEntry]] = {}

    def entries(self) -> list[TemplateEntry]:
        """Every template file, broken ones included (with their error), sorted by name."""
        found: list[TemplateEntry] = []
        try:
            paths = sorted(self.folder.glob("*.toml"))
        except OSError:
            paths = []
        for path in paths:
            found.append(self._read(path))
        return sorted(found, key=lambda e: e.name.lower())

    def _read(self, path: Path) -> TemplateEntry:
        try:
            info = path.stat()
        except OSError as exc:
            return TemplateEntry(path, None, exc.strerror)
        cached = self._cache.get(path)
        key = (info.st_mtime_ns, info.st_size)
        if cached and cached[0] == key:
            return cached[1]
        try:
            raw = read_template_bytes(path)
        except TemplateError as exc:
            entry = TemplateEntry(path, None, str(exc))
        else:
            entry = _parse_entry(path, raw)
        if entry.error:
            log.warning("template file %s is broken: %s", path.name, entry.error)
        self._cache[path] = (key, entry)
        return entry

    def entry(self, name: str) -> TemplateEntry | None:
        """The file a template (or a broken file of that name) is in, read again now."""
        path = self._path_of(name)
        return None if path is None else self._read(path)

    def get(self, name: str) -> PromptTemplate:
        for entry in self.entries():
            if entry.template and entry.template.name == name:
                return entry.template
        broken = [e for e in self.entries() if e.template is None and e.path.stem == slug(name)]
        if broken:
            raise TemplateError(f"Template '{name}' is broken: {broken[0].error}")
        raise TemplateError(f"No template named '{name}'. See `playground templates list`.")

    def path_for(self, name: str) -> Path:
        return self.folder / f"{slug(name)}.toml"

    def save(
        self, template: PromptTemplate, *, replacing: str | None = None, expected: str | None = None
    ) -> Path:
        """Write ``template``; ``replacing`` is its previous name when it was renamed or edited.

        A new template (or a rename) whose name another template already has is refused. A file
        that is broken on disk is never written over. With ``expected`` (the digest of the file
        when it was loaded), a file changed on disk since then raises ``TemplateConflict``.
        """
        if not _NAME.match(template.name):
            raise TemplateError("A template name needs 1 to 64 letters, digits, spaces, dots or dashes.")
        existing = self._path_of(template.name)
        old = self._path_of(replacing)
        if existing is not None and template.name != replacing:
            raise TemplateError(f"A template named '{template.name}' already exists; choose another name.")
        target = existing or self.path_for(template.name)
        if existing is None and target.exists() and target != old:
            raise TemplateError(f"The file {target.name} already exists in the templates folder.")
        self._check_disk(old or target, expected)
        try:
            atomic_write(target, template.to_toml())
        except OSError as exc:
            message = f"Could not save '{template.name}': {exc.strerror}. Nothing was changed."
            raise TemplateError(message) from None
        if old is not None and old != target and old.exists():
            old.unlink()
        return target

    def _check_disk(self, path: Path, expected: str | None) -> None:
        """Refuse to write over a broken file, or over an edit made since ``expected`` was read."""
        if not path.exists():
            if expected:
                raise TemplateConflict(path, None)
            return
        entry = self._read(path)
        if entry.template is None:
            raise TemplateError(
                f"{path.name} is broken on disk ({entry.error}); it was left alone and nothing was "
                "saved. Fix the file, or save under another name."
            )
        if expected is not None and entry.digest != expected:
            raise TemplateConflict(path, entry.template, entry.digest)

    def _path_of(self, name: str | None) -> Path | None:
        if name is None:
            return None
        for entry in self.entries():
            if entry.name == name:
                return entry.path
        return None

    def delete(self, name: str) -> Path:
        """Move the template to ``.trash``; ``undo_delete`` with the returned path brings it back."""
        path = self._path_of(name)
        if path is None:
            raise TemplateError(f"No template named '{name}'.")
        trash = self.folder / ".trash"
        trash.mkdir(parents=True, exist_ok=True)
        target = trash / path.name
        counter = 1
        while target.exists():
            counter += 1
            target = trash / f"{path.stem}-{counter}.toml"
        path.replace(target)
        return target

    def undo_delete(self, trashed: Path) -> Path:
        template = PromptTemplate.from_toml(_decode(read_template_bytes(trashed)))
        target = self.path_for(template.name)
        if target.exists():
            raise TemplateError(f"Cannot restore '{template.name}': a template with that name exists again.")
        trashed.replace(target)
        return target

    def import_file(self, path: Path) -> PromptTemplate:
        template = PromptTemplate.from_toml(_decode(read_template_bytes(path)))
        self.save(template)
        return template

    def duplicate(self, name: str, new_name: str) -> PromptTemplate:
        copy = replace(self.get(name), name=new_name)
        self.save(copy)
        return copy


def read_template_bytes(path: Path, limit: int = MAX_TEMPLATE_BYTES) -> bytes:
    """A template file's bytes: regular files only (a FIFO or device would block or never end),
    at most ``limit`` bytes (one more is read to tell a file that is too large)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise TemplateError(f"could not read {path.name}: {exc.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # before fdopen, which refuses a folder itself
        os.close(fd)
        raise TemplateError(f"{path.name} is not a regular file")
    with os.fdopen(fd, "rb") as handle:
        try:
            raw = handle.read(limit + 1)
        except OSError as exc:
            raise TemplateError(f"could not read {path.name}: {exc.strerror}") from None
    if len(raw) > limit:
        raise TemplateError(f"{path.name} is larger than {limit:,} bytes")
    return raw


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise TemplateError("not UTF-8 text") from None


def _parse_entry(path: Path, raw: bytes) -> TemplateEntry:
    digest = hashlib.sha256(raw).hexdigest()
    try:
        return TemplateEntry(path, PromptTemplate.from_toml(_decode(raw)), digest=digest)
    except TemplateError as exc:
        return TemplateEntry(path, None, str(exc), digest)


def parse_vars(pairs: list[str]) -> dict[str, str]:
    """``K=V`` pairs from the command line."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--var expects KEY=VALUE, got {pair!r}")
        values[key.strip()] = value
    return values
