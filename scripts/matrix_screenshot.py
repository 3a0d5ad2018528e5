"""Take the README's screenshot of a live test matrix with failures (run under xvfb-run).

xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/matrix_screenshot.py resources/screenshots
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication

from playground.core.context import AppContext
from playground.core.templates import PromptTemplate
from playground.core.uistate import UiStateStore
from playground.simulator import Behaviour
from playground.ui.app import AppEventLoop, make_app
from playground.ui.main_window import MainWindow
from playground.ui.session import Session

TEMPLATE = """name = "explain"
prompt = "Explain {{topic}} to a new colleague in one paragraph."
models = ["sim/quick-mini", "sim/balanced-pro", "sim/deep-reasoner"]

[[assert]]
type = "not-icontains"
value = "as an ai"

[[assert]]
type = "cost"
threshold = 0.004

[[cases]]
name = "caching"
vars = { topic = "HTTP caching" }
assert = [ { type = "regex", value = "(?i)cach" } ]

[[cases]]
name = "etags"
vars = { topic = "ETags" }
assert = [ { type = "icontains", value = "etag" } ]

[[cases]]
name = "json"
vars = { topic = "a JSON summary" }
assert = [ { type = "is-json" } ]

[[cases]]
name = "short"
vars = { topic = "idempotency keys" }
assert = [ { type = "word-count", value = { max = 120 } } ]
"""


async def wait_until(check, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.05)


async def main(out: Path) -> None:
    ctx = AppContext.from_env()
    ctx.start_demo(time_scale=0.3)
    ctx.demo.script("sim/balanced-pro", Behaviour(status=402, error_message="Not enough credits"))
    session = Session(ctx)
    window = MainWindow(session, UiStateStore(ctx.paths.config_dir / "window.json"))
    window.show()
    await session.start()
    await wait_until(lambda: session.models.catalog is not None)
    template = PromptTemplate.from_toml(TEMPLATE)
    ctx.library().save(template)
    dialog = window.show_matrix(template)
    dialog.setGeometry(40, 40, 1400, 760)
    dialog.repeatBox.setValue(2)
    dialog.startButton.click()
    await wait_until(
        lambda: dialog.run is not None and sum(c.finished for c in dialog.run.cells.values()) >= 14
    )
    QApplication.processEvents()
    dialog.grab().save(str(out / "test-matrix.png"))
    print(f"saved {out / 'test-matrix.png'}")
    await wait_until(lambda: not dialog.run.running)
    dialog.close()
    window.close()
    from playground.ui.app import shutdown

    await shutdown(window, session)
    ctx.stop_demo()


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "resources/screenshots")
    target.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PLAYGROUND_HOME", tempfile.mkdtemp(prefix="playground-shots-"))
    app = make_app()
    with asyncio.Runner(loop_factory=lambda: AppEventLoop(app)) as runner:
        runner.run(main(target))
