"""An OpenAI-compatible endpoint added in the window and compared side by side with OpenRouter."""

from __future__ import annotations

from collections.abc import Callable

from playground.simulator import Behaviour, Simulator
from tests.conftest import FAKE_KEY
from tests.core.keyrings import MemoryKeyring
from tests.ui.conftest import Harness

ENDPOINT_KEY = "local-endpoint-token-" + "f" * 20


def test_endpoint_added_in_the_window_answers_beside_openrouter(
    aio, make_harness: Callable[..., Harness]
) -> None:
    keyring = MemoryKeyring()
    h = make_harness(keyring_backend=keyring)
    h.sim.valid_keys = {FAKE_KEY}
    with Simulator(time_scale=0, openai_compatible=True, valid_keys={ENDPOINT_KEY}) as plain:
        # a server that ignores stream_options.include_usage: its counts are estimated
        plain.script("sim/deep-reasoner", Behaviour(text="local answer", reasoning="", usage_form="none"))

        async def go() -> None:
            window = await h.start()
            dialog = window.show_endpoints()
            dialog.nameEdit.setText("local")
            dialog.urlEdit.setText(plain.base_url)
            dialog.keyEdit.setText(ENDPOINT_KEY)
            await dialog.add()
            assert dialog.keyEdit.text() == ""  # the key does not stay in the form
            assert "'local' added: 7 models." in dialog.statusLabel.text()
            assert dialog.table.item(0, 2).text() == "yes"
            assert h.session.models.catalog is not None and h.session.models.catalog.get(
                "@local/sim/deep-reasoner"
            )
            assert h.session.models.catalog.get("sim/quick-mini") is not None  # OpenRouter's are still there
            dialog.close()
            h.set_models("sim/quick-mini", "@local/sim/deep-reasoner")
            await h.send("Who are you?")
            await h.finish()
            openrouter_pane, local_pane = window.compare.panes
            assert local_pane.outputView.text == "local answer"
            stats = local_pane.statsLabel.text()
            assert "~" in stats and "(estimated)" in stats and "local / unknown cost" in stats
            assert "sim/deep-reasoner via local" in stats  # a plain endpoint names no provider
            assert (
                "$" in openrouter_pane.statsLabel.text()
                and "estimated" not in openrouter_pane.statsLabel.text()
            )
            # each key went only to its own server
            assert {
                r.headers.get("authorization") for r in plain.requests if r.path.endswith("/chat/completions")
            } == {f"Bearer {ENDPOINT_KEY}"}
            assert all(ENDPOINT_KEY not in str(r.headers) + r.body.decode() for r in h.sim.requests)
            assert all(FAKE_KEY not in str(r.headers) + r.body.decode() for r in plain.requests)
            assert ENDPOINT_KEY not in (h.ctx.paths.config_dir / "endpoints.json").read_text()
            # removing it deletes its key from the keyring
            dialog = window.show_endpoints()
            dialog.nameEdit.setText("local")
            await dialog.remove()
            assert not any(k[1] == "endpoint:local" for k in keyring.store)
            assert h.session.models.catalog.get("@local/sim/deep-reasoner") is None
            await h.close()

        aio(go())
