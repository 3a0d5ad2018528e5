"""The key dialog's "Test" goes through the StreamBackend like every other request: the pasted key's
client is built and used on the network thread (never on the window's), and closed after."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from playground.core import keyflow
from playground.core.keyflow import KeyCheck
from playground.ui.key_dialog import KeyDialog
from tests.conftest import FAKE_KEY
from tests.ui.conftest import Harness, wait_until


def test_a_pasted_key_is_tested_on_the_network_thread_and_its_client_closed(
    aio, make_harness: Callable[..., Harness], monkeypatch: pytest.MonkeyPatch
) -> None:
    h = make_harness()
    h.sim.valid_keys = {FAKE_KEY}
    seen: list[tuple[str, Any]] = []
    real_check = keyflow.check_with

    async def watched(client: Any) -> KeyCheck:  # the real check, noting where it ran and on what
        seen.append((threading.current_thread().name, client))
        return await real_check(client)

    monkeypatch.setattr(keyflow, "check_with", watched)

    async def go() -> None:
        window = await h.start()
        dialog: KeyDialog = window.show_key_dialog()
        dialog.keyEdit.setText(FAKE_KEY)
        dialog.testButton.click()
        await wait_until(lambda: "The key works" in dialog.addStatus.text(), what="test result")
        [(thread, client)] = seen
        assert thread == "network" and threading.current_thread().name != "network"
        assert client._http.is_closed  # a client for that one request, not left open
        assert FAKE_KEY not in dialog.addStatus.text()
        dialog.close()
        await h.close()

    aio(go())
