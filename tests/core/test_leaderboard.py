"""Blind votes and the leaderboard: ratings checked against hand-computed Bradley-Terry values."""

from __future__ import annotations

import csv
import io
import math
import random
from pathlib import Path

import pytest

from playground.core.compare import CompareRequest, PaneSpec
from playground.core.errors import ConfigError
from playground.core.history import RunHistory
from playground.core.leaderboard import Vote, blind_labels, fit, leaderboard, shuffled, to_csv


def test_two_models_match_the_hand_computed_ratings() -> None:
    # A beat B three times, B beat A once; with one virtual tie: A has 3.5 wins, B 1.5, over 5 games.
    # Bradley-Terry for two models: strength ratio = win ratio = 7/3; centred on 1000:
    # A = 1000 + 200 log10(7/3), B = 1000 - 200 log10(7/3).
    votes = [Vote("best", ("a", "b"))] * 3 + [Vote("best", ("b", "a"))]
    ratings = fit(p for v in votes for p in v.pairs())
    assert ratings["a"] == pytest.approx(1000 + 200 * math.log10(7 / 3), abs=1e-6)  # 1073.6
    assert ratings["b"] == pytest.approx(1000 - 200 * math.log10(7 / 3), abs=1e-6)  # 926.4
    board = leaderboard(votes)
    assert [s.model for s in board] == ["a", "b"]
    assert (board[0].votes, board[0].wins, board[0].losses) == (4, 3, 1)
    assert board[0].low <= board[0].rating <= board[0].high


def test_a_known_sequence_of_votes_ranks_as_by_hand() -> None:
    # Hand ranking: x wins everything it plays; y beats z twice and ties once; z never wins.
    votes = [
        Vote("rank", ("x", "y", "z")),  # x>y, x>z, y>z
        Vote("best", ("x", "z", "y")),  # x>z, x>y
        Vote("best", ("y", "z")),  # y>z
        Vote("tie", ("y", "z")),  # y=z
    ]
    board = leaderboard(votes)
    assert [s.model for s in board] == ["x", "y", "z"]
    by = {s.model: s for s in board}
    assert (by["x"].votes, by["y"].votes, by["z"].votes) == (2, 4, 4)
    assert (by["x"].wins, by["x"].losses) == (4, 0)
    assert (by["y"].wins, by["y"].losses) == (2.5, 2.5)
    assert (by["z"].wins, by["z"].losses) == (0.5, 4.5)
    assert sum(s.rating for s in board) / 3 == pytest.approx(1000)  # centred
    assert all(s.low <= s.rating <= s.high for s in board)


def test_all_bad_and_ties_leave_models_level() -> None:
    board = leaderboard([Vote("all_bad", ("p", "q")), Vote("tie", ("p", "q"))])
    assert [round(s.rating, 6) for s in board] == [1000.0, 1000.0]


def test_the_same_model_twice_never_plays_itself() -> None:
    assert Vote("rank", ("m", "m", "n")).pairs() == [("m", "n", 1.0)]
    with pytest.raises(ConfigError, match="Unknown vote"):
        Vote("maybe", ("m",))


def test_votes_are_stored_with_the_run_and_filtered_by_template_and_tag(tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "h.db")
    request = CompareRequest("p", (PaneSpec("a"), PaneSpec("b")))
    tagged = history.start_run(request, template="summarise")
    plain = history.start_run(request)
    history.save_vote(tagged, "best", ["a", "b"], tags=["writing"])
    history.save_vote(plain, "best", ["b", "a"])
    history.save_vote(plain, "rank", ["a", "b"])  # changing one's mind replaces the vote
    assert len(history.votes()) == 2
    assert [v.run_id for v in history.votes(template="summarise")] == [tagged]
    assert [v.run_id for v in history.votes(tag="writing")] == [tagged]
    assert history.vote_for(plain) is not None and history.vote_for(plain).kind == "rank"
    history.delete_run(plain)
    assert [v.run_id for v in history.votes()] == [tagged]
    history.close()


def test_csv_export() -> None:
    rows = list(csv.reader(io.StringIO(to_csv(leaderboard([Vote("best", ("a", "b"))] * 2)))))
    assert rows[0] == ["rank", "model", "rating", "ci_low", "ci_high", "votes", "wins", "losses", "group"]
    assert [r[1] for r in rows[1:]] == ["a", "b"] and rows[1][5] == "2"


def test_labels_and_shuffles() -> None:
    assert blind_labels(3) == ["Model A", "Model B", "Model C"]
    orders = {tuple(shuffled(3, random.Random(seed))) for seed in range(60)}
    assert len(orders) == 6  # every order can happen, the shown one included
