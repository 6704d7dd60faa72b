"""Reading one cell: Excel errors and formulas, the parse context, text clean-up and number
text (Decimal, so 0.1 + 0.2 never becomes 30.000000000000004 fen)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from data_access import text as text_rule

EXCEL_EPOCH = datetime(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug aside)
MAX_SERIAL = 2_958_465  # 9999-12-31
MIN_SERIAL = 10_000  # 1927-05-18: smaller numbers in a date column are years or typos, not dates
EARLIEST = date(1900, 3, 1)  # before this Excel serials are off by one day
# Digits with an optional decimal point; thousands separators only in whole groups of three.
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d{1,2}$")
_CURRENCY = re.compile(r"^[¥]\s*|\s*(元|人民币元)$")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATETIME = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT]+(\d{1,2})\s*[:时]\s*(\d{1,2})\s*分?"
    r"(?:\s*:?\s*(\d{1,2})(?:\.\d+)?\s*秒?)?)?$"
)
_SERIAL = re.compile(r"^\d{1,7}(\.\d+)?$")
_TIME_SUFFIX = re.compile(r"[\sT]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$")
# What Excel shows for a formula that failed; a value the clerk has not seen is not data.
EXCEL_ERRORS = frozenset(
    {
        "#N/A",
        "#VALUE!",
        "#REF!",
        "#DIV/0!",
        "#NAME?",
        "#NULL!",
        "#NUM!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#EXTERNAL!",
        "#PYTHON!",
    }
)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


class CellError(ValueError):
    """A cell that cannot be stored; the message is shown to the clerk as is."""


@dataclass(frozen=True)
class Formula:
    """A cell holding an Excel formula: rejected, its value depends on other cells."""

    text: str


@dataclass(frozen=True)
class ExcelError:
    """A cell holding an Excel error value (#N/A, #REF!, …): rejected in any column."""

    code: str


def excel_error(raw: object) -> str | None:
    """The error code a cell shows, whether Excel stored it as an error or as text."""
    if isinstance(raw, ExcelError):
        return raw.code
    if isinstance(raw, str) and raw[:1] in "#＃":
        code = unicodedata.normalize("NFKC", raw).strip().upper()
        return code if code in EXCEL_ERRORS else None
    return None


@dataclass(frozen=True)
class ParseContext:
    today: date
    now: datetime


def _clean(text: str) -> str:
    # Most cells are ASCII (IDs, dates, amounts): skip the invisible-character pass for them.
    return (text if text.isascii() else text.translate(_INVISIBLE)).strip()


def is_empty(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not _clean(raw))


def as_text(raw: object) -> str:
    """A cell as the clerk would read it (for messages and duplicate checks)."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return _clean(raw)
    if isinstance(raw, Formula):
        return raw.text
    if isinstance(raw, ExcelError):
        return raw.code
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e15:
        return str(int(raw))
    if isinstance(raw, datetime):
        return raw.strftime("%Y-%m-%d %H:%M:%S") if raw.time() != time() else raw.strftime("%Y-%m-%d")
    return _clean(str(raw))


def _nfkc(raw: object) -> str:
    text = as_text(raw)
    return text if text.isascii() else unicodedata.normalize("NFKC", text).strip()


def _strict(raw: object) -> str:
    """A numeric or code cell as NFKC text, refusing digits NFKC would turn into other numbers
    (Arabic-Indic ٣, circled ①): a clerk must see the number that is stored."""
    if isinstance(raw, str):
        problem = text_rule.digit_problem(raw)
        if problem:
            raise CellError(problem)
    return _nfkc(raw)


def number_text(raw: str) -> Decimal:
    """The one rule for numbers written as text. A currency sign or 元 around the number is
    allowed; commas only as thousands separators in whole groups (1,234.50); a comma that
    looks like a decimal point (12,5) or a misplaced one (1,23,4) is refused, never dropped."""
    text = _CURRENCY.sub("", _strict(raw)).strip()
    if re.search(r"\d\s+[\d,.]|[\d,.]\s+\d", text):
        raise CellError("数字中间有空格，请删除空格")
    if len(text) > 24:
        raise CellError("数值过大或格式不对")
    if "," in text:
        if _DECIMAL_COMMA.match(text):
            raise CellError(f"疑似使用逗号作小数点（{text}）：小数点请用“.”，如 {text.replace(',', '.')}")
        if not _GROUPED.match(text):
            raise CellError(f"千位分隔符“,”位置不对（{text}）：应每三位一个，如 1,234.50，或不用分隔符")
        text = text.replace(",", "")
    if not _NUMBER.match(text):
        raise CellError("应为数字（不含单位、公式或科学计数法）")
    return Decimal(text)


def _decimal(raw: object) -> Decimal:
    """A number from a cell: int, float, or text with separators, a currency sign, full-width digits."""
    if isinstance(raw, bool):
        raise CellError("应为数字，不是逻辑值")
    if isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise CellError("应为数字")
        value = Decimal(repr(raw))  # the shortest text that reads back as this float
    elif isinstance(raw, str):
        value = number_text(raw)
    else:
        raise CellError("应为数字")
    if abs(value) >= Decimal(10) ** 15:
        raise CellError("数值过大")
    return value
