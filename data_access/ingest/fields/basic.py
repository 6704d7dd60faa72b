"""Column types for text, codes, phones, integers, numbers and money (yuan in, integer fen
stored)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from data_access.ingest.fields.cells import CellError, ParseContext, _decimal, _strict, as_text


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
