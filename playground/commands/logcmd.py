"""``playground log``: where the log is (for bug reports) and the "log prompts and answers" switch."""

from __future__ import annotations

import argparse

from playground.core.context import AppContext


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("log", help="where the log file is; turn logging of prompts and answers on or off")
    p.add_argument(
        "--prompts",
        choices=("on", "off"),
        help="also log prompt and answer text (off by default; the key is never logged)",
    )


async def run(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.prompts is not None:
        ctx.settings.update(log_prompts=args.prompts == "on")
    texts = "on" if ctx.settings.load().log_prompts else "off"
    print(f"Log file: {ctx.paths.log_file}")
    print(f"Prompts and answers in the log: {texts}")
    print("Attach this file when reporting a problem; it never holds the key.")
    return 0
