"""README screenshots of requests beyond plain chat: tool call cards, schema checks, citations.

xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/surface_screenshots.py resources/screenshots
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path

from playground.core.context import AppContext
from playground.core.uistate import UiStateStore
from playground.simulator import Behaviour
from playground.ui.app import AppEventLoop, make_app
from playground.ui.main_window import MainWindow
from playground.ui.session import Session
from scripts.screenshots import grab, wait_until

SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "population": {"type": "integer"}},
    "required": ["city", "population"],
    "additionalProperties": False,
}
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather for a city",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string"},
                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                },
                "required": ["city"],
            },
        },
    }
]


async def run_with(window: MainWindow, prompt: str, **options: str | int | bool) -> None:
    dialog = window.params.edit_options()
    dialog.formatBox.setCurrentIndex(int(options.get("format", 0)))
    dialog.schemaEdit.setPlainText(str(options.get("schema", "")))
    dialog.toolsEdit.setPlainText(str(options.get("tools", "")))
    dialog.webSearchBox.setChecked(bool(options.get("web", False)))
    dialog.webResults.setValue(3)
    dialog.accept()
    window.promptEdit.setPlainText(prompt)
    window.send()
    await wait_until(lambda: window.compare.run is not None and not window.compare.running)
    await asyncio.sleep(0.4)


async def main(out: Path) -> None:
    ctx = AppContext.from_env()
    ctx.start_demo()
    session = Session(ctx)
    window = MainWindow(session, UiStateStore(ctx.paths.config_dir / "window.json"))
    window.setGeometry(40, 40, 1500, 900)
    window.show()
    await session.start()
    await wait_until(lambda: session.models.catalog is not None)
    for pane, model in zip(
        window.compare.panes, ["sim/quick-mini", "sim/balanced-pro", "sim/deep-reasoner"], strict=True
    ):
        pane.modelSelector.setEditText(model)
    ctx.demo.script("sim/balanced-pro", Behaviour(text='{"city": "Paris", "population": "about 2 million"}'))
    await run_with(window, "Largest city in France, as JSON.", format=2, schema=json.dumps(SCHEMA))
    window.compare.panes[0].extras.jsonToggle.setChecked(True)
    grab(window, out / "schema-validation.png")

    await run_with(window, "What is the weather in Paris?", tools=json.dumps(TOOLS))
    window.compare.panes[0].extras.cards_shown()[0].resultEdit.setText('{"temp": 21, "sky": "clear"}')
    grab(window, out / "tool-calls.png")

    await run_with(window, "How does HTTP caching work?", web=True)
    grab(window, out / "citations.png")
    window.close()
    await session.close()
    ctx.stop_demo()


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "resources/screenshots")
    target.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PLAYGROUND_HOME", tempfile.mkdtemp(prefix="playground-shots-"))
    app = make_app()
    with asyncio.Runner(loop_factory=lambda: AppEventLoop(app)) as runner:
        runner.run(main(target.resolve()))
