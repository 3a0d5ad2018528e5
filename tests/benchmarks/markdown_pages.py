"""Benchmark 5's answer streamed into MarkdownView with pages of N characters, or in one document.

python -m tests.benchmarks.markdown_pages [N ...]     (0: one document; default 0, then the view's own)

Prints the GUI thread's CPU time for the first and the last 1,000 tokens, the dearest batch (a page
change included) and the pages made. Qt walks every fragment of a document whenever a table or code
block (a frame) goes in, so in one document the last tokens cost what the whole answer's size says;
with pages, what the live page's size says (README, "Performance", row 5).
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def run(page_chars: int, total: int = 50_000, per_flush: int = 16) -> str:
    from playground.simulator.models import tokenize
    from playground.simulator.server import markdown_of_length
    from playground.ui import markdown_pages
    from playground.ui.markdown_view import MarkdownView

    markdown_pages.PAGE_CHARS = page_chars or 10**12
    tokens = tokenize(markdown_of_length(total))
    MarkdownView().append_text(markdown_of_length(100))  # Pygments' import, Qt's fonts: once
    view = MarkdownView()
    view.resize(500, 800)
    view.show()
    costs = []
    for i in range(0, len(tokens), per_flush):
        start = time.thread_time()
        view.append_text("".join(tokens[i : i + per_flush]))
        costs.append(time.thread_time() - start)
    k = 1000 // per_flush
    first, last = sum(costs[:k]), sum(costs[-k:])
    return (
        f"pages of {page_chars or 'none (one document)'}: first 1,000 tokens {first * 1000:.0f} ms,"
        f" last 1,000 {last * 1000:.0f} ms ({last / first:.2f}x); dearest batch {max(costs) * 1000:.1f} ms;"
        f" {len(view.findChildren(markdown_pages.AnswerPage))} pages"
    )


def main() -> None:
    from PySide6.QtWidgets import QApplication

    from playground.ui import markdown_pages
    from playground.ui.app import make_app

    QApplication.instance() or make_app()
    sizes = [int(arg) for arg in sys.argv[1:]] or [0, markdown_pages.PAGE_CHARS]
    for size in sizes:
        print(run(size), flush=True)


if __name__ == "__main__":
    main()
