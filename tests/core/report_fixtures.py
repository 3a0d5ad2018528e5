"""Real history for the report and chart tests: comparisons on the simulator, stored on chosen days."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from playground.core.attachments import Attachment
from playground.core.compare import CompareRequest, CompareRun, PaneSpec
from playground.core.history import RunHistory
from playground.core.routing import Routing
from playground.simulator import Behaviour, Simulator
from tests.conftest import run
from tests.core.helpers import client_for

MODELS = ("sim/quick-mini", "sim/balanced-pro", "sim/deep-reasoner")
DAY = 86_400.0

# An answer written to attack the page it lands in: tags, a tracker image, a script link.
HOSTILE_ANSWER = """Here is **code**:

```python
def cache(key: str) -> int:
    return hash(key)
```

<script>document.title = "pwned"</script> <img src="https://tracker.example/pixel.png" onerror="x()">
![chart](https://tracker.example/chart.png) [click](javascript:alert(1)) [docs](https://example.org/doc)

| model | ok |
|---|---|
| a | yes |
"""


@dataclass(frozen=True)
class Stored:
    run_id: int
    request: CompareRequest


def store_comparison(
    sim: Simulator,
    history: RunHistory,
    prompt: str,
    *,
    models: Sequence[str] = MODELS,
    when: float | None = None,
    system: str | None = None,
    attachments: tuple[Attachment, ...] = (),
    routing: Routing | None = None,
    template: str | None = None,
) -> Stored:
    """Run one real comparison on the simulator and record it as made at ``when``."""
    request = CompareRequest(
        prompt, tuple(PaneSpec(m, routing=routing) for m in models), system=system, attachments=attachments
    )

    async def go() -> CompareRun:
        async with client_for(sim) as client:
            comparison = CompareRun(client, request)
            comparison.start()
            await comparison.wait()
            return comparison

    comparison = run(go())
    run_id = history.start_run(request, now=when, template=template)
    for pane, result in enumerate(comparison.results):
        history.save_answer(run_id, pane, result, now=when)
    return Stored(run_id, request)


def history_over_days(sim: Simulator, path: Path, now: float, days: int = 3) -> RunHistory:
    """A history with two comparisons a day for ``days`` days, the newest today."""
    history = RunHistory(path)
    sim.script("sim/quick-mini", Behaviour(text=HOSTILE_ANSWER))
    for day in range(days):
        for hour in (1, 2):
            store_comparison(sim, history, f"Question {day}-{hour}", when=now - day * DAY - hour * 60)
    return history
