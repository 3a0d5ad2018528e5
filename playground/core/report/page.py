"""The HTML page around a report: one file, inline CSS, no scripts, nothing fetched, printable.

A Content-Security-Policy in the page forbids loading anything but ``data:`` images, so even a
mistake elsewhere could not make the file reach another host when it is opened.
"""

from __future__ import annotations

import base64
import html
import time
from collections.abc import Sequence
from dataclasses import dataclass

from playground import __version__
from playground.core.attachments import Attachment
from playground.core.redact import redact
from playground.core.report.markdown import code_css

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

CSS = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --card: #f6f8fa; --ok: #1a7f37; --bad: #cf222e;
  --warn: #9a6700; --accent: #0969da; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); margin: 0 auto;
  max-width: 1600px; padding: 24px; background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 32px 0 8px; }
h3 { font-size: 16px; margin: 0; overflow-wrap: anywhere; }
.meta, .muted { color: var(--muted); font-size: 13px; }
.prompt { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px;
  white-space: pre-wrap; overflow-wrap: anywhere; }
.columns { display: grid; grid-template-columns: repeat(var(--n, 2), minmax(260px, 1fr)); gap: 12px;
  overflow-x: auto; margin-top: 12px; }
.answer { border: 1px solid var(--line); border-radius: 6px; padding: 12px; min-width: 0; }
.answer > header { border-bottom: 1px solid var(--line); padding-bottom: 6px; margin-bottom: 8px; }
.md { overflow-wrap: break-word; } .md img, .answer-image, .attachment img { max-width: 100%; height: auto; }
.md table, table.data { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
.md th, .md td, table.data th, table.data td {
  border: 1px solid var(--line); padding: 3px 8px; text-align: left; }
table.data td.num { text-align: right; font-variant-numeric: tabular-nums; }
pre.hl { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 8px;
  overflow-x: auto; font-size: 13px; white-space: pre-wrap; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; margin: 2px 4px 2px 0;
  border: 1px solid var(--line); background: var(--card); }
.badge.ok { color: var(--ok); border-color: var(--ok); }
.badge.bad { color: var(--bad); border-color: var(--bad); }
.badge.warn { color: var(--warn); border-color: var(--warn); }
.badge.win { color: #fff; background: var(--ok); }
dl.figures { display: grid; grid-template-columns: auto 1fr; gap: 0 10px; font-size: 13px; margin: 6px 0; }
dl.figures dt { color: var(--muted); } dl.figures dd { margin: 0; font-variant-numeric: tabular-nums; }
details { margin: 6px 0; } summary { cursor: pointer; color: var(--muted); }
.reasoning { border-left: 3px solid var(--line); padding-left: 10px; color: var(--muted); }
.error { color: var(--bad); }
figure { margin: 16px 0; } figure svg { max-width: 100%; height: auto; border: 1px solid var(--line); }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
.matrix td { vertical-align: top; min-width: 200px; } .matrix td.pass { background: #dafbe1; }
.matrix td.fail { background: #ffebe9; } .matrix .regressed { outline: 3px solid var(--bad); }
.matrix .improved { outline: 3px solid var(--ok); }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media print {
  body { padding: 0; max-width: none; font-size: 11pt; }
  .columns { overflow: visible; grid-template-columns: repeat(min(var(--n, 2), 3), 1fr); }
  .answer, figure, .prompt, tr { break-inside: avoid; }
  section.run { break-before: page; } section.run:first-of-type { break-before: auto; }
  a { color: inherit; text-decoration: none; }
  details > summary { display: none; } details { display: block; }
}
"""


@dataclass(frozen=True)
class Options:
    """How a report is written: ``redact_prompts`` shares figures only (texts become their lengths)."""

    redact_prompts: bool = False
    title: str = "Prompt Playground report"


def esc(text: str) -> str:
    """Any text from a run, a server or a file: keys masked, then escaped for HTML."""
    return html.escape(redact(text), quote=True)


def length_note(text: str) -> str:
    return f"[{len(text):,} characters]"


def document(title: str, body: Sequence[str], *, subtitle: str = "") -> str:
    """The whole page: head with the CSP and styles, then the body parts (already escaped: each text
    went through ``esc`` or the Markdown renderer, which mask keys)."""
    created = time.strftime("%Y-%m-%d %H:%M")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{esc(title)}</title>",
        f"<style>{CSS}\n{code_css()}</style>",
        "</head>",
        "<body>",
        f'<header><h1>{esc(title)}</h1><p class="meta">{esc(subtitle)} Written {created} by Prompt '
        f"Playground {__version__}.</p></header>",
        "<main>",
        *body,
        "</main>",
        "<footer>This page is self-contained: it loads nothing from the network and runs no scripts."
        "</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, caption: str = "") -> str:
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="{_kind(c)}">{esc(c)}</td>' for c in row) + "</tr>" for row in rows
    )
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f'<table class="data">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _kind(cell: str) -> str:
    stripped = cell.lstrip("$").replace(",", "").replace("%", "").replace(" s", "")
    try:
        float(stripped)
    except ValueError:
        return "text"
    return "num"


def figure(svg: str, caption: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A chart with its numbers as a table underneath (what a screen reader reads)."""
    return (
        f"<figure>{svg}<figcaption><details><summary>{esc(caption)}: the numbers</summary>"
        f"{table(headers, rows)}</details></figcaption></figure>"
    )


def attachment_html(attachment: Attachment, *, redacted: bool) -> str:
    """An image inline as a data: URL; any other file named with its size (its bytes stay out)."""
    if redacted:
        return f'<span class="badge">{esc(attachment.kind)}, {attachment.size:,} bytes</span>'
    if attachment.kind == "image" and attachment.mime in (
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
    ):
        data = base64.b64encode(attachment.data).decode("ascii")
        return (
            f'<figure class="attachment"><img src="data:{attachment.mime};base64,{data}" '
            f'alt="{esc(attachment.name)}"><figcaption>{esc(attachment.describe())}</figcaption></figure>'
        )
    return f'<span class="badge">{esc(attachment.describe())}</span>'
