"""Untrusted Markdown (a model's answer) to HTML that is safe to put in a page anyone opens.

Every HTML tag in the source is escaped (markdown-it with ``html`` off), links keep only http(s) and
mailto targets, and an image is shown only when it is a ``data:image/...`` URL: an image from any
other address would make the page fetch it (a tracker), so it is written out as text instead. Code
fences are highlighted by their language with Pygments (classes, styled by the page's CSS).
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from playground.core.redact import redact

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererHTML
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

# Highlighting is linear but slow per character: very long code is shown plain, not lost.
MAX_HIGHLIGHT_CHARS = 200_000
SAFE_IMAGE = re.compile(r"^data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*$")
SAFE_LINK = re.compile(r"^(?:https?://|mailto:|#)", re.IGNORECASE)
CODE_CLASS = "hl"


def render_markdown(text: str) -> str:
    """HTML for an answer's Markdown, keys masked and every tag from the text escaped."""
    return str(_parser().render(redact(text)))


def highlight(code: str, language: str) -> str:
    """Code as HTML spans (Pygments classes under ``.hl``), or escaped plain text when the
    language is unknown or the code is too long to colour."""
    from pygments import highlight as pygmentize  # type: ignore[import-untyped,unused-ignore]
    from pygments.formatters import HtmlFormatter  # type: ignore[import-untyped,unused-ignore]
    from pygments.lexers import get_lexer_by_name  # type: ignore[import-untyped,unused-ignore]
    from pygments.util import ClassNotFound  # type: ignore[import-untyped,unused-ignore]

    if not language or len(code) > MAX_HIGHLIGHT_CHARS:
        return html.escape(code)
    try:
        lexer = get_lexer_by_name(language.lower(), stripnl=False)
    except (ClassNotFound, ImportError):  # a lexer module missing from a trimmed bundle: plain text
        return html.escape(code)
    return str(pygmentize(code, lexer, HtmlFormatter(nowrap=True)))


def code_css(dark: bool = False) -> str:
    """The highlighting colours for the page (a light and a dark Pygments style)."""
    from pygments.formatters import HtmlFormatter  # type: ignore[import-untyped,unused-ignore]

    style = "github-dark" if dark else "friendly"
    return str(HtmlFormatter(style=style).get_style_defs(f".{CODE_CLASS}"))


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "highlight": _fence})
    md.enable(["table", "strikethrough"])
    md.validateLink = lambda url: bool(SAFE_LINK.match(url) or SAFE_IMAGE.match(url))  # type: ignore[method-assign]
    md.add_render_rule("image", _image)
    md.add_render_rule("link_open", _link_open)
    return md


def _fence(code: str, language: str, _attrs: Any) -> str:
    body = highlight(code, language.split()[0] if language else "")
    return f'<pre class="{CODE_CLASS}"><code>{body}</code></pre>'


def _image(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env)
    if SAFE_IMAGE.match(src):
        return f'<img class="answer-image" src="{html.escape(src)}" alt="{html.escape(alt)}">'
    # Not fetched: the address is shown so nothing is hidden from the reader.
    return f'<span class="image-link">[image: {html.escape(alt)} - {html.escape(src)}]</span>'


def _link_open(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    href = str(token.attrGet("href") or "")
    if not SAFE_LINK.match(href):
        return "<a>"
    return f'<a href="{html.escape(href)}" rel="noopener noreferrer nofollow">'
