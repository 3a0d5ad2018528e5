"""SIGKILL in the middle of saves: files and the database always hold the old or the new content."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from playground.core.templates import PromptTemplate, TemplateStore

SAVER = """
import sys
from pathlib import Path
from playground.core.templates import PromptTemplate, TemplateStore
store = TemplateStore(Path(sys.argv[1]))
a = PromptTemplate(name="t", prompt="A" * 400_000)
b = PromptTemplate(name="t", prompt="B" * 400_000)
store.save(a, replacing="t")
print("ready", flush=True)
i = 0
while True:
    store.save(b if i % 2 else a, replacing="t")
    i += 1
"""

WRITER = """
import sys
from pathlib import Path
from playground.core.compare import CompareRequest, PaneResult, PaneSpec, PaneState
from playground.core.history import RunHistory
history = RunHistory(Path(sys.argv[1]))
print("ready", flush=True)
while True:
    run_id = history.start_run(CompareRequest("p" * 2000, (PaneSpec("a/b"), PaneSpec("c/d"))))
    for pane in range(2):
        result = PaneResult("a/b", state=PaneState.DONE, text_parts=["x" * 5000])
        history.save_answer(run_id, pane, result)
"""


def _kill_after(code: str, target: Path, delay: float) -> None:
    proc = subprocess.Popen([sys.executable, "-c", code, str(target)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    proc.stdout.close()


def test_template_saves_survive_sigkill(tmp_path: Path) -> None:
    for attempt in range(6):
        _kill_after(SAVER, tmp_path, 0.05 + attempt * 0.037)
        template = TemplateStore(tmp_path).get("t")
        assert template.prompt in ("A" * 400_000, "B" * 400_000)
        assert [p.name for p in tmp_path.glob("*.toml")] == ["t.toml"]


def test_history_writes_survive_sigkill(tmp_path: Path) -> None:
    db_path = tmp_path / "history.sqlite3"
    for attempt in range(4):
        _kill_after(WRITER, db_path, 0.1 + attempt * 0.05)
        db = sqlite3.connect(db_path)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        runs = db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        orphans = db.execute(
            "SELECT COUNT(*) FROM answers WHERE run_id NOT IN (SELECT id FROM runs)"
        ).fetchone()[0]
        assert runs > 0 and orphans == 0
        db.close()
    assert PromptTemplate  # the module under test is imported by the children
