"""The window with a canary key: nothing visible, copied, exported or saved contains it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QWidget

from playground.ui.dialogs import CodeDialog
from tests.conftest import CANARY_KEY
from tests.ui.conftest import Harness

PIECES = (CANARY_KEY, CANARY_KEY[-12:])


def _visible_texts(root: QWidget) -> list[str]:
    texts = [root.windowTitle()]
    texts += [label.text() for label in root.findChildren(QLabel)]
    texts += [button.text() for button in root.findChildren(QAbstractButton)]
    texts += [
        edit.text() for edit in root.findChildren(QLineEdit) if edit.echoMode() == QLineEdit.EchoMode.Normal
    ]
    return texts


def test_no_key_in_titles_labels_clipboard_exports_or_files(
    aio, make_harness: Callable[..., Harness], tmp_path: Path
) -> None:
    h = make_harness(env={"OPENROUTER_API_KEY": CANARY_KEY})
    h.sim.valid_keys = {CANARY_KEY}

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini", "fault/401")
        await h.send("Hello canary")
        await h.finish()
        window.save_export("md", str(tmp_path / "c.md"))
        window.save_export("json", str(tmp_path / "c.json"))
        window.copy_markdown()
        clipboard = QApplication.clipboard().text()
        window.show_code(0)
        code = window.findChild(CodeDialog)
        assert code is not None
        code.copy_current()
        code_clip = QApplication.clipboard().text()
        dialog = window.show_key_dialog()
        texts = _visible_texts(window) + _visible_texts(dialog) + list(code.texts.values())
        texts += [clipboard, code_clip, (tmp_path / "c.md").read_text(), (tmp_path / "c.json").read_text()]
        assert "sk-or-v1-ccc...ccc" in window.keyLabel.text()
        for text in texts:
            for piece in PIECES:
                assert piece not in text
        dialog.close()
        code.close()
        await h.close()

    aio(go())
    for path in h.home.rglob("*"):
        if path.is_file():
            data = path.read_bytes().decode("utf-8", "replace")
            for piece in PIECES:
                assert piece not in data, path
