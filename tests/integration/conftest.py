"""The real Secret Service: used when a daemon answers; required when CI says so."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

# the window fixture, and the look (palette, style sheet) put back after each test as in tests/ui:
# a window test here must not leave the next test's widgets to get a palette change mid-test
from tests.ui.conftest import _the_look_is_put_back, make_harness  # noqa: F401


def secret_service_available() -> bool:
    try:
        import secretstorage
    except ImportError:
        return False
    try:
        connection = secretstorage.dbus_init()
        try:
            return bool(secretstorage.check_service_availability(connection))
        finally:
            connection.close()
    except Exception:
        return False


@pytest.fixture
def secret_service(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A unique keyring service name on the real daemon; the test's keys are deleted afterwards."""
    if not secret_service_available():
        if os.environ.get("PLAYGROUND_REQUIRE_SECRET_SERVICE") == "1":
            pytest.fail("PLAYGROUND_REQUIRE_SECRET_SERVICE=1 but no Secret Service daemon answers")
        pytest.skip("no Secret Service daemon (run the tests through scripts/test to start one)")
    service = f"prompt-playground-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("PLAYGROUND_KEYRING_SERVICE", service)
    monkeypatch.setattr("playground.core.secrets.SERVICE", service)
    yield service
    import keyring

    backend = keyring.get_keyring()
    for name in ("personal-dev", "staging", "ünïcødé 名前", "renamed"):
        try:
            backend.delete_password(service, name)
        except keyring.errors.PasswordDeleteError:
            pass
