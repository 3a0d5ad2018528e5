"""``compare --attach`` in a subprocess: the image's shape on the wire, flags before sending, limits."""

from __future__ import annotations

from pathlib import Path

from playground.simulator import Simulator
from tests.cli.helpers import playground, sim_env
from tests.core.test_conversation import png_bytes


def test_an_attached_image_is_sent_to_a_vision_model(sim: Simulator, home: Path, tmp_path: Path) -> None:
    picture = tmp_path / "chart.png"
    picture.write_bytes(png_bytes())
    result = playground(
        "compare",
        "-m",
        "sim/vision-large",
        "--attach",
        str(picture),
        "What is it?",
        home=home,
        **sim_env(sim),
    )
    assert result.returncode == 0, result.stderr
    content = sim.chat_requests()[0].json()["messages"][0]["content"]
    assert content[0] == {"type": "text", "text": "What is it?"}
    assert content[1]["image_url"]["url"].startswith("data:image/png;base64,")


def test_a_text_only_model_is_refused_before_sending(sim: Simulator, home: Path, tmp_path: Path) -> None:
    picture = tmp_path / "chart.png"
    picture.write_bytes(png_bytes())
    result = playground(
        "compare",
        "-m",
        "sim/quick-mini",
        "-m",
        "sim/vision-large",
        "--attach",
        str(picture),
        "hi",
        home=home,
        **sim_env(sim),
    )
    assert result.returncode == 2
    assert "sim/quick-mini cannot read images (chart.png)" in result.stderr
    assert sim.chat_requests() == []


def test_too_big_or_missing_attachments_are_usage_errors(sim: Simulator, home: Path, tmp_path: Path) -> None:
    big = tmp_path / "huge.png"
    big.write_bytes(png_bytes() + b"\0" * (11 * 1024 * 1024))
    result = playground(
        "compare", "-m", "sim/vision-large", "--attach", str(big), "hi", home=home, **sim_env(sim)
    )
    assert result.returncode == 2 and "image attachments can be at most 10.0 MB" in result.stderr
    result = playground(
        "compare",
        "-m",
        "sim/vision-large",
        "--attach",
        str(tmp_path / "gone.pdf"),
        "hi",
        home=home,
        **sim_env(sim),
    )
    assert result.returncode == 2 and "Could not read gone.pdf" in result.stderr
    assert "Traceback" not in result.stderr and sim.chat_requests() == []


def test_logging_prompts_names_attachments_without_their_bytes(
    sim: Simulator, home: Path, tmp_path: Path
) -> None:
    picture = tmp_path / "chart.png"
    picture.write_bytes(png_bytes())
    assert playground("log", "--prompts", "on", home=home).returncode == 0
    result = playground(
        "compare", "-m", "sim/vision-large", "--attach", str(picture), "Describe", home=home, **sim_env(sim)
    )
    assert result.returncode == 0
    log = (home / "logs" / "playground.log").read_text()
    assert "messages=['Describe [image_url]']" in log and "base64" not in log
