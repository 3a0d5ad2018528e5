"""Take the README's report and chart screenshots: a history and a test-run report rendered by headless
Chromium, and the window's charts dialog (offscreen). History comes from the simulator.

.venv/bin/python scripts/report_screenshots.py resources/screenshots
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from playground.core.compare import CompareRequest, CompareRun, PaneSpec
from playground.core.history import RunHistory
from playground.core.openrouter import ClientConfig, OpenRouterClient
from playground.core.report import Against, MatrixCell, render_test_run_html
from playground.simulator import Simulator

MODELS = ("sim/quick-mini", "sim/balanced-pro", "sim/deep-reasoner", "sim/vision-large")
PROMPTS = ("Explain HTTP caching, with a table.", "Write a Python LRU cache.", "What is an ETag?")
FAKE_KEY = "sk-or-v1-" + "0" * 64


async def fill(history: RunHistory, sim: Simulator) -> None:
    """Three runs a day over five days, and a blind vote on each."""
    async with OpenRouterClient(FAKE_KEY, ClientConfig(base_url=sim.base_url)) as client:
        for day in range(5):
            for k, prompt in enumerate(PROMPTS):
                request = CompareRequest(prompt, tuple(PaneSpec(m) for m in MODELS[: 3 + (day + k) % 2]))
                comparison = CompareRun(client, request)
                comparison.start()
                await comparison.wait()
                when = time.time() - day * 86_400 - k * 600
                run_id = history.start_run(request, now=when)
                for pane, result in enumerate(comparison.results):
                    history.save_answer(run_id, pane, result, now=when)
                ranking = ["sim/deep-reasoner", "sim/balanced-pro", "sim/quick-mini"][:: 1 if k else -1]
                history.save_vote(run_id, "rank", ranking)


def shoot(html: Path, png: Path, height: int) -> None:
    chromium = shutil.which("chromium") or "chromium"
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--window-size=1400,{height}", f"--screenshot={png}", html.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    print(f"saved {png}")


def test_run_page(path: Path) -> None:
    cells = [
        MatrixCell(case, model, f"**{case}** answer from {model}", passed, failing, Decimal(cost), latency)
        for case, model, passed, failing, cost, latency in [
            ("short", "sim/quick-mini", True, (), "0.00002", 0.4),
            ("short", "sim/balanced-pro", True, (), "0.0004", 1.1),
            ("short", "sim/deep-reasoner", True, (), "0.0012", 2.4),
            ("students", "sim/quick-mini", False, ("icontains 'cache': not found",), "0.00003", 0.5),
            ("students", "sim/balanced-pro", True, (), "0.0005", 1.2),
            ("students", "sim/deep-reasoner", False, ("latency: 9100 ms, over 8000 ms",), "0.0015", 9.1),
        ]
    ]
    passed_before = {("short", "sim/quick-mini"): False, ("students", "sim/deep-reasoner"): True}
    page = render_test_run_html("summarise", cells, version="3", against=Against("2", passed_before))
    path.write_text(page, encoding="utf-8")


def charts_dialog(home: Path, png: Path) -> None:
    from PySide6.QtWidgets import QApplication

    from playground.core.context import AppContext
    from playground.ui.charts import ChartsDialog
    from playground.ui.session import Session

    app = QApplication.instance() or QApplication([])
    ctx = AppContext.from_env({"PLAYGROUND_HOME": str(home)}, cwd=home)
    dialog = ChartsDialog(Session(ctx))
    dialog.resize(900, 620)
    dialog.show()
    dialog.show_answers("sim/balanced-pro")
    app.processEvents()
    dialog.grab().save(str(png))
    print(f"saved {png}")


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        history = RunHistory(home / "data" / "history.sqlite3")
        with Simulator(time_scale=0.02) as sim:
            asyncio.run(fill(history, sim))
        history.close()
        env = dict(os.environ, PLAYGROUND_HOME=str(home))
        page = subprocess.run(
            [sys.executable, "-m", "playground", "history", "export", "--format", "html", "--limit", "15"],
            check=True, capture_output=True, text=True, env=env,
        ).stdout  # fmt: skip
        (Path(tmp) / "report.html").write_text(page, encoding="utf-8")
        shoot(Path(tmp) / "report.html", out / "report.png", 1500)
        test_run_page(Path(tmp) / "test-run.html")
        shoot(Path(tmp) / "test-run.html", out / "report-test-run.png", 1100)
        charts_dialog(home, out / "charts.png")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "resources/screenshots"))
