"""Send with a pane that has no model says what is really missing: the key, the model list, or the
model itself (only when there is a list to pick it from)."""

from __future__ import annotations

import socket
from collections.abc import Callable

import keyring.backends.fail

from playground.ui.main_window import MainWindow
from tests.ui.conftest import Harness, wait_until

NO_KEYRING = keyring.backends.fail.Keyring()


def _closed_port_url() -> str:
    """An API root on loopback where nothing listens: the model list cannot be fetched."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/v1"


async def _offline(h: Harness) -> MainWindow:
    """The window started with no model list to be had (no cache, the API unreachable)."""
    window = h.window
    window.show()
    await h.session.start()
    window.show_warnings()
    await wait_until(lambda: "offline" in window.catalogLabel.text(), 30, "the model list to fail")
    assert h.session.models.catalog is None
    return window


def _send_with_an_empty_pane(h: Harness, window: MainWindow) -> str:
    h.set_models("")
    window.promptEdit.setPlainText("Explain caching")
    window.send()
    assert window.compare.run is None
    return window.statusBar().currentMessage()


def test_no_key_and_no_model_list_says_to_add_a_key(aio, make_harness: Callable[..., Harness]) -> None:
    h = make_harness(
        env={"OPENROUTER_API_KEY": "", "OPENROUTER_BASE_URL": _closed_port_url()}, keyring_backend=NO_KEYRING
    )

    async def go() -> None:
        window = await _offline(h)
        said = _send_with_an_empty_pane(h, window)
        assert said == "No key - add one (Ctrl+K) or try the demo"  # as when a model was typed
        assert window.key_dialog.isVisible()
        window.key_dialog.close()
        await h.close()

    aio(go())


def test_a_key_but_no_model_list_says_to_type_an_id_or_refresh(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness(env={"OPENROUTER_BASE_URL": _closed_port_url()}, keyring_backend=NO_KEYRING)

    async def go() -> None:
        window = await _offline(h)
        assert h.session.keys.active is not None
        said = _send_with_an_empty_pane(h, window)
        assert said == "No model list yet: type a model id in every pane, or refresh the list (F5)."
        assert window.key_dialog is None or not window.key_dialog.isVisible()
        await h.close()

    aio(go())


def test_with_a_model_list_the_model_field_is_named_even_without_a_key(
    aio, make_harness: Callable[..., Harness]
) -> None:
    h = make_harness(env={"OPENROUTER_API_KEY": ""}, keyring_backend=NO_KEYRING)

    async def go() -> None:
        window = await h.start()  # the list comes without a key
        assert h.session.keys.active is None
        said = _send_with_an_empty_pane(h, window)
        assert said == "Pick a model in every pane first."
        await h.close()

    aio(go())
