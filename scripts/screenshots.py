"""Take the README screenshots of the real window on the simulator (run under xvfb-run).

xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshots.py resources/screenshots

Other screens and themes, to look at (not for the README):
xvfb-run -a -s "-screen 0 1280x720x24" .venv/bin/python scripts/screenshots.py /tmp/shots \
    --size 1280x720 --theme dark
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from playground.core.context import AppContext
from playground.core.templates import PromptTemplate
from playground.core.uistate import UiStateStore
from playground.simulator import Behaviour
from playground.ui.app import AppEventLoop, make_app
from playground.ui.main_window import MainWindow
from playground.ui.session import Session

PROMPT = "Explain how HTTP caching works, with a small example and a table of the main headers."


def grab(widget: QWidget, path: Path) -> None:
    widget.raise_()
    widget.activateWindow()
    QApplication.processEvents()
    screen = widget.screen()
    pixmap = screen.grabWindow(
        0, widget.x(), widget.y(), widget.frameGeometry().width(), widget.frameGeometry().height()
    )
    if pixmap.isNull() or pixmap.width() < 10:
        pixmap = widget.grab()
    pixmap.save(str(path))
    print(f"saved {path}")


async def wait_until(check, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.05)


async def main(out: Path, size: tuple[int, int] = (1500, 900), theme: str = "system") -> None:
    ctx = AppContext.from_env()
    ctx.start_demo()
    ctx.demo.set_default("sim/balanced-pro", Behaviour(tokens_per_second=35, ttft=0.3))
    session = Session(ctx)
    window = MainWindow(session, UiStateStore(ctx.paths.config_dir / "window.json"))
    window.setGeometry(40, 40, *size)
    window.set_theme(theme)
    window.show()
    await session.start()
    await wait_until(lambda: session.models.catalog is not None)
    for pane, model in zip(
        window.compare.panes, ["sim/quick-mini", "sim/balanced-pro", "sim/deep-reasoner"], strict=True
    ):
        pane.modelSelector.setEditText(model)
    window.systemToggle.setChecked(True)
    window.systemPromptEdit.setPlainText("You are a concise senior web engineer.")
    window.promptEdit.setPlainText(PROMPT)
    window.send()
    await asyncio.sleep(1.6)
    grab(window, out / "demo-streaming.png")
    await wait_until(lambda: not window.compare.running)

    window.compare.panes[1].modelSelector.setEditText("fault/402")
    window.send()
    await wait_until(lambda: not window.compare.running)
    await asyncio.sleep(0.3)
    grab(window, out / "finished-with-failure.png")

    # six panes side by side, the model picker open on the first
    window.set_pane_models(
        [
            "sim/quick-mini",
            "sim/balanced-pro",
            "sim/deep-reasoner",
            "sim/open-llama:free",
            "sim/vision-large",
            "sim/long-context",
        ]
    )
    window.promptEdit.setPlainText("Explain idempotency keys for a payments API.")
    window.send()
    await wait_until(lambda: not window.compare.running)
    await asyncio.sleep(0.3)
    window.compare.panes[0].modelSelector.showPopup()
    await asyncio.sleep(0.4)
    grab(window, out / "six-panes.png")
    window.compare.panes[0].modelSelector.hidePopup()
    window.set_pane_models(["sim/quick-mini", "sim/balanced-pro", "sim/deep-reasoner"])

    browser = window.show_model_browser()
    browser.setGeometry(120, 120, 1100, 520)
    browser.searchEdit.setText("sim")
    await asyncio.sleep(0.4)
    grab(browser, out / "model-browser.png")
    browser.close()

    dialog = window.show_key_dialog(first_run=True)
    await asyncio.sleep(0.5)
    grab(dialog, out / "key-dialog.png")
    dialog.close()

    template = PromptTemplate(
        name="summarise",
        system="You write for {{audience|busy engineers}}.",
        prompt="Summarise in {{words|50}} words:\n\n{{text}}",
        models=("sim/quick-mini", "sim/balanced-pro"),
        cases=(("short", {"text": "Caching is fast."}), ("long", {"text": "ETags let a client revalidate."})),
    )
    session.templates.save(template, replacing=None)
    window.templatePanel.show()
    window.historyView.show()
    window.templatePanel.refresh()
    window.templatePanel.templateList.setCurrentRow(0)
    window.templatePanel.varEdits["text"].setText("HTTP caching stores responses.")
    window.templatePanel.use()
    window.send()
    await wait_until(lambda: not window.compare.running)
    await asyncio.sleep(0.5)
    window.historyView.refresh()
    grab(window, out / "templates-and-history.png")
    window.templatePanel.hide()
    window.historyView.hide()
    window.set_pane_models(["sim/quick-mini", "sim/balanced-pro", "sim/deep-reasoner"])

    # a follow-up with an image attached; the vision pane shows its earlier turns
    from PySide6.QtGui import QColor, QImage, QPainter

    from playground.core.attachments import make_attachment
    from playground.ui.attachments import png_bytes

    window.set_pane_models(["sim/quick-mini", "sim/vision-large"])
    window.promptEdit.setPlainText("Suggest a name for a small caching library.")
    window.send()
    await wait_until(lambda: not window.compare.running)
    picture = QImage(320, 200, QImage.Format.Format_RGB32)
    picture.fill(QColor("#f6f8fa"))
    painter = QPainter(picture)
    for i, height in enumerate((60, 120, 90, 160)):
        painter.fillRect(30 + i * 70, 190 - height, 50, height, QColor("#0969da"))
    painter.end()
    window.compare.panes[0].set_in_conversation(False)  # a text-only model: leave it out
    window.composer.add_attachment(make_attachment("hit-rates.png", png_bytes(picture)))
    window.promptEdit.setPlainText("Here are our cache hit rates by week - does the name still fit?")
    window.follow_up()
    await wait_until(lambda: not window.compare.running)
    window.compare.panes[1].threadToggle.setChecked(True)
    await asyncio.sleep(0.3)
    grab(window, out / "follow-up.png")
    window.attachmentStrip.set_attachments([])
    window.compare.panes[0].set_in_conversation(True)

    # a blind run waiting for the vote, then the leaderboard after a few votes
    window.set_pane_models(["sim/quick-mini", "sim/balanced-pro", "sim/deep-reasoner"])
    window.blindButton.setChecked(True)
    for _ in range(3):
        window.promptEdit.setPlainText("Explain idempotency keys in two paragraphs.")
        window.send()
        await wait_until(lambda: not window.compare.running)
        await wait_until(lambda: window.voteBar.isVisible())
        best = next(p for p in window.compare.panes if p.model == "sim/balanced-pro")
        if _ == 2:
            await asyncio.sleep(0.3)
            grab(window, out / "blind.png")
        best.voteButton.click()
    window.blindButton.setChecked(False)
    window.compare.reorder(
        [
            window.compare.models().index(m)
            for m in ("sim/quick-mini", "sim/balanced-pro", "sim/deep-reasoner")
        ]
    )

    # routing: a fallback taken, the auto router's choice, a provider preference; a spend alert
    from playground.core.routing import Routing

    ctx.settings.update(alert_remaining_below_usd=15.0)
    window.set_pane_models(["fault/502", "openrouter/auto", "sim/balanced-pro"])
    window.compare.panes[0].set_routing(Routing(fallbacks=("sim/quick-mini",)))
    window.compare.panes[2].set_routing(Routing(sort="throughput", deny_data_collection=True))
    window.promptEdit.setPlainText("Name three HTTP caching headers.")
    window.send()
    await wait_until(lambda: not window.compare.running)
    await wait_until(lambda: window.alertBanner.isVisible())
    await asyncio.sleep(0.3)
    grab(window, out / "routing-and-alerts.png")
    routing = window.compare.panes[2].edit_routing()
    await asyncio.sleep(0.3)
    grab(routing, out / "routing-dialog.png")
    routing.close()
    usage = window.show_usage()
    usage.resize(900, 600)
    await asyncio.sleep(0.3)
    grab(usage, out / "usage.png")
    usage.close()
    ctx.settings.update(alert_remaining_below_usd=None)
    session.spend.refresh_alerts()
    window.set_pane_models(["sim/quick-mini", "sim/balanced-pro", "sim/deep-reasoner"])
    for pane in window.compare.panes:
        pane.set_routing(None)

    window.set_theme("light" if theme == "dark" else "dark")
    window.compare.panes[1].modelSelector.setEditText("sim/balanced-pro")
    window.send()
    await wait_until(lambda: not window.compare.running)
    await asyncio.sleep(0.3)
    grab(window, out / "dark-mode.png")
    window.close()
    await session.close()
    ctx.stop_demo()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Screenshots of the real window on the simulator")
    parser.add_argument("target", nargs="?", default="resources/screenshots")
    parser.add_argument("--size", default="1500x900", help="window size, WxH (default 1500x900)")
    parser.add_argument("--theme", choices=("system", "light", "dark"), default="system")
    args = parser.parse_args()
    target = Path(args.target)
    target.mkdir(parents=True, exist_ok=True)
    width, height = (int(n) for n in args.size.lower().split("x"))
    os.environ.setdefault("PLAYGROUND_HOME", tempfile.mkdtemp(prefix="playground-shots-"))
    app = make_app()
    with asyncio.Runner(loop_factory=lambda: AppEventLoop(app)) as runner:
        runner.run(main(target.resolve(), (width, height), args.theme))
