"""Column types for dates and moments: text in many layouts, Excel serials, no time travel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from data_access.ingest.fields.basic import FieldType
from data_access.ingest.fields.cells import (
    _COMPACT_DATE,
    _DATE,
    _DATETIME,
    _SERIAL,
    _TIME_SUFFIX,
    EARLIEST,
    EXCEL_EPOCH,
    MAX_SERIAL,
    MIN_SERIAL,
    CellError,
    ParseContext,
    _strict,
)


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
