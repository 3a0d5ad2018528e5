"""Testing a key: one client configuration (the user's settings, capped for a quick answer) and one
way of asking OpenRouter, for `playground key set/test` and the window alike."""

from __future__ import annotations

from pathlib import Path

from playground.core.context import AppContext
from playground.core.keyflow import CHECK_TIMEOUT, Verdict, check_config, check_key
from playground.core.secrets import ApiKey
from playground.simulator import Simulator
from tests.conftest import FAKE_KEY, OTHER_KEY, run


def test_a_key_check_keeps_the_users_shorter_timeouts_and_caps_longer_ones(tmp_path: Path) -> None:
    ctx = AppContext.from_env({"PLAYGROUND_HOME": str(tmp_path), "PLAYGROUND_IDLE_TIMEOUT": "2.5"})
    ctx.settings.update(connect_timeout=3.0, log_prompts=True)
    config = check_config(ctx.client_config("https://openrouter.ai/api/v1"))
    assert (config.connect_timeout, config.idle_timeout) == (3.0, 2.5)  # the user's, not 10 s
    assert config.log_texts and config.base_url == "https://openrouter.ai/api/v1"
    ctx.settings.update(connect_timeout=120.0)
    slow = check_config(
        AppContext.from_env({"PLAYGROUND_HOME": str(tmp_path)}).client_config("http://127.0.0.1:1/v1")
    )
    assert slow.connect_timeout == CHECK_TIMEOUT and slow.idle_timeout == CHECK_TIMEOUT
    assert check_config("http://127.0.0.1:1/v1").connect_timeout == CHECK_TIMEOUT  # a bare URL: defaults


def test_check_key_with_the_contexts_config_tells_a_working_key_from_a_rejected_one(tmp_path: Path) -> None:
    with Simulator(time_scale=0, valid_keys={FAKE_KEY}) as sim:
        ctx = AppContext.from_env({"PLAYGROUND_HOME": str(tmp_path)})
        config = ctx.client_config(sim.base_url)
        works = run(check_key(config, ApiKey(FAKE_KEY)))
        rejected = run(check_key(config, ApiKey(OTHER_KEY)))
    assert works.verdict is Verdict.WORKS and works.figures
    assert rejected.verdict is Verdict.REJECTED
