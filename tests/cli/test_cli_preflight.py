"""The CLI refuses and warns with core/preflight.py's findings: the same words the window shows."""

from __future__ import annotations

from pathlib import Path

from playground.core.attachments import make_attachment
from playground.core.catalog import ModelInfo
from playground.core.conversation import Message
from playground.core.preflight import FindingKind, PaneDraft, check_pane, unreadable
from playground.core.request import ChatParams
from playground.simulator import Simulator
from tests.cli.helpers import playground, sim_env
from tests.core.test_conversation import png_bytes


def test_compare_refuses_with_the_preflight_finding(sim: Simulator, home: Path, tmp_path: Path) -> None:
    picture = tmp_path / "chart.png"
    picture.write_bytes(png_bytes())
    text_only = ModelInfo("sim/quick-mini", "Quick Mini")  # the catalog lists text input only
    finding = unreadable("sim/quick-mini", text_only, [make_attachment("chart.png", png_bytes())])
    assert finding is not None
    result = playground(
        "compare", "-m", "sim/quick-mini", "--attach", str(picture), "hi", home=home, **sim_env(sim)
    )
    assert result.returncode == 2
    assert finding.text in result.stderr
    assert "Traceback" not in result.stderr
    assert sim.chat_requests() == []  # refused before sending


def test_a_prompt_over_the_context_is_refused_with_the_windows_words(sim: Simulator, home: Path) -> None:
    prompt = "And more? " + "x" * 4 * 40_000  # far past sim/open-llama:free's 32,768 tokens
    llama = ModelInfo("sim/open-llama:free", "Open Llama", context_length=32_768)
    finding = check_pane(
        PaneDraft("sim/open-llama:free", ChatParams(), (Message("user", prompt),)), llama, offer=""
    )
    assert [f.kind for f in finding] == [FindingKind.CONTEXT] and finding[0].blocks
    result = playground("compare", "-m", "sim/open-llama:free", "-", input=prompt, home=home, **sim_env(sim))
    assert result.returncode == 2, result.stderr
    assert finding[0].text in result.stderr  # "Too long for sim/open-llama:free: about ... tokens"
    assert "Traceback" not in result.stderr
    assert sim.chat_requests() == []  # refused before sending
