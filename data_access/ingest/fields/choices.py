"""Column types for flags, choices, ID numbers, years and reporting periods."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from data_access.ingest import idnumber
from data_access.ingest.fields.basic import FieldType
from data_access.ingest.fields.cells import CellError, ParseContext, _decimal, _nfkc, _strict

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
