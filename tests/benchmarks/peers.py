"""Benchmark 15 (optional, ``--peers``): the same prompt to 4 models, ``playground compare`` against
``llm`` run 4 times in parallel (one process per model, as a user of ``llm`` would do it).

``llm`` is installed in a throwaway venv (this needs the package index) and pointed at the same
simulator through its ``extra-openai-models.yaml`` (OpenAI-compatible models with an ``api_base``), so
both tools read the same streams. Not part of the smoke run.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tests.benchmarks.common import FAKE_KEY, Figure, bench_folder, installed_env, removes_its_folders

MODELS = 4


def install_llm(root: Path) -> Path:
    """A venv with ``llm`` in it; returns the ``llm`` command."""
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True)
    python = root / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "llm"], check=True)
    return root / "bin" / "llm"


def llm_user_dir(root: Path, url: str, models: list[str]) -> Path:
    """llm's config: each simulator model as an OpenAI-compatible model, and the fake key."""
    home = root / "llm-home"
    home.mkdir()
    entries = "".join(
        f'- model_id: peer{i}\n  model_name: {model}\n  api_base: "{url}"\n  api_key_name: peer\n'
        for i, model in enumerate(models)
    )
    (home / "extra-openai-models.yaml").write_text(entries)
    (home / "keys.json").write_text(json.dumps({"peer": FAKE_KEY}))
    return home


def llm_in_parallel(llm: Path, env: dict[str, str], count: int) -> float:
    start = time.perf_counter()
    procs = [
        subprocess.Popen([str(llm), "-m", f"peer{i}", "--no-log", "go"], env=env, stdout=subprocess.DEVNULL)
        for i in range(count)
    ]
    codes = [proc.wait(120) for proc in procs]
    assert codes == [0] * count, codes
    return time.perf_counter() - start


def playground_once(env: dict[str, str], models: list[str]) -> float:
    args = [arg for model in models for arg in ("-m", model)]
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "playground", "compare", *args, "go"],
        env=env,
        stdout=subprocess.DEVNULL,
        check=True,
    )
    return time.perf_counter() - start


@removes_its_folders
def bench_peers(url: str, chunks: int, repeats: int) -> Figure:
    root = Path(bench_folder("bench-peers-"))
    llm = install_llm(root / "venv")
    models = [f"bench/{chunks}"] * MODELS
    llm_env = installed_env(LLM_USER_PATH=str(llm_user_dir(root, url, models)))
    ours_env = installed_env(
        OPENROUTER_BASE_URL=url, OPENROUTER_API_KEY=FAKE_KEY, PLAYGROUND_HOME=str(root / "home")
    )
    # warm-up, one at a time: bytecode cached, our history database created. llm runs with
    # --no-log: four llm processes writing its one log database at once fail ("database is locked").
    llm_in_parallel(llm, llm_env, 1)
    playground_once(ours_env, models)
    theirs, ours = [], []
    for _ in range(repeats):
        theirs.append(llm_in_parallel(llm, llm_env, MODELS))
        ours.append(playground_once(ours_env, models))
    peer, mine = statistics.median(theirs), statistics.median(ours)
    return Figure(
        15,
        f"the same prompt to {MODELS} models x {chunks} chunks",
        f"{mine:.3f} s `playground compare`",
        f"{peer:.3f} s `llm` x {MODELS} in parallel",
        f"{mine / peer:.2f}x",
        "<= 0.3x",
        mine / peer <= 0.3,
    )
