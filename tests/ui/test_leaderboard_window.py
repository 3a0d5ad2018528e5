"""The window's leaderboard: ranked on a worker thread (the window keeps painting), the judge's
picks as their own scope (never mixed with blind votes)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playground.simulator.behaviour import Behaviour
from tests.cli.helpers import playground, sim_env
from tests.cli.test_cli_eval import TEMPLATE, A, B
from tests.ui.conftest import Harness, wait_until

JUDGED = (
    TEMPLATE
    + '\n[[cases]]\nname = "best"\nvars = { text = "caches" }\n'
    + 'assert = [ { type = "select-best", value = "Mentions ETags" } ]\n'
)


def test_the_judges_picks_are_their_own_scope_ranked_off_the_gui_thread(
    aio, make_harness: Callable[..., Harness], tmp_path: Path
) -> None:
    h = make_harness()
    source = tmp_path / "explain.toml"
    source.write_text(JUDGED)
    assert playground("templates", "import", str(source), home=h.home).returncode == 0
    h.sim.set_default(A, Behaviour(text="Short."))
    h.sim.set_default(B, Behaviour(text="Longer, with ETags."))
    ran = playground(
        "templates",
        "test",
        "explain",
        "--case",
        "best",
        "--judge",
        "judge/fair",
        home=h.home,
        **sim_env(h.sim),
    )
    assert "judge" in ran.stdout + ran.stderr

    async def go() -> None:
        window = await h.start()
        board = window.show_leaderboard()
        await wait_until(lambda: not board.pending, what="the blind ratings")
        assert board.table.rowCount() == 0 and "No blind votes" in board.summaryLabel.text()
        scopes = [board.scopeBox.itemData(i) for i in range(board.scopeBox.count())]
        judge = next(i for i, data in enumerate(scopes) if data and data[0] == "judge")
        board.scopeBox.setCurrentIndex(judge)
        assert board.pending  # the fit runs elsewhere: the slot returned before the table was filled
        await wait_until(lambda: not board.pending, what="the judge's ratings")
        models = [board.table.item(r, 1).text() for r in range(board.table.rowCount())]
        assert models == [B, A]
        assert board.summaryLabel.text().startswith("1 judge's pick.")  # one pick, not 'picks'
        board.close()
        await h.close()

    aio(go())
