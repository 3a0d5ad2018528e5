"""The history database file: opening it (0600, WAL), telling damage from a passing fault, transactions.

Only a damaged database (SQLite says CORRUPT or NOTADB) is moved aside (kept, renamed with a
timestamp) and a fresh one started; a locked, full, read-only or unreadable one is left alone and
reported as unavailable.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from playground.core.atomic import quarantine
from playground.core.errors import PlaygroundError

log = logging.getLogger("playground.core.history")

# SQLite's primary result codes that mean the file itself is damaged; every other error (BUSY,
# LOCKED, FULL, READONLY, IOERR, CANTOPEN, PERM...) leaves an intact file that must not be set aside.
SQLITE_CORRUPT, SQLITE_NOTADB = 11, 26
SQLITE_BUSY, SQLITE_LOCKED = 5, 6  # another connection holds the lock: it passes, so a write may wait


class HistoryError(PlaygroundError):
    """The history database could not be read or written."""


class HistoryUnavailable(HistoryError):
    """The database is intact but cannot be used now (locked, disk full, read-only, I/O error)."""

    def __init__(self, reason: str, *, busy: bool = False) -> None:
        self.reason = reason
        self.busy = busy  # locked by another connection: trying again later may succeed
        super().__init__(f"history unavailable ({reason})")


def is_damage(exc: sqlite3.Error) -> bool:
    """True only when SQLite says the file is corrupt or not a database."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (SQLITE_CORRUPT, SQLITE_NOTADB)


def unavailable(exc: sqlite3.Error | OSError) -> HistoryUnavailable:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
    code = getattr(exc, "sqlite_errorcode", None)
    return HistoryUnavailable(reason, busy=code is not None and code & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED))


class Transaction:
    """``with Transaction(db) as db:`` commits, or rolls back and raises HistoryError."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise unavailable(exc) from None
        return self.db

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if kind is None:
            try:
                self.db.execute("COMMIT")
            except sqlite3.Error as error:
                self._rollback()
                raise unavailable(error) from None
            return
        self._rollback()
        if isinstance(exc, sqlite3.Error):
            raise unavailable(exc) from None

    def _rollback(self) -> None:
        # SQLite may already have rolled back (a full disk, an I/O error): nothing left to undo
        with contextlib.suppress(sqlite3.Error):
            self.db.execute("ROLLBACK")


class HistoryDB:
    """The open connection; the stores of each concern (runs, votes, versions...) build on it."""

    def __init__(self, path: Path, *, busy_timeout: float = 5.0) -> None:
        """``busy_timeout``: how long to wait for another process's write to end before giving up."""
        self.path = path
        self.busy_timeout = busy_timeout
        self.warnings: list[str] = []
        self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        try:
            return connect(self.path, self.busy_timeout)
        except (sqlite3.Error, OSError) as exc:
            if not isinstance(exc, sqlite3.Error) or not is_damage(exc) or not self.path.exists():
                log.warning("history unavailable: %s", exc)
                raise unavailable(exc) from None
        try:
            moved = self._set_aside()
            db = connect(self.path, self.busy_timeout)
        except (sqlite3.Error, OSError) as exc:
            raise unavailable(exc) from None
        message = f"The history database was damaged; it was kept as {moved.name} and a new one started."
        self.warnings.append(message)
        log.warning(message)
        return db

    def _set_aside(self) -> Path:
        moved = quarantine(self.path)
        for suffix in ("-wal", "-shm"):
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                side.replace(moved.with_name(moved.name + suffix))
        return moved

    def close(self) -> None:
        self.db.close()

    def _write(self) -> Transaction:
        return Transaction(self.db)

    def _read(self, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Rows of one query; a failure (locked, damaged, I/O) is a HistoryError, not SQLite's own."""
        try:
            return self.db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise unavailable(exc) from None


def connect(path: Path, busy_timeout: float) -> sqlite3.Connection:
    """Open (creating or migrating) the database; a damaged file raises here, not at first use."""
    from playground.core.history.schema import migrate

    private_file(path)
    db = sqlite3.connect(path, isolation_level=None, timeout=busy_timeout)
    try:
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        migrate(db)
        db.execute("SELECT COUNT(*) FROM runs").fetchone()  # a damaged file fails here, not later
    except BaseException:
        db.close()
        raise
    return db


def private_file(path: Path) -> None:
    """Create the database 0600 (prompts and answers are private); SQLite gives its -wal and -shm
    files the same mode. An older world-readable file is tightened."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
    except OSError:
        pass  # a read-only file or folder: SQLite says so itself, as "history unavailable"
