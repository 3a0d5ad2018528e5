"""Blind votes and the local leaderboard they build.

A vote on a blind run is one of: the best answer (it beats every other), a full ranking (each beats
every one below it), a tie, or "all bad" (every pair counts as a tie). Votes become pairwise results,
and a Bradley-Terry model is fitted to them (Hunter's MM algorithm). Each pair of models that met
gets one virtual tie, so a model that only ever won does not run off to infinity. Ratings are on the
Elo scale - 1000 is the average, +400 means ten times the odds of winning - with a 95% interval from
re-fitting on votes resampled with replacement (bootstrap).
"""

from __future__ import annotations

import io
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from playground.core.errors import ConfigError
from playground.core.export import SafeCsvWriter

VOTE_KINDS = ("best", "rank", "tie", "all_bad")
PRIOR_TIES = 1.0  # virtual ties per pair of models that met
BOOTSTRAP_ROUNDS = 200


@dataclass(frozen=True)
class Vote:
    """``ranking`` lists the models best first (for "best", the winner first); for "tie" and
    "all_bad" the order means nothing."""

    kind: str
    ranking: tuple[str, ...]
    run_id: int | None = None
    created: float = 0.0
    template: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.kind not in VOTE_KINDS:
            raise ConfigError(f"Unknown vote {self.kind!r}: one of {', '.join(VOTE_KINDS)}.")

    def pairs(self) -> list[tuple[str, str, float]]:
        """(a, b, a's score): 1 a won, 0.5 a tie. A model never plays itself (the same model twice)."""
        models = list(dict.fromkeys(self.ranking))
        if self.kind == "best":
            winner = models[0] if models else None
            return [(winner, other, 1.0) for other in models[1:] if winner is not None]
        if self.kind == "rank":
            return [(a, b, 1.0) for a, b in combinations(models, 2)]
        return [(a, b, 0.5) for a, b in combinations(models, 2)]


@dataclass(frozen=True)
class Standing:
    model: str
    rating: float
    low: float
    high: float
    votes: int  # votes the model took part in
    wins: float  # pairwise: a tie counts as half a win and half a loss
    losses: float

    @property
    def ties_note(self) -> str:
        return f"{self.wins:g}-{self.losses:g}"


def fit(pairs: Iterable[tuple[str, str, float]], prior: float = PRIOR_TIES) -> dict[str, float]:
    """Bradley-Terry ratings (Elo scale, mean 1000) from pairwise results."""
    wins: dict[str, float] = defaultdict(float)
    games: dict[tuple[str, str], float] = defaultdict(float)
    for a, b, score in pairs:
        if a == b:
            continue
        wins[a] += score
        wins[b] += 1.0 - score
        games[_key(a, b)] += 1.0
    models = sorted(wins)
    if not models:
        return {}
    for pair in games:  # the prior: one virtual tie per pair that met
        games[pair] += prior
        wins[pair[0]] += prior / 2
        wins[pair[1]] += prior / 2
    strength = dict.fromkeys(models, 1.0)
    opponents: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (a, b), n in games.items():
        opponents[a].append((b, n))
        opponents[b].append((a, n))
    for _ in range(10_000):
        updated = {}
        for m in models:
            denominator = sum(n / (strength[m] + strength[o]) for o, n in opponents[m])
            updated[m] = wins[m] / denominator if denominator else strength[m]
        mean_log = sum(math.log(v) for v in updated.values()) / len(updated)
        updated = {m: v / math.exp(mean_log) for m, v in updated.items()}
        change = max(abs(updated[m] - strength[m]) for m in models)
        strength = updated
        if change < 1e-12:
            break
    return {m: 1000.0 + 400.0 * math.log10(v) for m, v in strength.items()}


def _key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def leaderboard(votes: Sequence[Vote], *, rounds: int = BOOTSTRAP_ROUNDS, seed: int = 0) -> list[Standing]:
    """Models ranked by rating, with a 95% bootstrap interval and their vote counts."""
    pairs = [p for v in votes for p in v.pairs()]
    ratings = fit(pairs)
    if not ratings:
        return []
    rng = random.Random(seed)
    samples: dict[str, list[float]] = defaultdict(list)
    for _ in range(rounds if len(votes) > 1 else 0):
        resampled = [votes[rng.randrange(len(votes))] for _ in votes]
        for model, rating in fit(p for v in resampled for p in v.pairs()).items():
            samples[model].append(rating)
    counts: dict[str, int] = defaultdict(int)
    wins: dict[str, float] = defaultdict(float)
    losses: dict[str, float] = defaultdict(float)
    for vote in votes:
        for model in set(vote.ranking):
            counts[model] += 1
    for a, b, score in pairs:
        wins[a] += score
        losses[a] += 1 - score
        wins[b] += 1 - score
        losses[b] += score
    standings = []
    for model, rating in ratings.items():
        low, high = _interval(samples.get(model, []), rating)
        standings.append(Standing(model, rating, low, high, counts[model], wins[model], losses[model]))
    return sorted(standings, key=lambda s: (-s.rating, s.model))


def _interval(values: list[float], point: float) -> tuple[float, float]:
    """The 2.5th and 97.5th percentiles, always containing the point estimate."""
    if len(values) < 10:
        return point, point
    ordered = sorted(values)
    low = ordered[int(0.025 * (len(ordered) - 1))]
    high = ordered[math.ceil(0.975 * (len(ordered) - 1))]
    return min(low, point), max(high, point)


def to_csv(standings: Sequence[Standing]) -> str:
    out = io.StringIO()
    writer = SafeCsvWriter(out)  # model ids come from users and servers: no live formulas
    writer.writerow(["rank", "model", "rating", "ci_low", "ci_high", "votes", "wins", "losses"])
    for rank, s in enumerate(standings, 1):
        writer.writerow(
            [
                rank,
                s.model,
                f"{s.rating:.1f}",
                f"{s.low:.1f}",
                f"{s.high:.1f}",
                s.votes,
                f"{s.wins:g}",
                f"{s.losses:g}",
            ]
        )
    return out.getvalue()


def to_json(standings: Sequence[Standing]) -> list[dict[str, object]]:
    return [
        {
            "rank": rank,
            "model": s.model,
            "rating": round(s.rating, 1),
            "ci95": [round(s.low, 1), round(s.high, 1)],
            "votes": s.votes,
            "wins": s.wins,
            "losses": s.losses,
        }
        for rank, s in enumerate(standings, 1)
    ]


def blind_labels(count: int) -> list[str]:
    """ "Model A", "Model B", ... in the order the panes are shown."""
    return [f"Model {chr(ord('A') + i)}" if i < 26 else f"Model {i + 1}" for i in range(count)]


def shuffled(count: int, rng: random.Random) -> list[int]:
    """A uniformly random order for ``count`` panes (keeping the order is as likely as any other,
    so the order shown says nothing about which model is where)."""
    order = list(range(count))
    rng.shuffle(order)
    return order
