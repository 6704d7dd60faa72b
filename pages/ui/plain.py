"""Imported or typed text shown as plain text in elements that parse Markdown.

Streamlit's titles, captions, subheaders, buttons and markdown all read Markdown (links,
emphasis, :colour[...] directives, $math$). A village named `[请重新登录](http://…)` must
show those characters, not become a link: every ASCII punctuation mark is escaped, which
CommonMark defines to render as the character itself.
"""

from __future__ import annotations

import string

_ESCAPES = {ord(c): "\\" + c for c in string.punctuation}


def md(text: object) -> str:
    """Text safe to place inside Markdown: shown exactly as written, never as markup."""
    cleaned = " ".join(str(text).split())  # no line breaks: a name never starts a new block
    return cleaned.translate(_ESCAPES)
