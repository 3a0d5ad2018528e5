"""``playground endpoint add|list|remove|models``: other OpenAI-compatible servers beside OpenRouter."""

from __future__ import annotations

import argparse
import json
import sys

from playground.commands.keys import read_secret
from playground.commands.output import table
from playground.core.context import AppContext
from playground.core.endpoints import catalog_entries
from playground.core.errors import ApiError, ConfigError


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("endpoint", help="other OpenAI-compatible endpoints (Ollama, LM Studio, vLLM...)")
    actions = p.add_subparsers(dest="endpoint_action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add or replace an endpoint; its models are then @NAME/MODEL")
    add.add_argument("name", help="short name, e.g. ollama")
    add.add_argument("url", help="API root, e.g. http://localhost:11434/v1")
    add.add_argument(
        "--key",
        action="store_true",
        help="it needs a key: read it from stdin or a hidden prompt (never argv)",
    )
    actions.add_parser("list", help="the endpoints and whether each has a key")
    remove = actions.add_parser("remove", help="forget an endpoint and delete its key")
    remove.add_argument("name")
    models = actions.add_parser("models", help="the models an endpoint offers")
    models.add_argument("name")
    models.add_argument("--json", action="store_true")


async def run(ctx: AppContext, args: argparse.Namespace) -> int:
    store = ctx.endpoints
    action = args.endpoint_action
    if action == "add":
        raw = read_secret("Endpoint key (input hidden): ") if args.key else None
        if raw is not None and not raw.strip():
            raise ConfigError("--key was given but no key was read: pipe it in or type it at the prompt.")
        endpoint = await ctx.add_endpoint(args.name, args.url, raw)
        key_note = "its key is in the keyring and is sent only there" if raw is not None else "no key"
        print(f"Endpoint '{endpoint.name}' at {endpoint.base_url} ({key_note}).")
        print(
            f"Use its models as @{endpoint.name}/MODEL; "
            f"list them with `playground endpoint models {endpoint.name}`."
        )
        return 0
    if action == "list":
        rows = [[e.name, e.base_url, "yes" if e.has_key else "no"] for e in store.load()]
        if not rows:
            print("No endpoints. Add one: playground endpoint add ollama http://localhost:11434/v1")
            return 0
        table(["name", "base URL", "key"], rows)
        return 0
    if action == "remove":
        endpoint = await ctx.remove_endpoint(args.name)
        print(f"Removed endpoint '{endpoint.name}'.")
        return 0
    endpoint = store.get(args.name)
    async with await ctx.endpoint_client(endpoint) as client:
        try:
            listed = await client.models()
        except ApiError as exc:
            print(
                f"Could not list the models of '{endpoint.name}' at {endpoint.base_url}: {exc}",
                file=sys.stderr,
            )
            return 1
    found = catalog_entries(endpoint, listed)
    if args.json:
        print(json.dumps([{"id": m.id, "context_length": m.context_length} for m in found], indent=2))
    else:
        table(["model", "context"], [[m.id, str(m.context_length or "-")] for m in found])
    return 0
