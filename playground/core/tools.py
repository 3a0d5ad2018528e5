"""Function tools: reading a tools file, and the parts of an answer beyond text - streamed tool
calls joined per index, url citations and returned images - each bounded and validated, because
everything in a stream is untrusted."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playground.core.atomic import read_json_file
from playground.core.conversation import Message
from playground.core.errors import ConfigError
from playground.core.events import Citation, Image, ToolCall
from playground.core.redact import redact
from playground.core.servertext import server_text

MAX_TOOLS_FILE = 512 * 1024
MAX_TOOLS = 128
MAX_CALLS = 64  # tool calls in one answer
MAX_ARGUMENTS = 256 * 1024  # characters of one call's arguments
MAX_CITATIONS = 100
MAX_IMAGES = 16
MAX_IMAGE_URL = 16 * 1024 * 1024  # a data URL: about 12 MB of image
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_IMAGE_DATA = re.compile(r"^data:image/(png|jpeg|jpg|webp|gif);base64,[A-Za-z0-9+/=\s]+$")


class ToolsError(ConfigError):
    """A tools file or tool choice that cannot be sent."""


def load_tools(path: Path) -> tuple[Mapping[str, Any], ...]:
    """The function tools in a JSON file: a list of OpenAI-shaped tools (or ``{"tools": [...]}``)."""
    data = read_json_file(path, MAX_TOOLS_FILE, "tools", ToolsError)
    if isinstance(data, Mapping) and "tools" in data:
        data = data["tools"]
    return check_tools(data, path.name)


def check_tools(data: Any, where: str = "tools") -> tuple[Mapping[str, Any], ...]:
    """Tools as OpenAI shapes them; a bare function (``{"name", "parameters"}``) is wrapped."""
    if not isinstance(data, list) or not data:
        raise ToolsError(f"{where}: expected a non-empty list of tools.")
    if len(data) > MAX_TOOLS:
        raise ToolsError(f"{where}: at most {MAX_TOOLS} tools.")
    tools = []
    for number, tool in enumerate(data, 1):
        if isinstance(tool, Mapping) and "function" not in tool and "name" in tool:
            tool = {"type": "function", "function": dict(tool)}
        function = tool.get("function") if isinstance(tool, Mapping) else None
        if not isinstance(function, Mapping) or tool.get("type", "function") != "function":
            raise ToolsError(f"{where}: tool {number} is not a function tool ({{type, function}}).")
        name = function.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise ToolsError(f"{where}: tool {number} needs a name of letters, digits, '_' or '-'.")
        parameters = function.get("parameters", {"type": "object", "properties": {}})
        if not isinstance(parameters, Mapping):
            raise ToolsError(f"{where}: the parameters of tool {name!r} must be a JSON Schema object.")
        tools.append({"type": "function", "function": {**function, "parameters": parameters}})
    return tuple(tools)


def check_tool_choice(choice: str, tools: Sequence[Mapping[str, Any]] | None) -> str:
    """``auto|none|required`` or the name of one of the tools."""
    if choice in ("auto", "none", "required"):
        return choice
    names = [t["function"]["name"] for t in tools or ()]
    if choice not in names:
        known = ", ".join(names) or "no tools given"
        raise ToolsError(f"--tool-choice {choice!r}: use auto, none, required or a tool's name ({known}).")
    return choice


def pretty_arguments(arguments: str) -> str:
    """A call's arguments indented when they are JSON, as they came otherwise."""
    try:
        return json.dumps(json.loads(arguments), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):
        return arguments


@dataclass
class _Call:
    call_id: str = ""
    name: str = ""
    parts: list[str] = field(default_factory=list)
    size: int = 0


class AnswerExtras:
    """Collects what an answer carries beside its text: tool calls (arguments arriving in pieces,
    joined per ``index``), citations (each URL once, numbered) and images."""

    def __init__(self) -> None:
        self._calls: dict[int, _Call] = {}
        self._cited: set[str] = set()
        self.citations = 0
        self.images = 0

    def feed(self, delta: Mapping[str, Any]) -> list[Citation | Image]:
        """Reads the tool calls, annotations and images of one delta (or message)."""
        calls = delta.get("tool_calls")
        if isinstance(calls, list):
            for position, call in enumerate(calls):
                if isinstance(call, Mapping):
                    self._add_call(call, position)
        events: list[Citation | Image] = []
        annotations = delta.get("annotations")
        if isinstance(annotations, list):
            events += [c for c in map(self._citation, annotations) if c is not None]
        images = delta.get("images")
        if isinstance(images, list):
            events += [i for i in map(self._image, images) if i is not None]
        return events

    def _add_call(self, call: Mapping[str, Any], position: int) -> None:
        index = call.get("index", position)
        if type(index) is not int or not 0 <= index < MAX_CALLS:
            return
        entry = self._calls.setdefault(index, _Call())
        entry.call_id = server_text(call.get("id"), 200) or entry.call_id
        function = call.get("function")
        if not isinstance(function, Mapping):
            return
        name = server_text(function.get("name"), 64)
        if name and not entry.name:
            entry.name = name
        piece = function.get("arguments")
        if isinstance(piece, str) and entry.size + len(piece) <= MAX_ARGUMENTS:
            entry.parts.append(piece)
            entry.size += len(piece)

    def calls(self) -> list[ToolCall]:
        """The calls gathered so far, in index order."""
        return [  # a key in the arguments is masked like one in the answer
            ToolCall(index, c.call_id or f"call_{index}", c.name or "unnamed", redact("".join(c.parts)))
            for index, c in sorted(self._calls.items())
        ]

    def _citation(self, annotation: Any) -> Citation | None:
        if not isinstance(annotation, Mapping) or annotation.get("type") != "url_citation":
            return None
        cited = annotation.get("url_citation")
        cited = cited if isinstance(cited, Mapping) else annotation
        url = cited.get("url")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")) or len(url) > 2000:
            return None
        if url in self._cited or self.citations >= MAX_CITATIONS or any(ch.isspace() for ch in url):
            return None
        self._cited.add(url)
        self.citations += 1
        return Citation(self.citations, redact(url), server_text(cited.get("title"), 300) or "")

    def _image(self, image: Any) -> Image | None:
        holder = image.get("image_url") if isinstance(image, Mapping) else None
        url = holder.get("url") if isinstance(holder, Mapping) else None
        if not isinstance(url, str) or len(url) > MAX_IMAGE_URL or self.images >= MAX_IMAGES:
            return None
        if not (_IMAGE_DATA.match(url[:200]) or url.startswith("https://")):
            return None
        self.images += 1
        return Image(self.images, url)


@dataclass(frozen=True)
class ToolCallsMessage(Message):
    """The assistant turn that asked for tools: sent back as it came, with its ``tool_calls``."""

    calls: tuple[ToolCall, ...] = ()

    def to_api(self) -> dict[str, Any]:
        return {
            "role": "assistant",
            "content": self.text,
            "tool_calls": [
                {"id": c.call_id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
                for c in self.calls
            ],
        }


@dataclass(frozen=True)
class ToolResultMessage(Message):
    """What one tool call returned, typed by the user: a ``tool`` message answering ``call_id``."""

    call_id: str = ""

    def to_api(self) -> dict[str, Any]:
        return {"role": "tool", "tool_call_id": self.call_id, "content": self.text}


def tool_turn(answer: str, calls: Sequence[ToolCall], results: Sequence[str]) -> tuple[Message, ...]:
    """The messages that continue a thread after tool calls: the calls, then one result for each."""
    replies = [
        ToolResultMessage("tool", text, call_id=c.call_id) for c, text in zip(calls, results, strict=True)
    ]
    return (ToolCallsMessage("assistant", answer, calls=tuple(calls)), *replies)
