"""Column types of the feed templates: each turns one cell into a stored value or says, in
Chinese, why it cannot. Cells arrive as openpyxl gives them (str, int, float, datetime,
bool, None) or as CSV text; both take the same path.

Money is written in yuan with at most 2 decimals and stored as integer fen; Decimal is used
throughout so that 0.1 + 0.2 never becomes 30.000000000000004 fen.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from data_access import text as text_rule
from data_access.ingest import idnumber

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


@dataclass(frozen=True)
class FieldType:
    """Base type: a description for the template's 填写说明, parse and format."""

    def describe(self) -> str:
        raise NotImplementedError

    def parse(self, raw: object, ctx: ParseContext) -> object:
        raise NotImplementedError

    def format(self, value: object) -> str:
        """A stored value as the template writes it (exports and round trips)."""
        return "" if value is None else str(value)


@dataclass(frozen=True)
class Text(FieldType):
    max_length: int

    def describe(self) -> str:
        return f"文字，不超过 {self.max_length} 个字"

    def parse(self, raw: object, ctx: ParseContext) -> str:
        text = re.sub(r"\s+", " ", as_text(raw))
        if len(text) > self.max_length:
            raise CellError(f"超过 {self.max_length} 个字（现为 {len(text)} 个字）")
        return text


@dataclass(frozen=True)
class Code(FieldType):
    """A code (town, village): full-width characters normalised, spaces dropped."""

    max_length: int = 20
    label: str = "代码"

    def describe(self) -> str:
        return f"{self.label}（数字或字母，不超过 {self.max_length} 位）"

    def parse(self, raw: object, ctx: ParseContext) -> str:
        if isinstance(raw, float) and not raw.is_integer():
            raise CellError(f"{self.label}不应含小数")
        text = re.sub(r"\s", "", _strict(raw)).upper()
        if not re.fullmatch(r"[0-9A-Z\-]+", text):
            raise CellError(f"{self.label}只能包含数字、字母和“-”")
        if len(text) > self.max_length:
            raise CellError(f"{self.label}超过 {self.max_length} 位")
        return text


@dataclass(frozen=True)
class Phone(FieldType):
    def describe(self) -> str:
        return "电话号码（手机 11 位或座机）"

    def parse(self, raw: object, ctx: ParseContext) -> str:
        text = re.sub(r"\s", "", _strict(raw))
        if not re.fullmatch(r"\+?[0-9\-()]{5,20}", text):
            raise CellError("电话号码只能包含数字、“-”和括号，5–20 位")
        return text


@dataclass(frozen=True)
class Integer(FieldType):
    minimum: int
    maximum: int
    unit: str = ""

    def describe(self) -> str:
        return f"整数，{self.minimum}–{self.maximum}{self.unit}"

    def parse(self, raw: object, ctx: ParseContext) -> int:
        value = _decimal(raw)
        if value != value.to_integral_value():
            raise CellError("应为整数")
        number = int(value)
        if number < self.minimum:
            raise CellError(f"不能小于 {self.minimum}")
        if number > self.maximum:
            raise CellError(f"数值过大（不能超过 {self.maximum:,}）")
        return number


@dataclass(frozen=True)
class Number(FieldType):
    """A plain decimal number (goal targets, multipliers)."""

    minimum: float
    maximum: float
    decimals: int = 4

    def describe(self) -> str:
        return f"数字，{self.minimum:g}–{self.maximum:,g}，最多 {self.decimals} 位小数"

    def parse(self, raw: object, ctx: ParseContext) -> float:
        value = _decimal(raw)
        if value != value.quantize(Decimal(1).scaleb(-self.decimals)):
            raise CellError(f"最多 {self.decimals} 位小数")
        if value < Decimal(str(self.minimum)):
            raise CellError(f"不能小于 {self.minimum:g}")
        if value > Decimal(str(self.maximum)):
            raise CellError(f"数值过大（不能超过 {self.maximum:,g}）")
        return float(value)

    def format(self, value: object) -> str:
        if value is None:
            return ""
        number = float(value)  # type: ignore[arg-type]
        return str(int(number)) if number.is_integer() else repr(number)


@dataclass(frozen=True)
class Money(FieldType):
    """Yuan with at most 2 decimals in the file; integer fen in the store."""

    maximum_yuan: int
    allow_negative: bool = False

    def describe(self) -> str:
        sign = "可为负数（亏损），" if self.allow_negative else "不能为负数，"
        return f"金额，单位元，最多 2 位小数，{sign}不超过 {self.maximum_yuan:,} 元"

    def parse(self, raw: object, ctx: ParseContext) -> int:
        value = _decimal(raw)
        try:
            fen = value * 100
            if fen != fen.to_integral_value():
                raise CellError("金额最多 2 位小数（单位：元）")
        except InvalidOperation as exc:
            raise CellError("金额格式不对") from exc
        if fen < 0 and not self.allow_negative:
            raise CellError("金额不能为负数")
        if abs(value) > self.maximum_yuan:
            raise CellError(f"金额过大（不能超过 {self.maximum_yuan:,} 元），请核对单位是否为元")
        return int(fen)

    def format(self, value: object) -> str:
        if value is None:
            return ""
        fen = int(value)  # type: ignore[call-overload]
        sign = "-" if fen < 0 else ""
        return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def _date_from_text(text: str) -> date | None:
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError as exc:
            raise CellError("日期不存在（请核对年月日）") from exc
    return None


def _check_time(hour: str, minute: str, second: str | None) -> None:
    if int(hour) > 23 or int(minute) > 59 or int(second or 0) > 59:
        raise CellError(f"时间 {hour}:{minute}{':' + second if second else ''} 不存在（请核对时分秒）")


def _serial(value: float) -> datetime:
    if not 1 <= value <= MAX_SERIAL:
        raise CellError("不是有效的日期")
    if value < MIN_SERIAL:
        # 2025 typed into a date column would otherwise pass as the serial of 1905-07-17.
        raise CellError(f"数字 {value:g} 不是日期：请写成 2025-07-01")
    # Round to the second: serials carry float noise in their fraction.
    return EXCEL_EPOCH + timedelta(seconds=round(value * 86400))


@dataclass(frozen=True)
class Day(FieldType):
    """A date: 2025-07-01, 2025/7/1, 2025年7月1日, 20250701, an Excel date or its serial number."""

    allow_future: bool = False

    def describe(self) -> str:
        return "日期，如 2025-07-01" + ("" if self.allow_future else "，不能晚于今天")

    def parse(self, raw: object, ctx: ParseContext) -> date:
        if isinstance(raw, datetime):
            day = raw.date()
        elif isinstance(raw, date):
            day = raw
        elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
            day = _serial(float(raw)).date()
        elif isinstance(raw, str):
            # A date column may carry a time part (Excel's "2025-07-01 00:00:00"): keep the day,
            # but only after checking the time exists (2025-07-01T25:00 is refused, not cut).
            text = _strict(raw)
            if match := _TIME_SUFFIX.search(text):
                _check_time(*match.groups())
                text = text[: match.start()]
            parsed = _date_from_text(text)
            if parsed is None and _SERIAL.match(text):
                parsed = _serial(float(text)).date()
            if parsed is None:
                raise CellError("不是可识别的日期，请写成 2025-07-01")
            day = parsed
        else:
            raise CellError("不是可识别的日期，请写成 2025-07-01")
        if day < EARLIEST:
            raise CellError("日期早于 1900 年，请核对")
        if not self.allow_future and day > ctx.today:
            raise CellError(f"日期 {day:%Y-%m-%d} 晚于今天，不能导入未来日期")
        return day

    def format(self, value: object) -> str:
        if value is None:
            return ""
        return value.isoformat() if isinstance(value, date) else str(value)[:10]


@dataclass(frozen=True)
class Moment(FieldType):
    """A date and time (review stages): 2025-07-01 09:30[:00], an Excel date-time or serial."""

    def describe(self) -> str:
        return "日期时间，如 2025-07-01 09:30，不能晚于现在"

    def parse(self, raw: object, ctx: ParseContext) -> datetime:
        if isinstance(raw, datetime):
            moment = raw.replace(tzinfo=None, microsecond=0)
        elif isinstance(raw, date):
            moment = datetime.combine(raw, time())
        elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
            moment = _serial(float(raw))
        elif isinstance(raw, str):
            text = _strict(raw)
            match = _DATETIME.match(text)
            if match:
                y, mo, d, h, mi, s = (int(g) if g else 0 for g in match.groups())
                try:
                    moment = datetime(y, mo, d, h, mi, s)
                except ValueError as exc:
                    raise CellError("日期时间不存在（请核对年月日和时分）") from exc
            elif _COMPACT_DATE.match(text):
                moment = datetime.combine(_date_from_text(text) or date.min, time())
            elif _SERIAL.match(text):
                moment = _serial(float(text))
            else:
                raise CellError("不是可识别的日期时间，请写成 2025-07-01 09:30")
        else:
            raise CellError("不是可识别的日期时间，请写成 2025-07-01 09:30")
        if moment.date() < EARLIEST:
            raise CellError("日期早于 1900 年，请核对")
        if moment > ctx.now:
            raise CellError(f"时间 {moment:%Y-%m-%d %H:%M} 晚于现在，不能导入未来时间")
        return moment

    def format(self, value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S")
        return str(value)[:19]


TRUE_WORDS = frozenset({"是", "有", "y", "yes", "true", "1", "√", "✓", "对"})
FALSE_WORDS = frozenset({"否", "无", "没有", "n", "no", "false", "0", "×", "✗", "不是"})


@dataclass(frozen=True)
class Flag(FieldType):
    def describe(self) -> str:
        return "填“是”或“否”（空白视为“否”）"

    def parse(self, raw: object, ctx: ParseContext) -> bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, (int, float)) and raw in (0, 1):
            return bool(raw)
        text = _nfkc(raw).lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise CellError("应填“是”或“否”")

    def format(self, value: object) -> str:
        return "是" if value else "否"


@dataclass(frozen=True)
class Choice(FieldType):
    """One of a fixed list: accepted by its Chinese label, its stored key, or an alias."""

    options: Mapping[str, str]  # stored key -> label
    aliases: Mapping[str, str] = field(default_factory=dict)  # other accepted words -> key
    _table: dict[str, str] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._table.update(self._lookup())  # built once, not per cell

    def describe(self) -> str:
        return "填以下之一：" + "、".join(self.options.values())

    def parse(self, raw: object, ctx: ParseContext) -> str:
        text = re.sub(r"\s", "", _nfkc(raw))
        key = self._table.get(text) or self._table.get(text.lower())
        if key is None:
            raise CellError("应为以下之一：" + "、".join(self.options.values()))
        return key

    def _lookup(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, label in self.options.items():
            out[unicodedata.normalize("NFKC", label)] = key
            out[key.lower()] = key
        for alias, key in self.aliases.items():
            out[unicodedata.normalize("NFKC", alias)] = key
        return out

    def format(self, value: object) -> str:
        return "" if value is None else self.options.get(str(value), str(value))


@dataclass(frozen=True)
class IdNumber(FieldType):
    """An 18-digit resident ID number with a valid GB 11643 check character."""

    def describe(self) -> str:
        return "18 位身份证号（末位可为 X），请将该列设为文本格式"

    def parse(self, raw: object, ctx: ParseContext) -> str:
        if isinstance(raw, float):
            # Excel keeps 15 significant digits: an ID typed as a number has lost its tail.
            raise CellError("身份证号被 Excel 存成了数字，末尾几位已丢失：请将该列设为文本格式后重新填写")
        number = idnumber.normalise(_strict(raw))
        problem = idnumber.problem(number, today=ctx.today)
        if problem:
            raise CellError(problem)
        return number


@dataclass(frozen=True)
class Year(FieldType):
    minimum: int = 2000
    ahead: int = 0  # how many years after the current one are accepted (budgets are set ahead)

    def describe(self) -> str:
        extra = f"，最晚 {self.ahead} 年后" if self.ahead else "，不能晚于今年"
        return f"年度，如 2025{extra}"

    def parse(self, raw: object, ctx: ParseContext) -> int:
        text = _strict(raw).removesuffix("年度").removesuffix("年") if isinstance(raw, str) else raw
        value = _decimal(text)
        if value != value.to_integral_value():
            raise CellError("年度应为 4 位整数，如 2025")
        year = int(value)
        if year < self.minimum:
            raise CellError(f"年度不能早于 {self.minimum}")
        if year > ctx.today.year + self.ahead:
            raise CellError(f"年度 {year} 晚于 {ctx.today.year + self.ahead} 年")
        return year


@dataclass(frozen=True)
class PeriodKey(FieldType):
    """A goal period: 2025 (year), 2025-Q3 (quarter) or 2025-09 (month)."""

    def describe(self) -> str:
        return "期间：2025（年）、2025-Q3（季度）或 2025-09（月）"

    def parse(self, raw: object, ctx: ParseContext) -> str:
        from metrics.domain.periods import Period, PeriodError

        text = re.sub(r"\s", "", _strict(raw))
        # Also the way people write them: 2025年, 2025年第3季度, 2025年9月.
        if match := re.fullmatch(r"(\d{4})年(?:度)?", text):
            text = match.group(1)
        elif match := re.fullmatch(r"(\d{4})年第?([1-4])季度?", text):
            text = f"{match.group(1)}-Q{match.group(2)}"
        elif match := re.fullmatch(r"(\d{4})年(\d{1,2})月", text):
            text = f"{match.group(1)}-{int(match.group(2)):02d}"
        try:
            period = Period.parse(text)
        except PeriodError as exc:
            raise CellError(str(exc)) from exc
        if period.start.year < 2000 or period.start.year > ctx.today.year + 5:
            raise CellError("期间年份不合理")
        return period.key
