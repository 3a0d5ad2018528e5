"""The flags for requests beyond plain chat, shared by ``compare``, ``templates run`` and
``templates test``: structured outputs, tools, web search, reasoning, caching.

Each flag becomes a ChatParams field; files are read and checked here, so a bad schema or tools
file is a usage error (exit code 2) before anything is sent.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from playground.commands.args import MAX_TOKENS, integer
from playground.core.errors import ConfigError
from playground.core.request import REASONING_EFFORTS, ChatParams
from playground.core.structured import JSON_OBJECT, json_schema_format, load_schema
from playground.core.tools import check_tool_choice, load_tools

MAX_WEB_RESULTS = 25


def add_request_arguments(p: argparse.ArgumentParser) -> None:
    """The request flags, in their own group of the help."""
    g = p.add_argument_group("request (structured outputs, tools, web search, reasoning, caching)")
    answer = g.add_mutually_exclusive_group()
    answer.add_argument(
        "--json-schema", type=Path, metavar="FILE", help="answer as JSON for this schema (strict)"
    )
    answer.add_argument("--json-object", action="store_true", help="answer as a JSON object")
    g.add_argument("--tools", type=Path, metavar="FILE", help="function tools, a JSON list in OpenAI's shape")
    g.add_argument("--tool-choice", metavar="auto|none|required|NAME", help="which tool the model may call")
    g.add_argument(
        "--web-search",
        nargs="?",
        action=_WebSearch,
        metavar="N",
        help=f"search the web (OpenRouter's server tool), up to N (1-{MAX_WEB_RESULTS}) sources",
    )
    g.add_argument("--reasoning-effort", choices=REASONING_EFFORTS)
    g.add_argument(
        "--reasoning-max-tokens", type=integer(1, MAX_TOKENS), metavar="N", help="reasoning budget"
    )
    g.add_argument("--exclude-reasoning", action="store_true", help="reason, but leave it out of the answer")
    g.add_argument(
        "--cache-prompt", action="store_true", help="mark the system prompt and attachments for caching"
    )


class _WebSearch(argparse.Action):
    """``--web-search [N]``: a word that is not a number after it is the prompt, not a bad N."""

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any, option: Any = None
    ) -> None:
        if values is None or not str(values).strip().lstrip("+-").isdigit():
            setattr(namespace, self.dest, 0)
            if values is not None:
                namespace.spilled_prompt = values
            return
        try:
            setattr(namespace, self.dest, integer(1, MAX_WEB_RESULTS)(values))
        except argparse.ArgumentTypeError as exc:
            parser.error(f"argument --web-search: {exc}")


def with_request_options(params: ChatParams, args: argparse.Namespace) -> ChatParams:
    """``params`` with what the request flags ask for (files read and checked here)."""
    changes: dict[str, Any] = {}
    schema_file = getattr(args, "json_schema", None)
    if schema_file is not None:
        changes["response_format"] = json_schema_format(load_schema(schema_file), schema_file.stem)
    elif getattr(args, "json_object", False):
        changes["response_format"] = JSON_OBJECT
    tools_file = getattr(args, "tools", None)
    if tools_file is not None:
        changes["tools"] = load_tools(tools_file)
    choice = getattr(args, "tool_choice", None)
    if choice is not None:
        if tools_file is None:
            raise ConfigError("--tool-choice needs --tools FILE.")
        changes["tool_choice"] = check_tool_choice(choice, changes["tools"])
    if getattr(args, "web_search", None) is not None:
        changes["web_search"] = args.web_search
    effort, budget = getattr(args, "reasoning_effort", None), getattr(args, "reasoning_max_tokens", None)
    if effort and budget is not None:
        raise ConfigError("Use --reasoning-effort or --reasoning-max-tokens, not both.")
    if effort:
        changes["reasoning_effort"] = effort
    if budget is not None:
        changes["reasoning_max_tokens"] = budget
    if getattr(args, "exclude_reasoning", False):
        changes["exclude_reasoning"] = True
    if getattr(args, "cache_prompt", False):
        changes["cache_prompt"] = True
    return replace(params, **changes)


def warn(message: str) -> None:
    """A note before sending, on stderr (it never mixes with answers or --jsonl)."""
    print(f"note: {message}", file=sys.stderr)
