"""Blind comparison: the vote bar, the rank dialog, and the leaderboard view.

Signals:
    VoteBar.voted(str): "tie", "all_bad", "rank" (asks for an order) or "reveal" (no vote).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from playground.core.errors import PlaygroundError
from playground.core.leaderboard import Standing, Vote, leaderboard, to_csv
from playground.ui.session import Session

MIN_VOTES_FOR_INTERVAL = 5


def interval_text(low: float, high: float, votes: int) -> str:
    """The 95% interval, or "too few votes" while resampling cannot spread it ("1225 - 1225")."""
    if votes < MIN_VOTES_FOR_INTERVAL or round(high) - round(low) < 1:
        return "too few votes"
    return f"{low:.0f} - {high:.0f}"


class VoteBar(QFrame):
    """Shown when a blind run has ended: vote (best is on each pane), then the models are revealed."""

    voted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("voteBar")
        self.setAccessibleName("Blind vote")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        label = QLabel("Blind run finished - which answer is best? Press ★ Best on it, or:")
        label.setObjectName("voteQuestion")
        row.addWidget(label)
        for text, kind, name in (
            ("Rank all...", "rank", "voteRankButton"),
            ("Tie", "tie", "voteTieButton"),
            ("All bad", "all_bad", "voteAllBadButton"),
            ("Reveal without voting", "reveal", "revealButton"),
        ):
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(lambda _=False, k=kind: self.voted.emit(k))
            row.addWidget(button)
        row.addStretch(1)
        self.hide()


class RankDialog(QDialog):
    """Drag the hidden models into order, best at the top."""

    def __init__(self, labels: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rankDialog")
        self.setWindowTitle("Rank the answers")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Drag to order, best at the top:"))
        self.list = QListWidget()
        self.list.setObjectName("rankList")
        self.list.setAccessibleName("Answers, best first")
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.addItems(labels)
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def order(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]


class LeaderboardView(QDialog):
    """Models ranked from the blind votes, overall or per template / tag, or from a judge's picks
    (never mixed); exportable as CSV. The fit and its 200 resamples run on a worker thread, so
    10,000 votes never freeze the window.

    Signals:
        computed: the table shows the standings of the scope last chosen.
    """

    computed = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("leaderboardView")
        self.setWindowTitle("Leaderboard - from your blind votes")
        self.resize(720, 460)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.scopeBox = QComboBox()
        self.scopeBox.setObjectName("leaderboardScope")
        self.scopeBox.setAccessibleName("Which votes")
        self.scopeBox.currentIndexChanged.connect(self.refresh)
        top.addWidget(QLabel("Votes:"))
        top.addWidget(self.scopeBox, 1)
        self.exportButton = QPushButton("Export CSV...")
        self.exportButton.setObjectName("exportLeaderboardButton")
        self.exportButton.clicked.connect(lambda: self.export_csv())
        top.addWidget(self.exportButton)
        layout.addLayout(top)
        self.table = QTableWidget(0, 6)
        self.table.setObjectName("leaderboardTable")
        self.table.setAccessibleName("Leaderboard")
        self.table.setHorizontalHeaderLabels(["#", "model", "rating", "95% interval", "votes", "won-lost"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.summaryLabel = QLabel()
        self.summaryLabel.setObjectName("leaderboardSummary")
        self.summaryLabel.setWordWrap(True)
        layout.addWidget(self.summaryLabel)
        self.standings: list[Standing] = []
        self.pending = False  # standings being computed on the worker thread
        self._generation = 0  # a newer refresh makes an older result stale
        self._task: object = None  # kept referenced until done
        session.votesChanged.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        """Rebuild the scope list from the votes there are, keeping the chosen scope."""
        current = self.scopeBox.currentData()
        votes = self.session.runs.leaderboard_votes()
        templates = sorted({v.template for v in votes if v.template})
        tags = sorted({t for v in votes for t in v.tags})
        self.scopeBox.blockSignals(True)
        self.scopeBox.clear()
        self.scopeBox.addItem(f"All votes ({len(votes)})", None)
        for template in templates:
            self.scopeBox.addItem(f"Template: {template}", ("template", template))
        for tag in tags:
            self.scopeBox.addItem(f"Tag: {tag}", ("tag", tag))
        judged = self.session.runs.judge_votes()
        if judged:
            self.scopeBox.addItem(f"The judge's picks in template tests ({len(judged)})", ("judge", None))
        self.scopeBox.setCurrentIndex(max(0, self.scopeBox.findData(current)))
        self.scopeBox.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        """Fetch the chosen scope's votes and rank them on a worker thread."""
        import asyncio

        scope = self.scopeBox.currentData()
        if scope and scope[0] == "judge":
            votes = self.session.runs.judge_votes()
        else:
            votes = self.session.runs.leaderboard_votes(**({scope[0]: scope[1]} if scope else {}))
        self._generation += 1
        self.pending = True
        self.summaryLabel.setText(f"Ranking {len(votes)} vote{'' if len(votes) == 1 else 's'}...")
        self.exportButton.setEnabled(False)
        judge = bool(scope and scope[0] == "judge")
        self._task = asyncio.ensure_future(self._rank(self._generation, votes, judge=judge))

    async def _rank(self, generation: int, votes: list[Vote], *, judge: bool) -> None:
        import asyncio

        standings = await asyncio.get_running_loop().run_in_executor(None, leaderboard, votes)
        if generation == self._generation:  # a newer scope was chosen meanwhile: drop this one
            self._show(standings, len(votes), judge=judge)

    def _show(self, standings: list[Standing], votes: int, *, judge: bool) -> None:
        self.standings = standings
        groups = len({s.group for s in standings})
        self.table.setRowCount(len(standings))
        rank_in_group: dict[int, int] = {}
        for row, s in enumerate(standings):
            rank_in_group[s.group] = rank_in_group.get(s.group, 0) + 1
            rank = str(rank_in_group[s.group]) + (f" (group {s.group})" if groups > 1 else "")
            shown = "too few votes" if s.too_few else interval_text(s.low, s.high, s.votes)
            cells = [rank, s.model, f"{s.rating:.0f}", shown, str(s.votes), s.ties_note]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column != 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        source = ("judge's pick" if judge else "vote") + ("" if votes == 1 else "s")
        text = (
            f"{votes} {source}. Bradley-Terry ratings on the Elo scale (1000 = average, +400 = ten "
            "times the odds of being preferred); the interval comes from re-fitting on resampled votes."
            if votes
            else "No blind votes yet: turn on Blind (Ctrl+B), compare, and vote."
        )
        if groups > 1:
            text += (
                f" The models fall in {groups} groups that never met through any chain of votes: "
                "ratings are comparable only within a group."
            )
        self.summaryLabel.setText(text)
        self.exportButton.setEnabled(bool(standings))
        self.pending = False
        self.computed.emit()

    def export_csv(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, "Export leaderboard", "leaderboard.csv", "CSV (*.csv)"
            )
        if not path:
            return
        try:
            from pathlib import Path

            self.session.files.save_text(Path(path), to_csv(self.standings))
        except PlaygroundError as exc:
            self.summaryLabel.setText(str(exc))
            return
        self.summaryLabel.setText(f"Saved {path}.")
