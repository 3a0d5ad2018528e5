"""The window's panes show core/preflight.py's findings: the same words the CLI prints."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playground.core.attachments import make_attachment
from playground.core.preflight import unreadable
from tests.core.test_conversation import png_bytes
from tests.ui.conftest import Harness


def test_a_pane_shows_the_preflight_finding_and_nothing_is_sent(
    aio, make_harness: Callable[..., Harness], tmp_path: Path
) -> None:
    h = make_harness()
    picture = tmp_path / "chart.png"
    picture.write_bytes(png_bytes())

    async def go() -> None:
        window = await h.start()
        h.set_models("sim/quick-mini", "sim/vision-large")
        window.attach_files([str(picture)])
        catalog = window.session.models.catalog
        assert catalog is not None
        finding = unreadable(
            "sim/quick-mini", catalog.get("sim/quick-mini"), [make_attachment("chart.png", png_bytes())]
        )
        assert finding is not None
        window.promptEdit.setPlainText("What is it?")
        window.update_estimate()
        quick, vision = window.compare.panes
        assert finding.text in quick.noteLabel.text()
        assert "cannot read" not in vision.noteLabel.text()
        window.send()
        assert h.sim.chat_requests() == []
        assert "Not sent" in window.statusBar().currentMessage()
        await h.close()

    aio(go())
