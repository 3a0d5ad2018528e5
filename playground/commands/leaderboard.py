"""``playground leaderboard``: models ranked from your blind votes (Bradley-Terry, Elo scale)."""

from __future__ import annotations

import argparse
import json
import sys

from playground.commands.output import table
from playground.core.context import AppContext
from playground.core.leaderboard import leaderboard, to_csv, to_json


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("leaderboard", help="models ranked from your blind votes, with 95%% intervals")
    p.add_argument("--template", metavar="NAME", help="only votes on runs of this template")
    p.add_argument("--tag", metavar="TAG", help="only votes on runs of templates with this tag")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true")
    out.add_argument("--csv", action="store_true")


async def run(ctx: AppContext, args: argparse.Namespace) -> int:
    votes = ctx.history().votes(template=args.template, tag=args.tag)
    standings = leaderboard(votes)
    if args.json:
        print(json.dumps({"votes": len(votes), "models": to_json(standings)}, indent=2))
        return 0
    if args.csv:
        sys.stdout.write(to_csv(standings))
        return 0
    if not standings:
        scope = (
            f" for template '{args.template}'"
            if args.template
            else f" for tag '{args.tag}'"
            if args.tag
            else ""
        )
        print(f"No blind votes yet{scope}. Turn on Blind in the window, compare, and vote.")
        return 0
    rows = [
        [
            str(i),
            s.model,
            f"{s.rating:.0f}",
            f"{s.low:.0f}-{s.high:.0f}",
            str(s.votes),
            f"{s.wins:g}-{s.losses:g}",
        ]
        for i, s in enumerate(standings, 1)
    ]
    table(["#", "model", "rating", "95% CI", "votes", "won-lost"], rows)
    print(f"\n{len(votes)} votes. Ratings: Bradley-Terry on the Elo scale (1000 = average).", file=sys.stderr)
    return 0
