"""Blind comparison in the window: hidden and shuffled, vote, reveal; the leaderboard from a known
sequence of votes, checked against the ranking worked out by hand."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

from playground.simulator import Behaviour
from tests.cli.helpers import playground
from tests.ui.conftest import Harness, wait_until

MODELS = ("sim/quick-mini", "sim/balanced-pro", "sim/deep-reasoner")


def _pane_of(window, model: str):  # type: ignore[no-untyped-def]
    return next(p for p in window.compare.panes if p.model == model)


def test_blind_run_vote_reveal_and_leaderboard(
    aio, make_harness: Callable[..., Harness], tmp_path: Path
) -> None:
    h = make_harness()
    for model in MODELS:
        h.sim.set_default(
            model, Behaviour(text=f"An answer that does not say who wrote it ({model[-4:]}).", reasoning="")
        )

    async def blind_run(prompt: str) -> None:
        await h.send(prompt)
        await h.finish()
        await wait_until(lambda: h.window.voteBar.isVisible(), what="the vote bar")

    async def go() -> None:
        window = await h.start()
        h.set_models(*MODELS)
        window.blind_rng = random.Random(3)
        window.blindButton.setChecked(True)
        assert window.blindAction.isChecked()

        # run 1: hidden and shuffled; vote "best" on sim/balanced-pro
        await blind_run("Which is best?")
        shown = [p.model for p in window.compare.panes]
        assert sorted(shown) == sorted(MODELS) and shown != list(MODELS)  # seed 3 moves them
        for pane, label in zip(window.compare.panes, ("Model A", "Model B", "Model C"), strict=True):
            assert pane.blindLabel.text() == label and pane.blindLabel.isVisible()
            assert not pane.modelSelector.isVisible() and not pane.menuButton.isEnabled()
            stats = pane.statsLabel.text()
            assert (
                "sim/" not in stats
                and "$" not in stats
                and "Simulated Labs" not in stats
                and "via" not in stats
            )
            assert "tok/s" in stats  # speed may stay visible (the default)
            assert "cheapest" not in pane.badgeLabel.text()
            assert not pane.noteLabel.isVisible() and pane.voteButton.isVisible()
        assert window.costLabel.toolTip() == "Per-model estimates are hidden until you vote."
        assert window._export_text("md") is None  # an export would name the models
        _pane_of(window, "sim/balanced-pro").voteButton.click()
        assert not window.voteBar.isVisible()
        assert all(p.modelSelector.isVisible() and not p.blindLabel.isVisible() for p in window.compare.panes)
        assert "Vote saved." in window.statusBar().currentMessage()
        assert "was sim/balanced-pro" in window.statusBar().currentMessage()

        # run 2: rank all - deep > balanced > quick
        await blind_run("Rank these")
        label_of = {p.model: p.blind for p in window.compare.panes}
        window.voteBar.findChild(type(window.sendButton), "voteRankButton").click()
        dialog = window.rank_dialog
        dialog.list.clear()
        dialog.list.addItems(
            [label_of["sim/deep-reasoner"], label_of["sim/balanced-pro"], label_of["sim/quick-mini"]]
        )
        dialog.accept()

        # run 3: a tie
        await blind_run("And these?")
        window.voteBar.findChild(type(window.sendButton), "voteTieButton").click()

        # run 4: revealed without a vote - no vote is stored
        await blind_run("One more")
        window.voteBar.findChild(type(window.sendButton), "revealButton").click()
        votes = h.ctx.history().votes()
        assert [v.kind for v in votes] == ["best", "rank", "tie"]
        assert votes[0].ranking[0] == "sim/balanced-pro"
        assert votes[1].ranking == ("sim/deep-reasoner", "sim/balanced-pro", "sim/quick-mini")

        # By hand: balanced beat quick twice and deep once, lost to deep once, tied both: 4 won, 2 lost;
        # deep beat balanced and quick once each, lost to balanced once, tied both: 3-2; quick 1-4.
        # Balanced and deep are level head to head; balanced beat quick more: balanced > deep > quick.
        board = window.show_leaderboard()
        await wait_until(lambda: not board.pending, what="the ratings, computed off the GUI thread")
        rows = [[board.table.item(r, c).text() for c in (1, 4, 5)] for r in range(board.table.rowCount())]
        assert rows == [
            ["sim/balanced-pro", "3", "4-2"],
            ["sim/deep-reasoner", "3", "3-2"],
            ["sim/quick-mini", "3", "1-4"],
        ]
        ratings = [float(board.table.item(r, 2).text()) for r in range(3)]
        assert ratings[0] > ratings[1] > ratings[2]
        target = tmp_path / "board.csv"
        board.export_csv(str(target))
        assert target.read_text().splitlines()[1].startswith("1,sim/balanced-pro,")
        await h.close()

    aio(go())
    # the same standings from the command line
    result = playground("leaderboard", "--json", home=h.home)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["votes"] == 3
    assert [m["model"] for m in data["models"]] == ["sim/balanced-pro", "sim/deep-reasoner", "sim/quick-mini"]


def test_blind_mode_can_hide_speed_and_turning_it_off_reveals(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness()
    h.ctx.settings.update(blind_show_speed=False)

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini", "sim/balanced-pro")
        window.blindButton.setChecked(True)
        await h.send("Hide the speed too")
        await h.finish()
        for pane in window.compare.panes:
            assert "tok/s" not in pane.statsLabel.text() and "TTFT" not in pane.statsLabel.text()
            assert "fastest" not in pane.badgeLabel.text()
        window.blindButton.setChecked(False)  # leaving blind mode shows who was who
        assert window.blind_pending is None
        assert all(p.modelSelector.isVisible() for p in window.compare.panes)
        assert h.ctx.history().votes() == []
        await h.close()

    aio(go())
