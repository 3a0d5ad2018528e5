"""Benchmark 5's answer streamed into one document, or into a new document every PAGE tokens.

python -m tests.benchmarks.markdown_pages [PAGE ...]     (0: one document; default 0 2000 3000)

Prints the CPU time of the first and the last 1,000 tokens for each. It shows what paging would
buy before a paged view exists: Qt walks every fragment of a document whenever a table or code
block (a frame) goes in, so the cost of the last tokens follows the size of the document they are
added to, not the size of the answer (README, "Performance", row 5).
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def run(page: int, total: int = 50_000, per_flush: int = 16) -> tuple[float, float, int]:
    from playground.simulator.models import tokenize
    from playground.simulator.server import markdown_of_length
    from playground.ui.markdown_view import MarkdownView

    def new_view() -> MarkdownView:
        view = MarkdownView()
        view.resize(500, 800)
        view.show()
        return view

    tokens = tokenize(markdown_of_length(total))
    MarkdownView().append_text(markdown_of_length(100))  # Pygments' import, Qt's fonts: once
    views = [new_view()]
    costs = []
    for i in range(0, len(tokens), per_flush):
        if page and i and i // page != (i - per_flush) // page:
            views[-1].hide()
            views.append(new_view())
        start = time.process_time()
        views[-1].append_text("".join(tokens[i : i + per_flush]))
        costs.append(time.process_time() - start)
    frames = 1000 // per_flush
    return sum(costs[:frames]), sum(costs[-frames:]), len(views)


def main() -> None:
    from PySide6.QtWidgets import QApplication

    from playground.ui.app import make_app

    QApplication.instance() or make_app()
    for page in [int(arg) for arg in sys.argv[1:]] or [0, 2000, 3000]:
        first, last, documents = run(page)
        print(
            f"page {page or 'none'}: first 1,000 tokens {first * 1000:.0f} ms, last 1,000 {last * 1000:.0f} ms"
            f" ({last / first:.2f}x), {documents} document(s)"
        )


if __name__ == "__main__":
    main()
