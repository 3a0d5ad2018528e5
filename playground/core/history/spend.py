"""What the stored answers cost: per day, per model, per template, since a moment."""

from __future__ import annotations

from decimal import Decimal

from playground.core.history.db import HistoryDB


class SpendStore(HistoryDB):
    """Cost totals, summed in SQL as floats: for display, to 9 decimals."""

    def totals_per_day(self, limit: int = 30) -> list[tuple[str, Decimal]]:
        """Cost per day, newest first."""
        rows = self.db.execute(
            "SELECT date(created, 'unixepoch', 'localtime') AS day, SUM(CAST(cost AS REAL)) AS total "
            "FROM answers WHERE cost IS NOT NULL GROUP BY day ORDER BY day DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [(r["day"], _rounded(r["total"])) for r in rows]

    def totals_per_model(self) -> list[tuple[str, Decimal]]:
        rows = self.db.execute(
            "SELECT requested_model, SUM(CAST(cost AS REAL)) AS total FROM answers WHERE cost IS NOT NULL "
            "GROUP BY requested_model ORDER BY total DESC"
        ).fetchall()
        return [(r["requested_model"], _rounded(r["total"])) for r in rows]

    def totals_per_template(self) -> list[tuple[str, Decimal]]:
        """Cost per template; runs typed by hand are listed as "(no template)"."""
        rows = self.db.execute(
            "SELECT COALESCE(r.template, '(no template)') AS name, SUM(CAST(a.cost AS REAL)) AS total "
            "FROM answers a JOIN runs r ON r.id = a.run_id WHERE a.cost IS NOT NULL "
            "GROUP BY name ORDER BY total DESC"
        ).fetchall()
        return [(r["name"], _rounded(r["total"])) for r in rows]

    def total_since(self, since: float) -> Decimal:
        """Cost of the answers of runs started at or after ``since`` (e.g. this session)."""
        row = self.db.execute(
            "SELECT SUM(CAST(a.cost AS REAL)) AS total FROM answers a JOIN runs r ON r.id = a.run_id "
            "WHERE a.cost IS NOT NULL AND r.created >= ?",
            (since,),
        ).fetchone()
        return _rounded(row["total"])


def _rounded(total: float | None) -> Decimal:
    return Decimal(str(round(total or 0.0, 9))).normalize()
