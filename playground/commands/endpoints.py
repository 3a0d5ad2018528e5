"""``playground endpoint add|list|remove|models``: other OpenAI-compatible servers beside OpenRouter."""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from playground.commands.output import table
from playground.core.context import AppContext
from playground.core.endpoints import catalog_entries, keyring_name
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
        raw = _read_key() if args.key else None
        previous = next((e for e in store.load() if e.name == args.name.strip().lower()), None)
        if raw is not None:  # the key first: an endpoint is never listed as keyed without its key
            await ctx.keys.save_secret(keyring_name(args.name.strip().lower()), raw)
        endpoint = store.add(args.name, args.url, has_key=raw is not None)
        if raw is None and previous is not None and previous.has_key:
            await _forget_key(ctx, endpoint.name)
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
        endpoint = store.remove(args.name)
        if endpoint.has_key:
            await _forget_key(ctx, endpoint.name)
        print(f"Removed endpoint '{endpoint.name}'.")
        return 0
    endpoint = store.get(args.name)
    async with await ctx.endpoint_client(endpoint) as client:
        try:
            raw = await client.models()
        except ApiError as exc:
            print(
                f"Could not list the models of '{endpoint.name}' at {endpoint.base_url}: {exc}",
                file=sys.stderr,
            )
            return 1
    found = catalog_entries(endpoint, raw)
    if args.json:
        print(json.dumps([{"id": m.id, "context_length": m.context_length} for m in found], indent=2))
    else:
        table(["model", "context"], [[m.id, str(m.context_length or "-")] for m in found])
    return 0


async def _forget_key(ctx: AppContext, name: str) -> None:
    await ctx.keys.remove_secret(keyring_name(name))


def _read_key() -> str:
    stdin = sys.stdin
    if stdin is None or stdin.closed:
        raise ConfigError("No input to read the key from: pipe it in, or run this in a terminal.")
    if stdin.isatty():
        return getpass.getpass("Endpoint key (input hidden): ")
    return stdin.readline()
