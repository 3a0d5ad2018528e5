"""The leaderboard's statistics: checked against an independent maximum-likelihood fit, on extreme
data, with few votes, with an unrelated model, and with groups that never met."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest

from playground.core.leaderboard import PRIOR_TIES, Vote, fit, leaderboard, to_json


def independent_fit(votes: list[Vote], prior: float = PRIOR_TIES) -> dict[str, float]:
    """Hunter's MM algorithm run to a tight fixed point: a different algorithm from the app's Newton."""
    wins: dict[str, float] = defaultdict(float)
    games: dict[tuple[str, str], float] = defaultdict(float)
    for a, b, score in (p for v in votes for p in v.pairs()):
        wins[a] += score
        wins[b] += 1 - score
        games[tuple(sorted((a, b)))] += 1  # type: ignore[index]
    for a, b in list(games):
        games[(a, b)] += prior
        wins[a] += prior / 2
        wins[b] += prior / 2
    strength = dict.fromkeys(wins, 1.0)
    for _ in range(200_000):
        new = {}
        for m in strength:
            denominator = sum(
                n / (strength[m] + strength[b if a == m else a]) for (a, b), n in games.items() if m in (a, b)
            )
            new[m] = wins[m] / denominator
        mean = sum(math.log(v) for v in new.values()) / len(new)
        new = {m: v / math.exp(mean) for m, v in new.items()}
        done = max(abs(math.log(new[m] / strength[m])) for m in new) < 1e-13
        strength = new
        if done:
            break
    return {m: 1000 + 400 * math.log10(v) for m, v in strength.items()}


def random_votes(seed: int, models: int = 5, count: int = 60) -> list[Vote]:
    rng = random.Random(seed)
    names = [f"m{i}" for i in range(models)]
    skill = {n: rng.gauss(0, 0.8) for n in names}
    votes = []
    for _ in range(count):
        shown = rng.sample(names, rng.choice([2, 2, 3]))
        kind = rng.choice(["best", "best", "rank", "tie"])
        ranking = sorted(shown, key=lambda n: -(skill[n] + rng.gauss(0, 1)))
        votes.append(Vote(kind, tuple(ranking)))
    return votes


@pytest.mark.parametrize("seed", range(22))
def test_ratings_agree_with_an_independent_fit(seed: int) -> None:
    votes = random_votes(seed)
    expected = independent_fit(votes)
    got = fit(p for v in votes for p in v.pairs())
    assert got.keys() == expected.keys()
    for model, rating in expected.items():
        assert got[model] == pytest.approx(rating, abs=1e-5)


def test_extreme_data_converges_fully() -> None:
    # An 8-model chain where every model only ever beats the next: the likelihood's gradient at the
    # fit must be zero (each model's observed wins, virtual ties included, equal the expected wins).
    names = [f"c{i}" for i in range(8)]
    votes = [Vote("best", (names[i], names[i + 1])) for i in range(7)] * 40
    ratings = fit(p for v in votes for p in v.pairs())
    theta = {m: (r - 1000) * math.log(10) / 400 for m, r in ratings.items()}
    for i, model in enumerate(names):
        observed, expected = 0.0, 0.0
        for j in (i - 1, i + 1):
            if 0 <= j < 8:
                other = names[j]
                observed += (40 if j == i + 1 else 0) + PRIOR_TIES / 2
                expected += (40 + PRIOR_TIES) / (1 + math.exp(theta[other] - theta[model]))
        assert observed == pytest.approx(expected, abs=1e-7)
    assert [s.model for s in leaderboard(votes)] == names


def test_few_identical_votes_never_give_a_zero_width_interval() -> None:
    board = leaderboard([Vote("best", ("a", "b"))] * 3)
    for standing in board:
        assert standing.high - standing.low > 50
        assert standing.too_few and standing.interval_text == "too few votes"
    enough = leaderboard([Vote("best", ("a", "b"))] * 6 + [Vote("best", ("b", "a"))] * 4)
    assert not enough[0].too_few and enough[0].interval_text == f"{enough[0].low:.0f}-{enough[0].high:.0f}"


def test_an_unrelated_model_does_not_widen_the_others_intervals() -> None:
    pattern = [("A", "B"), ("B", "C"), ("C", "D"), ("A", "C"), ("B", "D"), ("D", "A"), ("C", "B")]
    base = [Vote("best", pair) for pair in pattern] * 5
    before = {s.model: s.high - s.low for s in leaderboard(base)}
    after = {
        s.model: s.high - s.low
        for s in leaderboard([*base, Vote("best", ("X", "A")), Vote("best", ("X", "A"))])
    }
    for model in "BCD":
        assert after[model] < before[model] * 1.1


def test_groups_that_never_met_are_never_ranked_across() -> None:
    votes = [Vote("best", ("a", "b"))] * 6 + [Vote("best", ("c", "d"))] * 2 + [Vote("best", ("d", "c"))]
    board = leaderboard(votes)
    assert [(s.model, s.group) for s in board] == [("a", 1), ("b", 1), ("c", 2), ("d", 2)]
    assert sum(s.rating for s in board if s.group == 2) / 2 == pytest.approx(1000)
    assert {row["model"]: row["group"] for row in to_json(board)} == {"a": 1, "b": 1, "c": 2, "d": 2}


def test_the_fit_runs_off_the_calling_thread() -> None:
    votes = random_votes(3, models=8, count=2000)
    with ThreadPoolExecutor(1) as pool:
        off_thread = pool.submit(leaderboard, votes).result()
    assert off_thread == leaderboard(votes)
