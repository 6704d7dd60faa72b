"""Figures as people read them: thousands separators, fixed decimals, and always a unit."""

from __future__ import annotations

from metrics.registry import Kpi


def number(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{decimals}f}"


def with_unit(value: float | None, unit: str, decimals: int = 0) -> str:
    if value is None:
        return "—"
    sep = "" if unit == "%" else " "
    return f"{number(value, decimals)}{sep}{unit}"


def kpi_value(kpi: Kpi, value: float | None) -> str:
    return with_unit(value, kpi.unit, kpi.decimals)


def change(kpi: Kpi, delta: float | None) -> str | None:
    """A change on an earlier period: percentage points for rates, % otherwise."""
    if delta is None:
        return None
    if kpi.is_rate:
        return f"{delta:+.1f} 个百分点"
    return f"{delta:+.1f}%"


def ratio(value: float | None) -> str:
    if value is None:
        return "—"
    if value == float("inf"):
        return "—"
    return f"{value * 100:.1f}%"
