"""AppEventLoop: qasync's loop for the window, loaded right after the window's first frame.

asyncio and qasync take about 20 ms to import; nothing the first frame draws needs them, so
``ui/app.py`` builds and shows the window first and imports this module afterwards.
"""

from __future__ import annotations

import sys

import qasync


class AppEventLoop(qasync.QEventLoop):  # type: ignore[misc]
    """qasync's loop plus the async-generator hooks asyncio's own loops install.

    Without them, an async generator left suspended (httpx's byte streams, when an SSE stream
    is closed early) is finalised by the garbage collector outside any task, which prints
    "async generator ignored GeneratorExit" to stderr. With them, the loop closes it properly.
    """

    def _before_run_forever(self) -> None:
        super()._before_run_forever()
        self._saved_asyncgen_hooks = sys.get_asyncgen_hooks()
        sys.set_asyncgen_hooks(
            firstiter=self._asyncgen_firstiter_hook, finalizer=self._asyncgen_finalizer_hook
        )

    def _after_run_forever(self) -> None:
        saved = getattr(self, "_saved_asyncgen_hooks", None)
        if saved is not None:
            sys.set_asyncgen_hooks(*saved)
        super()._after_run_forever()
