"""RunHandle: what a view, the history recorder and the CLI need from a running comparison.

``CompareRun`` (the comparison itself, on one loop) and the window's ``ThreadedRun`` (a CompareRun
on the network thread, its state applied on the window's thread) both are one, so a view or the
recorder takes either without knowing which.
"""

from __future__ import annotations

from typing import Protocol

from playground.core.compare import CompareRequest, Listener, PaneResult


class RunHandle(Protocol):
    """A comparison as its users see it: the request, each pane's state, and the controls.

    ``results[i]`` is the one copy of pane i's state on the caller's thread: views render from it.
    """

    @property
    def request(self) -> CompareRequest: ...

    @property
    def results(self) -> list[PaneResult]: ...

    @property
    def running(self) -> bool: ...

    @property
    def all_complete(self) -> bool: ...

    def add_listener(self, listener: Listener) -> None: ...

    def start(self) -> None: ...

    def cancel(self, index: int) -> None: ...

    def cancel_all(self) -> None: ...

    def retry(self, index: int, model: str | None = None) -> None: ...

    async def wait(self) -> None:
        """Until every pane has ended."""
