"""The one text-cleaning rule, for text that comes from outside (imported files, sign-in forms).

Import boundary: a cell is refused (never silently altered) when it holds
    - a C0/C1 control character other than tab and newline (BEL, ESC, DEL, …),
    - a Unicode bidi control (U+202A–202E, U+2066–2069, U+200E/F, U+061C), which can make
      text read differently from what is stored,
    - in numeric and code fields, a digit other than 0–9 (or full-width ０–９), e.g.
      Arabic-Indic ٣ or circled ①, which NFKC would otherwise turn into another number.
`problem()` / `digit_problem()` say which character, as the Chinese message wants it.

Output boundary: `clean_for_export()` replaces what Excel/Word/PowerPoint XML cannot hold, or
should not show, with U+FFFD; `show_invisible()` makes such characters visible as [U+0007]
for error reports, so a clerk can find them.
"""

from __future__ import annotations

import re
import unicodedata

# C0 except tab (09), newline (0A) and carriage return (0D, only in CRLF: checked separately),
# DEL and C1; the bidi embeddings, overrides, isolates and marks.
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_FORBIDDEN = re.compile(f"[{_CONTROLS}{_BIDI}]|\r(?!\n)")
# What an XML 1.0 document (xlsx, docx, pptx) cannot hold at all, plus the forbidden set above:
# lone surrogates and the non-characters U+FFFE / U+FFFF.
_UNEXPORTABLE = re.compile(f"[{_CONTROLS}{_BIDI}\ud800-\udfff\ufffe\uffff]")
_ALLOWED_DIGITS = frozenset("0123456789０１２３４５６７８９")
REPLACEMENT = "\ufffd"


def codepoint(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def kind_of(ch: str) -> str:
    """What the character is, in Chinese, for messages."""
    if re.fullmatch(f"[{_BIDI}]", ch):
        return "文字方向控制字符"
    return "不可见控制字符"


def forbidden_character(text: str) -> str | None:
    """The first character the import rule refuses in any text, or None."""
    match = _FORBIDDEN.search(text)
    return match.group(0) if match else None


def problem(text: str) -> str | None:
    """Why a cell's text is refused ("含不可见控制字符 U+0007"), or None."""
    ch = forbidden_character(text)
    if ch is None:
        return None
    return f"含{kind_of(ch)} {codepoint(ch)}"


def odd_digit(text: str) -> str | None:
    """The first digit that is not 0–9 (ASCII or full-width): Arabic-Indic, circled, superscript…"""
    if text.isascii():
        return None
    for ch in text:
        if ch not in _ALLOWED_DIGITS and unicodedata.digit(ch, None) is not None:
            return ch
    return None


def digit_problem(text: str) -> str | None:
    ch = odd_digit(text)
    if ch is None:
        return None
    return f"含非标准数字“{ch}”（{codepoint(ch)}），请只用 0–9"


def cell_message(row: int, column: str, reason: str) -> str:
    """The full message: 第5行“姓名”列含不可见控制字符 U+0007，请删除后重新导入."""
    return f"第{row}行“{column}”列{reason}，请删除后重新导入"


def show_invisible(text: str) -> str:
    """Text with every refused or unexportable character shown as [U+XXXX] (error reports, CLI)."""
    return _UNEXPORTABLE.sub(lambda m: f"[{codepoint(m.group(0))}]", text)


def clean_for_export(text: str) -> str:
    """Text that openpyxl, python-docx and python-pptx can always write: control, bidi and
    non-XML characters become U+FFFD (visible, so a tampered value is not passed off as clean)."""
    if text.isascii() and text.isprintable():
        return text
    return _UNEXPORTABLE.sub(REPLACEMENT, text)


def clean_value(value: object) -> object:
    """clean_for_export for a cell value of any type (only text changes)."""
    return clean_for_export(value) if isinstance(value, str) else value
