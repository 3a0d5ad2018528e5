"""Plain-text formatting shared by the subcommands: money, figures, aligned tables, terminal-safe streams."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from playground.core.format import context, number, per_million, seconds, usd
from playground.core.redact import terminal_safe

if TYPE_CHECKING:  # the CLI wraps stderr before parsing: this module stays light for --help
    from playground.core.secrets import ActiveKey

__all__ = ["TerminalStream", "context", "number", "per_million", "seconds", "table", "usd"]


class TerminalStream:
    """A text stream that passes everything through ``terminal_safe`` before the real stream.

    Installed as ``sys.stdout`` / ``sys.stderr`` for every command whose output is for people, so no
    view can forget it: escape sequences and carriage returns from a server, a template or a key
    label are shown, not obeyed. ``raw`` is the real stream, for the few control sequences the CLI
    itself draws (the live status lines).
    """

    def __init__(self, raw: TextIO) -> None:
        self.raw = raw

    def write(self, text: str) -> int:
        self.raw.write(terminal_safe(text))
        return len(text)

    def writelines(self, lines: Sequence[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:  # flush, isatty, fileno, encoding, buffer, ...
        return getattr(self.raw, name)


def note_key_source(active: ActiveKey | None, saved: str | None) -> None:
    """Say on stderr when the key is not the keyring's: a ``.env`` in the working directory (always -
    it is easy to forget), or ``OPENROUTER_API_KEY`` while a saved key ``saved`` is set (it would be
    overridden silently otherwise). The key is shown masked."""
    from playground.core.secrets import KeySource

    if active is None or active.source not in (KeySource.ENV, KeySource.DOTENV):
        return
    if active.source is KeySource.ENV and saved is None:
        return  # the only key there is: nothing is overridden
    instead = f", instead of the saved key '{saved}'" if saved else ""
    print(f"note: using the key from {active.source.value} ({active.key.masked}){instead}", file=sys.stderr)


def raw_stream(out: TextIO) -> TextIO:
    """The stream under a TerminalStream (or ``out`` itself)."""
    raw = getattr(out, "raw", None)
    return raw if isinstance(out, TerminalStream) and raw is not None else out


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], out: TextIO | None = None) -> None:
    """An aligned table; numeric-looking columns are right-aligned."""
    out = out or sys.stdout
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    right = [all(_numeric(r[i]) for r in rows) and rows for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.rjust(w) if right[i] else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    out.write(line(headers) + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in rows:
        out.write(line(row) + "\n")


def _numeric(cell: str) -> bool:
    stripped = cell.strip().lstrip("$").rstrip("sk%M").replace(",", "").replace(".", "", 1)
    return cell.strip() == "-" or stripped.isdigit()
