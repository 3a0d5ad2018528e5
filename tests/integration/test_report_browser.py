"""Reports opened in a real browser (headless Chromium): structure, images, and no request elsewhere.

The report comes from the real ``playground history export --format html`` over a history the
simulator filled. Chromium runs with every request sent through a local recording proxy (loopback
included), so anything the page fetched would be seen there; a control page with a tracker image
shows that the recorder does see such a fetch.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from playground.core.attachments import make_attachment
from playground.core.history import RunHistory
from playground.simulator import Behaviour, Simulator
from tests.cli.helpers import playground
from tests.core.report_fixtures import HOSTILE_ANSWER, MODELS, store_comparison
from tests.core.test_conversation import png_bytes

# Chromium's own services (component updates, sign-in, network time) call home whatever page is open;
# these hosts are its, never a report's.
CHROMIUM_OWN = re.compile(r"(^|\.)(google\.com|googleapis\.com|gvt1\.com|gstatic\.com)(:\d+)?$")
QUIET = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--hide-scrollbars",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--metrics-recording-only",
]
PROBE = """<!DOCTYPE html><html><body><pre id="out">pending</pre>
<iframe id="f" src="%s" style="width:1400px;height:900px"></iframe>
<script>
document.getElementById('f').addEventListener('load', () => {
  const d = document.getElementById('f').contentDocument;
  const imgs = [...d.images];
  const box = e => { const r = e.getBoundingClientRect(); return [Math.round(r.left), Math.round(r.top)]; };
  document.getElementById('out').textContent = JSON.stringify({
    images: imgs.length,
    broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt),
    answers: [...d.querySelectorAll('article.answer')].map(a => [a.dataset.model, ...box(a)]),
    svgs: [...d.querySelectorAll('figure svg')].map(s => s.getAttribute('aria-label')),
    scripts: d.scripts.length,
    sources: [...d.querySelectorAll('[src]')].map(e => e.getAttribute('src').slice(0, 11)),
    links: [...d.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
  });
});
</script></body></html>
"""


@pytest.fixture
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing; scripts/test installs it")
        pytest.skip("chromium is not installed (scripts/test installs it)")
    return found


class Recorder:
    """A proxy that answers every request with 502 and remembers its first line."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.requests: list[str] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                first = conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")
                self.requests.append(first)
                conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    def page_requests(self) -> list[str]:
        """What was asked of any host that is not Chromium's own."""
        found = []
        for line in self.requests:
            parts = line.split()
            target = parts[1] if len(parts) > 1 else line
            host = re.sub(r"^[a-z]+://", "", target).split("/")[0]
            if not CHROMIUM_OWN.search(host):
                found.append(line)
        return found

    def close(self) -> None:
        self.server.close()
        self.thread.join(timeout=5)


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    proxy = Recorder()
    yield proxy
    proxy.close()


def browse(chromium: str, page: Path, recorder: Recorder, profile: Path, *extra: str) -> str:
    """Open ``page`` with every request going to the recorder; the DOM after it settled."""
    result = subprocess.run(
        [
            chromium,
            *QUIET,
            f"--user-data-dir={profile}",
            f"--proxy-server=http://127.0.0.1:{recorder.port}",
            "--proxy-bypass-list=<-loopback>",  # loopback goes through the recorder too
            "--virtual-time-budget=5000",
            *extra,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.fixture
def report(sim: Simulator, tmp_path: Path) -> Path:
    """A report written by the real CLI: three models, a hostile answer, an attached image, a vote."""
    home = tmp_path / "home"
    history = RunHistory(home / "data" / "history.sqlite3")
    sim.script("sim/quick-mini", Behaviour(text=HOSTILE_ANSWER))
    first = store_comparison(sim, history, "Explain HTTP caching", system="Be brief")
    history.save_vote(first.run_id, "best", ["sim/balanced-pro", "sim/quick-mini", "sim/deep-reasoner"])
    picture = make_attachment("diagram.png", png_bytes(8, 8))
    store_comparison(sim, history, "Describe this", models=["sim/vision-large"], attachments=(picture,))
    history.close()
    result = playground("history", "export", "--format", "html", home=home)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    path = tmp_path / "report.html"
    path.write_text(result.stdout, encoding="utf-8")
    return path


@pytest.mark.slow
def test_the_report_renders_with_columns_images_and_charts(
    chromium: str, report: Path, recorder: Recorder, tmp_path: Path
) -> None:
    probe = tmp_path / "probe.html"
    probe.write_text(PROBE % report.name, encoding="utf-8")
    dom = browse(
        chromium, probe, recorder, tmp_path / "profile", "--allow-file-access-from-files", "--dump-dom"
    )
    found = re.search(r'<pre id="out">(\{.*\})</pre>', dom)
    assert found, dom[-2000:]
    seen = json.loads(found.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
    run = [a for a in seen["answers"] if a[0] in MODELS]
    assert [a[0] for a in run] == list(MODELS)
    assert len({a[2] for a in run}) == 1 and run[0][1] < run[1][1] < run[2][1]  # side by side, in order
    assert seen["images"] == 1 and seen["broken"] == [] and seen["sources"] == ["data:image/"]
    assert {"Spend per day", "Time to first token per model", "Tokens per second per model"} <= set(
        seen["svgs"]
    )
    assert "Cost and quality per model" in seen["svgs"]  # the vote gives a rating
    assert seen["scripts"] == 0 and seen["links"] == ["https://example.org/doc"]
    assert recorder.page_requests() == []


@pytest.mark.slow
def test_the_recorder_sees_what_a_page_fetches(chromium: str, recorder: Recorder, tmp_path: Path) -> None:
    """The control: without this, "no request recorded" could mean a recorder that records nothing."""
    page = tmp_path / "control.html"
    page.write_text(
        '<html><body><img src="http://tracker.example/pixel.png"></body></html>', encoding="utf-8"
    )
    browse(chromium, page, recorder, tmp_path / "profile", "--dump-dom")
    assert any("tracker.example" in line for line in recorder.page_requests())


@pytest.mark.slow
def test_a_screenshot_of_the_report_is_a_full_page(
    chromium: str, report: Path, recorder: Recorder, tmp_path: Path
) -> None:
    shot = tmp_path / "report.png"
    browse(
        chromium, report, recorder, tmp_path / "profile", "--window-size=1400,1000", f"--screenshot={shot}"
    )
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and int.from_bytes(data[16:20], "big") == 1400
    assert len(data) > 50_000  # text, columns and charts, not a blank page
    assert recorder.page_requests() == []
