"""Blind votes (and a judge's verdicts) and the local leaderboard they build.

A vote on a blind run is one of: the best answer (it beats every other), a full ranking (each beats
every one below it), a tie, or "all bad" (every pair counts as a tie). Votes become pairwise results,
counted once into a win matrix, and a Bradley-Terry model is fitted to it by Newton's method (a
relative tolerance on log-strength; a few steps even when a model only ever wins). Each pair of
models that met gets one virtual tie, so a model that only ever won does not run off to infinity.
Ratings are on the Elo scale - 1000 is the average of a group, +400 means ten times the odds of
winning - with a 95% interval from refits on votes resampled with replacement (bootstrap, drawn as
counts of each distinct vote, centred like the point estimate over the same models), never narrower
than the fitted model's own interval. Models that never met through any chain of votes are in
separate groups and never ranked across. Pure Python, no Qt: callable from any thread.
"""

from __future__ import annotations

import io
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from playground.core.errors import ConfigError

VOTE_KINDS = ("best", "rank", "tie", "all_bad")
PRIOR_TIES = 1.0  # virtual ties per pair of models that met
BOOTSTRAP_ROUNDS = 200
MIN_VOTES = 5  # fewer votes for a model and its interval reads "too few votes"
TOLERANCE = 1e-10  # relative, on log-strength
ELO = 400.0 / math.log(10.0)  # Elo points per unit of log-strength


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
    """One model's place: rating, 95% interval, votes and pairwise record, and its group."""

    model: str
    rating: float
    low: float
    high: float
    votes: int  # votes the model took part in
    wins: float  # pairwise: a tie counts as half a win and half a loss
    losses: float
    group: int = 1  # models in different groups never met through any chain of votes
    too_few: bool = False  # too few votes for the interval to mean much

    @property
    def interval_text(self) -> str:
        """ "1190-1260", or "too few votes" when the interval would mislead."""
        return "too few votes" if self.too_few else f"{self.low:.0f}-{self.high:.0f}"

    @property
    def ties_note(self) -> str:
        return f"{self.wins:g}-{self.losses:g}"


Pair = tuple[int, int]
Counts = dict[Pair, tuple[float, float]]  # (i, j) with i < j -> (games, i's score)


@dataclass(frozen=True)
class WinMatrix:
    """Pairwise results counted once: the models, and per pair that met its games and first's score."""

    models: tuple[str, ...]
    counts: Counts

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, str, float]], models: Sequence[str] = ()) -> WinMatrix:
        found = list(pairs)
        names = tuple(sorted({*models, *(m for a, b, _ in found if a != b for m in (a, b))}))
        index = {m: i for i, m in enumerate(names)}
        return cls(names, _count(found, index))


def _count(pairs: Iterable[tuple[str, str, float]], index: dict[str, int]) -> Counts:
    counts: dict[Pair, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for a, b, score in pairs:
        if a == b:
            continue
        i, j = index[a], index[b]
        key, first = ((i, j), score) if i < j else ((j, i), 1.0 - score)
        counts[key][0] += 1.0
        counts[key][1] += first
    return {k: (v[0], v[1]) for k, v in counts.items()}


def groups_of(size: int, met: Iterable[Pair]) -> list[list[int]]:
    """Models linked by any chain of votes, largest group first."""
    parent = list(range(size))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in met:
        parent[root(i)] = root(j)
    found: dict[int, list[int]] = defaultdict(list)
    for i in range(size):
        found[root(i)].append(i)
    return sorted(found.values(), key=lambda g: (-len(g), g[0]))


def fit(pairs: Iterable[tuple[str, str, float]], prior: float = PRIOR_TIES) -> dict[str, float]:
    """Bradley-Terry ratings (Elo scale, mean 1000 within each group) from pairwise results."""
    matrix = WinMatrix.of(pairs)
    theta = fit_counts(matrix.counts, len(matrix.models), matrix.counts.keys(), prior)
    return {m: 1000.0 + ELO * t for m, t in zip(matrix.models, theta, strict=True)}


def fit_counts(counts: Counts, size: int, met: Iterable[Pair], prior: float = PRIOR_TIES) -> list[float]:
    """Log-strengths, centred to mean 0 over each group; ``met`` are the pairs that get the prior
    (those that met in the full data, so a resample keeps the same groups and centring)."""
    met = list(met)
    with_prior = {
        p: (counts.get(p, (0.0, 0.0))[0] + prior, counts.get(p, (0.0, 0.0))[1] + prior / 2) for p in met
    }
    theta = [0.0] * size
    for group in groups_of(size, met):
        if len(group) > 1:
            for i, value in zip(group, _newton(group, with_prior), strict=True):
                theta[i] = value
    return theta


def _newton(group: list[int], counts: Counts) -> list[float]:
    """Maximum likelihood for one connected group by Newton's method with step halving."""
    pos = {g: i for i, g in enumerate(group)}
    pairs = [(pos[a], pos[b], n, w) for (a, b), (n, w) in counts.items() if a in pos]
    theta = [0.0] * len(group)
    current = _loglik(theta, pairs)
    for _ in range(200):
        grad, laplacian = _derivatives(theta, pairs)
        step = _solve([[v + 1.0 for v in row] for row in laplacian], grad)  # + J fixes the mean
        scale = 1.0
        while True:
            trial = [t + scale * s for t, s in zip(theta, step, strict=True)]
            value = _loglik(trial, pairs)
            if value >= current - 1e-12 or scale < 1e-6:
                break
            scale /= 2
        theta, current = trial, value
        largest = max(abs(t) for t in theta)
        if max(abs(s) * scale for s in step) <= TOLERANCE * (1.0 + largest):
            break
    mean = sum(theta) / len(theta)
    return [t - mean for t in theta]


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def _loglik(theta: list[float], pairs: list[tuple[int, int, float, float]]) -> float:
    total = 0.0
    for i, j, n, w in pairs:
        d = theta[i] - theta[j]
        log_p = -math.log1p(math.exp(-d)) if d >= 0 else d - math.log1p(math.exp(d))
        log_q = log_p - d
        total += w * log_p + (n - w) * log_q
    return total


def _derivatives(
    theta: list[float], pairs: list[tuple[int, int, float, float]]
) -> tuple[list[float], list[list[float]]]:
    """The gradient of the log-likelihood and minus its Hessian (a weighted graph Laplacian)."""
    size = len(theta)
    grad = [0.0] * size
    lap = [[0.0] * size for _ in range(size)]
    for i, j, n, w in pairs:
        p = _sigmoid(theta[i] - theta[j])
        grad[i] += w - n * p
        grad[j] -= w - n * p
        h = n * p * (1.0 - p)
        lap[i][i] += h
        lap[j][j] += h
        lap[i][j] -= h
        lap[j][i] -= h
    return grad, lap


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the matrices here are a few dozen rows at most)."""
    size = len(b)
    m = [[*row, b[i]] for i, row in enumerate(a)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        if abs(m[col][col]) < 1e-300:
            continue
        for r in range(col + 1, size):
            factor = m[r][col] / m[col][col]
            if factor:
                m[r] = [x - factor * y for x, y in zip(m[r], m[col], strict=True)]
    x = [0.0] * size
    for r in range(size - 1, -1, -1):
        rest = sum(m[r][c] * x[c] for c in range(r + 1, size))
        x[r] = (m[r][size] - rest) / m[r][r] if abs(m[r][r]) >= 1e-300 else 0.0
    return x


def _games(counts: Counts, size: int) -> list[float]:
    played = [0.0] * size
    for (a, b), (n, _) in counts.items():
        played[a] += n
        played[b] += n
    return played


def _fisher_se(
    theta: list[float], counts: Counts, met: list[Pair], weights: list[float], prior: float
) -> list[float]:
    """Each log-strength's standard error from the fitted model (the curvature of the likelihood),
    measured against the games-weighted mean of its group - the frame the bootstrap is aligned to."""
    size = len(theta)
    se = [0.0] * size
    with_prior = {
        p: (counts.get(p, (0.0, 0.0))[0] + prior, counts.get(p, (0.0, 0.0))[1] + prior / 2) for p in met
    }
    for group in groups_of(size, met):
        if len(group) < 2:
            continue
        pos = {g: i for i, g in enumerate(group)}
        pairs = [(pos[a], pos[b], n, w) for (a, b), (n, w) in with_prior.items() if a in pos]
        _, lap = _derivatives([theta[g] for g in group], pairs)
        k = len(group)
        shifted = [[v + 1.0 for v in row] for row in lap]
        columns = [_solve(shifted, [1.0 if r == c else 0.0 for r in range(k)]) for c in range(k)]
        pinv = [[columns[c][r] - 1.0 / (k * k) for c in range(k)] for r in range(k)]
        w = [weights[g] for g in group]
        total = sum(w) or 1.0
        pw = [sum(pinv[r][c] * w[c] for c in range(k)) / total for r in range(k)]
        wpw = sum(w[r] * pw[r] for r in range(k)) / total
        for i, g in enumerate(group):
            se[g] = math.sqrt(max(0.0, pinv[i][i] - 2 * pw[i] + wpw))
    return se


def _aligned(
    sample: list[float], point: list[float], weights: list[float], groups: list[list[int]]
) -> list[float]:
    """A resample shifted, group by group, onto the point estimate (a games-weighted fit), so a model
    with two votes swinging wildly does not drag the ratings of the well-measured ones along."""
    out = sample[:]
    for group in groups:
        total = sum(weights[i] for i in group)
        if total:
            shift = sum(weights[i] * (point[i] - sample[i]) for i in group) / total
            for i in group:
                out[i] = sample[i] + shift
    return out


def _binomial(rng: random.Random, n: int, p: float) -> int:
    """A binomial draw: exact (geometric skips) for small means, normal for large ones."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    if p > 0.5:
        return n - _binomial(rng, n, 1.0 - p)
    if n * p < 30:
        count, x, log_q = 0, 0, math.log1p(-p)
        while True:
            x += int(math.log(1.0 - rng.random()) / log_q) + 1
            if x > n:
                return count
            count += 1
    return min(n, max(0, round(rng.gauss(n * p, math.sqrt(n * p * (1.0 - p))))))


def _multinomial(rng: random.Random, n: int, weights: Sequence[int]) -> list[int]:
    left, rest, drawn = n, float(sum(weights)), []
    for w in weights:
        c = _binomial(rng, left, w / rest) if rest > 0 else 0
        drawn.append(c)
        left -= c
        rest -= w
    return drawn


def _key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def leaderboard(
    votes: Sequence[Vote], *, rounds: int = BOOTSTRAP_ROUNDS, seed: int = 0, prior: float = PRIOR_TIES
) -> list[Standing]:
    """Models ranked by rating within their group, with a 95% interval and their vote counts."""
    pairs = [p for v in votes for p in v.pairs()]
    matrix = WinMatrix.of(pairs)
    if not matrix.models:
        return []
    size, met = len(matrix.models), list(matrix.counts)
    index = {m: i for i, m in enumerate(matrix.models)}
    theta = fit_counts(matrix.counts, size, met, prior)
    weights, groups = _games(matrix.counts, size), groups_of(size, met)
    samples = [
        _aligned(s, theta, weights, groups) for s in _bootstrap(votes, index, met, rounds, seed, prior)
    ]
    se = _fisher_se(theta, matrix.counts, met, weights, prior)
    group_of = {i: g for g, members in enumerate(groups, 1) for i in members}
    counts, wins, losses = _tallies(votes, pairs)
    standings = []
    for i, model in enumerate(matrix.models):
        rating = 1000.0 + ELO * theta[i]
        low, high = _interval([1000.0 + ELO * s[i] for s in samples], rating, 1.96 * ELO * se[i])
        few = counts[model] < MIN_VOTES
        tally = (counts[model], wins[model], losses[model])
        standings.append(Standing(model, rating, low, high, *tally, group=group_of[i], too_few=few))
    return sorted(standings, key=lambda s: (s.group, -s.rating, s.model))


def _bootstrap(
    votes: Sequence[Vote], index: dict[str, int], met: list[Pair], rounds: int, seed: int, prior: float
) -> list[list[float]]:
    """Refits on the votes resampled with replacement, as counts of each distinct vote."""
    if len(votes) < 2:
        return []
    kinds = Counter(tuple(v.pairs()) for v in votes)
    shapes = [_count(shape, index) for shape in kinds]
    weights = list(kinds.values())
    rng = random.Random(seed)
    samples = []
    for _ in range(rounds):
        drawn = _multinomial(rng, len(votes), weights)
        counts: dict[Pair, tuple[float, float]] = {}
        for times, shape in zip(drawn, shapes, strict=True):
            if times:
                for key, (n, w) in shape.items():
                    old = counts.get(key, (0.0, 0.0))
                    counts[key] = (old[0] + times * n, old[1] + times * w)
        samples.append(fit_counts(counts, len(index), met, prior))
    return samples


def _tallies(
    votes: Sequence[Vote], pairs: list[tuple[str, str, float]]
) -> tuple[dict[str, int], dict[str, float], dict[str, float]]:
    counts: dict[str, int] = defaultdict(int)
    wins: dict[str, float] = defaultdict(float)
    losses: dict[str, float] = defaultdict(float)
    for vote in votes:
        for model in set(vote.ranking):
            counts[model] += 1
    for a, b, score in pairs:
        if a == b:
            continue
        wins[a] += score
        losses[a] += 1 - score
        wins[b] += 1 - score
        losses[b] += score
    return counts, wins, losses


def _interval(values: list[float], point: float, model_half_width: float) -> tuple[float, float]:
    """The bootstrap's 2.5th and 97.5th percentiles, never narrower than the fitted model's own 95%
    interval (so a few identical votes never give a zero-width interval), always around the point."""
    low, high = point - model_half_width, point + model_half_width
    if len(values) >= 10:
        ordered = sorted(values)
        low = min(low, ordered[int(0.025 * (len(ordered) - 1))])
        high = max(high, ordered[math.ceil(0.975 * (len(ordered) - 1))])
    return low, high


def to_csv(standings: Sequence[Standing]) -> str:
    from playground.core.export import SafeCsvWriter

    out = io.StringIO()
    writer = SafeCsvWriter(out)  # model ids come from users and servers: no live formulas
    writer.writerow(["rank", "model", "rating", "ci_low", "ci_high", "votes", "wins", "losses", "group"])
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
                s.group,
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
            "too_few_votes": s.too_few,
            "group": s.group,
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
