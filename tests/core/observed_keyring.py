"""A hanging keyring that tells when it is entered and when it returns.

Tests use it to prove, by events rather than by the clock, that the app's side kept going (timed out,
ticked, painted) while a keyring call was still hanging on its own thread.
"""

from __future__ import annotations

import threading

from tests.core.keyrings import HangingKeyring


class ObservedHangingKeyring(HangingKeyring):
    """Hangs like HangingKeyring; ``hung`` is true from the moment a read starts until it returns."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.returned = threading.Event()

    @property
    def hung(self) -> bool:
        return self.entered.is_set() and not self.returned.is_set()

    def get_password(self, service: str, username: str) -> str | None:
        self.entered.set()
        try:
            return super().get_password(service, username)
        finally:
            self.returned.set()
