"""Follow-up turns (one thread per model), branching, context warnings, attachments and their history."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from pathlib import Path

import pytest

from playground.core.attachments import (
    MAX_IMAGE_BYTES,
    AttachmentError,
    load_attachment,
    make_attachment,
    unreadable_by,
)
from playground.core.compare import CompareRequest, CompareRun, PaneSpec
from playground.core.conversation import ContextLevel, Message, branch, check_context, extend, turns
from playground.core.history import RunHistory, export_runs
from playground.core.library import record_run
from playground.simulator import Behaviour, Simulator
from tests.conftest import run
from tests.core.helpers import client_for

MODELS = ("sim/quick-mini", "sim/balanced-pro", "sim/deep-reasoner")


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real, tiny PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _run(sim: Simulator, request: CompareRequest, history: RunHistory | None = None) -> CompareRun:
    async def go() -> CompareRun:
        async with client_for(sim) as client:
            comparison = CompareRun(client, request)
            if history is not None:
                record_run(history, comparison)
            comparison.start()
            await comparison.wait()
            return comparison

    return run(go())


def _threads(request: CompareRequest, comparison: CompareRun) -> list[tuple[Message, ...]]:
    return [
        extend(request.panes[i].history, request.pane_prompt(i), comparison.results[i].text)
        for i in range(len(request.panes))
    ]


def test_each_model_sees_only_its_own_earlier_answer(sim: Simulator) -> None:
    for index, model in enumerate(MODELS):
        sim.script(model, Behaviour(text=f"first answer from model {index}"))
    first = CompareRequest("Name a colour", tuple(PaneSpec(m) for m in MODELS), system="Be brief.")
    threads = _threads(first, _run(sim, first))
    follow = CompareRequest(
        "Why that one?",
        tuple(PaneSpec(m, history=t) for m, t in zip(MODELS, threads, strict=True)),
        "Be brief.",
    )
    second = _run(sim, follow)
    assert second.all_complete
    for index, model in enumerate(MODELS):
        body = sim.chat_requests(model)[1].json()
        assert body["messages"] == [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Name a colour"},
            {"role": "assistant", "content": f"first answer from model {index}"},
            {"role": "user", "content": "Why that one?"},
        ]
        others = [f"first answer from model {j}" for j in range(len(MODELS)) if j != index]
        assert not any(o in json.dumps(body) for o in others)


def test_a_failed_turn_is_not_carried_as_context(sim: Simulator) -> None:
    sim.script("sim/quick-mini", Behaviour(status=400, error_message="bad"))
    request = CompareRequest("hi", (PaneSpec("sim/quick-mini"),))
    comparison = _run(sim, request)
    assert _threads(request, comparison) == [()]


def test_editing_an_earlier_turn_branches_from_there(sim: Simulator) -> None:
    thread = (
        Message("user", "turn one"),
        Message("assistant", "answer one"),
        Message("user", "turn two"),
        Message("assistant", "answer two"),
    )
    assert [u.text for u, _ in turns(thread)] == ["turn one", "turn two"]
    kept = branch(thread, 1)
    assert kept == thread[:2]
    request = CompareRequest(
        "shared follow-up", (PaneSpec("sim/quick-mini", history=kept, prompt="turn two, edited"),)
    )
    _run(sim, request)
    sent = sim.chat_requests()[0].json()["messages"]
    assert [m["content"] for m in sent] == ["turn one", "answer one", "turn two, edited"]
    assert branch(thread, 0) == ()


def test_context_warnings_at_the_models_limit() -> None:
    history = (Message("user", "x" * 4 * 20_000), Message("assistant", "y" * 4 * 5_000))
    prompt = Message("user", "and now?")
    ok = check_context((*history, prompt), None, 128_000, 1000)
    assert ok.level is ContextLevel.OK and ok.words("m") == ""
    near = check_context((*history, prompt), None, 28_000, 1000)
    assert near.level is ContextLevel.NEAR
    assert near.words("sim/open-llama:free").startswith("Near sim/open-llama:free's context: about 25,")
    over = check_context((*history, prompt), None, 25_000, 1000)
    assert over.level is ContextLevel.OVER and "over its 25,000-token context" in over.words("m")
    assert check_context((prompt,), None, None, None).level is ContextLevel.OK  # unknown limit


def test_an_image_is_sent_as_an_image_url_part(sim: Simulator, tmp_path: Path) -> None:
    picture = tmp_path / "chart.png"
    picture.write_bytes(png_bytes())
    image = load_attachment(picture)
    assert (image.kind, image.mime, image.modality) == ("image", "image/png", "image")
    request = CompareRequest(
        "What is in this picture?", (PaneSpec("sim/vision-large"),), attachments=(image,)
    )
    comparison = _run(sim, request)
    assert comparison.all_complete
    content = sim.chat_requests()[0].json()["messages"][0]["content"]
    assert content[0] == {"type": "text", "text": "What is in this picture?"}
    url = content[1]["image_url"]["url"]
    assert content[1]["type"] == "image_url" and url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == png_bytes()


def test_a_text_only_model_is_flagged_before_sending(sim: Simulator) -> None:
    image = make_attachment("photo.png", png_bytes())
    assert unreadable_by([image], ("text",)) == [image]
    assert unreadable_by([image], ("text", "image")) == []
    text = make_attachment("notes.md", b"# notes")
    assert unreadable_by([text], ("text",)) == []
    # had it been sent anyway, the simulator answers like OpenRouter does
    comparison = _run(sim, CompareRequest("look", (PaneSpec("sim/quick-mini"),), attachments=(image,)))
    failed = comparison.results[0].failed
    assert failed is not None and failed.status == 404


def test_pdf_and_text_files_take_openrouters_shapes() -> None:
    pdf = make_attachment("paper.pdf", b"%PDF-1.7\n...")
    assert pdf.content_part() == {
        "type": "file",
        "file": {
            "filename": "paper.pdf",
            "file_data": "data:application/pdf;base64," + base64.b64encode(b"%PDF-1.7\n...").decode(),
        },
    }
    text = make_attachment("notes.md", "héllo".encode())
    assert text.content_part() == {"type": "text", "text": '<file name="notes.md">\nhéllo\n</file>'}


def test_oversize_unknown_and_empty_attachments_are_refused_with_a_message(tmp_path: Path) -> None:
    big = png_bytes() + b"\x00" * (MAX_IMAGE_BYTES + 1)
    with pytest.raises(
        AttachmentError, match=r"big\.png is 10\.0 MB; image attachments can be at most 10\.0 MB"
    ):
        make_attachment("big.png", big)
    with pytest.raises(AttachmentError, match="not an image"):
        make_attachment("program.exe", b"MZ\x90\x00")
    with pytest.raises(AttachmentError, match="not an image"):
        make_attachment("latin1.txt", "caf\xe9".encode("latin-1"))
    with pytest.raises(AttachmentError, match=r"Could not read missing\.png"):
        load_attachment(tmp_path / "missing.png")
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as f:
        f.truncate(25 * 1024 * 1024)
    with pytest.raises(AttachmentError, match=r"at most 20\.0 MB"):
        load_attachment(huge)


def test_history_round_trip_of_a_thread_with_an_image(sim: Simulator, tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "history.db")
    image = make_attachment("chart.png", png_bytes())
    sim.script("sim/vision-large", Behaviour(text="A red square."), Behaviour(text="Two by two pixels."))
    first = CompareRequest("Describe it", (PaneSpec("sim/vision-large"),), attachments=(image,))
    (thread,) = _threads(first, _run(sim, first, history))
    follow = CompareRequest("How big?", (PaneSpec("sim/vision-large", history=thread),))
    _run(sim, follow, history)
    newest, oldest = history.list_runs()
    assert [a.name for a in history.get_run(oldest.id).attachments] == ["chart.png"]
    record = history.get_run(newest.id).answers[0]
    assert [(m.role, m.text) for m in record.thread] == [
        ("user", "Describe it"),
        ("assistant", "A red square."),
        ("user", "How big?"),
    ]
    assert record.thread[0].attachments[0].data == png_bytes()  # the image itself, back from disk
    assert record.answer == "Two by two pixels."
    assert history.attachment_count() == 1  # stored once, by content hash
    exported = json.loads(export_runs([history.get_run(newest.id)], "json"))
    sent = exported[0]["answers"][0]["thread"]
    assert sent[0]["attachments"] == [
        {"name": "chart.png", "type": "image/png", "bytes": len(png_bytes()), "sha256": image.hash}
    ]
    markdown = export_runs([history.get_run(newest.id)], "md")
    assert (
        "> Describe it" in markdown and "attached: chart.png" in markdown and "Two by two pixels." in markdown
    )
    assert "base64" not in markdown  # exports name the image, they do not inline it
    history.close()
    reopened = RunHistory(tmp_path / "history.db")  # and after a restart
    assert reopened.get_run(newest.id).answers[0].thread[0].attachments[0].hash == image.hash
    reopened.close()


def test_an_old_history_database_gains_the_new_columns(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE runs (id INTEGER PRIMARY KEY, created REAL NOT NULL, template TEXT, template_version TEXT,"
        " case_name TEXT, variables TEXT NOT NULL DEFAULT '{}', system TEXT, prompt TEXT NOT NULL,"
        " params TEXT NOT NULL DEFAULT '{}');"
        "INSERT INTO runs (created, prompt) VALUES (1.0, 'old prompt');"
    )
    db.close()
    history = RunHistory(path)
    (old,) = history.list_runs()
    assert old.prompt == "old prompt" and old.attachments == ()
    history.close()


def test_the_window_export_carries_each_panes_thread() -> None:
    from playground.core.compare import PaneResult
    from playground.core.export import to_json, to_markdown

    image = make_attachment("chart.png", png_bytes())
    thread = (Message("user", "first", (image,)), Message("assistant", "one"))
    request = CompareRequest("second", (PaneSpec("a/x", history=thread), PaneSpec("b/y")))
    results = [PaneResult("a/x", text_parts=["two"]), PaneResult("b/y", text_parts=["fresh"])]
    data = json.loads(to_json(request, results))
    assert [m["text"] for m in data["answers"][0]["thread"]] == ["first", "one", "second"]
    assert data["answers"][0]["thread"][0]["attachments"] == [  # as `history export` names files
        {"name": "chart.png", "type": "image/png", "bytes": len(png_bytes()), "sha256": image.hash}
    ]
    assert data["answers"][1]["thread"] == []
    markdown = to_markdown(request, results)
    assert "**You:**\n\n> first" in markdown and "**Model:**\n\n> one" in markdown
