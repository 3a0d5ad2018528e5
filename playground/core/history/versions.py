"""Template versions: each saved content once, so a run can name the exact version it used."""

from __future__ import annotations

import time

from playground.core.history.db import HistoryDB
from playground.core.history.records import TemplateVersion, template_version


class VersionStore(HistoryDB):
    """Every saved version of every template, newest first."""

    def record_version(self, name: str, content: str, content_hash: str, note: str = "") -> TemplateVersion:
        latest = self.versions(name)
        if latest and latest[0].hash == content_hash and not note:
            return latest[0]  # saving unchanged content records nothing new
        with self._write() as db:
            db.execute(
                "INSERT INTO template_versions (name, hash, created, note, content) VALUES (?, ?, ?, ?, ?)",
                (name, content_hash, time.time(), note, content),
            )
        return self.versions(name)[0]

    def versions(self, name: str) -> list[TemplateVersion]:
        rows = self.db.execute(
            "SELECT * FROM template_versions WHERE name = ? ORDER BY created DESC, id DESC", (name,)
        ).fetchall()
        return [template_version(r) for r in rows]

    def rename_versions(self, old: str, new: str) -> None:
        with self._write() as db:
            db.execute("UPDATE template_versions SET name = ? WHERE name = ?", (new, old))
