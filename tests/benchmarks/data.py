"""Data the benchmarks read: a history of many runs, a catalog of many models."""

from __future__ import annotations

import json
import time
from pathlib import Path


def fill_history(path: Path, runs: int) -> None:
    """``runs`` runs of 3 answers each, written in one transaction."""
    import random

    from playground.core.history import RunHistory

    history = RunHistory(path)
    rng = random.Random(1)
    words = [
        "cache",
        "latency",
        "token",
        "model",
        "answer",
        "prompt",
        "table",
        "code",
        "list",
        "stream",
        "cost",
        "budget",
    ]
    now = time.time()
    run_rows, answer_rows = [], []
    for i in range(1, runs + 1):
        prompt = " ".join(rng.choice(words) for _ in range(30))
        run_rows.append((i, now - i * 60, "tpl" if i % 3 else None, prompt, "{}"))
        for pane, model in enumerate(("sim/quick-mini", "sim/balanced-pro", "sim/deep-reasoner")):
            answer = " ".join(rng.choice(words) for _ in range(200))
            answer_rows.append((i, pane, model, answer, "done", "0.0001", now - i * 60))
    with history._write() as db:
        db.executemany(
            "INSERT INTO runs (id, created, template, prompt, params) VALUES (?, ?, ?, ?, ?)", run_rows
        )
        db.executemany(
            "INSERT INTO answers (run_id, pane, requested_model, answer, state, cost, created)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            answer_rows,
        )
    history.close()


def fake_models(count: int) -> list[dict[str, object]]:
    from playground.simulator.models import DEFAULT_MODELS

    base = DEFAULT_MODELS[0].to_json(0)
    models = []
    for i in range(count):
        entry = json.loads(json.dumps(base))
        entry["id"] = f"vendor{i % 40}/model-{i}"
        entry["name"] = f"Vendor {i % 40}: Model {i} {'mini' if i % 3 else 'large'}"
        entry["description"] = f"Model number {i}, good at {'code' if i % 2 else 'prose'} and reasoning."
        entry["pricing"]["prompt"] = f"{(i % 50) / 1e7:.8f}"
        models.append(entry)
    return models


def write_big_catalog(home: Path, url: str, count: int) -> None:
    from playground.core.catalog import CatalogCache, CatalogDiff
    from playground.core.context import AppContext

    ctx = AppContext.from_env({"PLAYGROUND_HOME": str(home), "OPENROUTER_BASE_URL": url})
    CatalogCache(ctx.catalog_cache.path).save(fake_models(count), time.time(), CatalogDiff())
