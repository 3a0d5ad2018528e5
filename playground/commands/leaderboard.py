"""``playground leaderboard``: models ranked from your blind votes, or from a judge's verdicts
(``--scope judge``; never mixed), by Bradley-Terry on the Elo scale."""

from __future__ import annotations

import argparse
import json
import sys

from playground.commands.output import table
from playground.core.context import AppContext
from playground.core.leaderboard import Standing, leaderboard, to_csv, to_json


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("leaderboard", help="models ranked from your blind votes, with 95%% intervals")
    p.add_argument("--template", metavar="NAME", help="only votes on runs of this template")
    p.add_argument("--tag", metavar="TAG", help="only votes on runs of templates with this tag")
    p.add_argument(
        "--scope",
        choices=("blind", "judge"),
        default="blind",
        help="blind: your votes (default); judge: the judge's select-best picks in template tests",
    )
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true")
    out.add_argument("--csv", action="store_true")


async def run(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.scope == "judge":
        from playground.core.evaluation.store import TestStore

        votes = TestStore(ctx.history()).judge_votes(template=args.template)
    else:
        votes = ctx.history().votes(template=args.template, tag=args.tag)
    standings = leaderboard(votes)
    if args.json:
        print(json.dumps({"scope": args.scope, "votes": len(votes), "models": to_json(standings)}, indent=2))
    elif args.csv:
        sys.stdout.write(to_csv(standings))
    elif not standings:
        _nothing_yet(args)
    else:
        _print_table(standings, len(votes), args.scope)
    return 0


def _nothing_yet(args: argparse.Namespace) -> None:
    scope = (
        f" for template '{args.template}'" if args.template else f" for tag '{args.tag}'" if args.tag else ""
    )
    if args.scope == "judge":
        print(
            f"No judge verdicts yet{scope}. Run `playground templates test NAME --judge MODEL` on a "
            "template with a select-best assertion."
        )
    else:
        print(f"No blind votes yet{scope}. Turn on Blind in the window, compare, and vote.")


def _print_table(standings: list[Standing], votes: int, scope: str) -> None:
    """Ranked within each group (never across groups); "too few votes" instead of a misleading interval."""
    groups = max(s.group for s in standings)
    rows = []
    for s in standings:
        rank = 1 + sum(o.group == s.group and o.rating > s.rating for o in standings)
        row = [
            str(rank),
            s.model,
            f"{s.rating:.0f}",
            s.interval_text,
            str(s.votes),
            f"{s.wins:g}-{s.losses:g}",
        ]
        rows.append(row + ([str(s.group)] if groups > 1 else []))
    headers = ["#", "model", "rating", "95% CI", "votes", "won-lost"]
    table(headers + (["group"] if groups > 1 else []), rows)
    what = "judge verdicts" if scope == "judge" else "votes"
    print(f"\n{votes} {what}. Ratings: Bradley-Terry on the Elo scale (1000 = average).", file=sys.stderr)
    if groups > 1:
        print(
            f"{groups} separate groups: models in different groups never met through any chain of votes, "
            "so their ratings cannot be compared (each group averages 1000).",
            file=sys.stderr,
        )
