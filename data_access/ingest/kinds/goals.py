"""Feed kind of 领导小组办公室: goals per KPI, town and period."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from data_access.ingest.fields import Choice, Number, ParseContext, PeriodKey, Text
from data_access.ingest.kinds.base import Column, FeedKind
from data_access.ingest.kinds.kpi_names import KPI_NAMES
from data_access.ingest.refs import ScopeRef
from data_access.models import Goal

_RATES = frozenset(key for key, _label, _short, unit in KPI_NAMES if unit == "%")


def _derive_goal(row: dict[str, Any], ctx: ParseContext) -> list[tuple[str, str]]:
    if row.get("kpi_key") in _RATES and row.get("target") is not None and row["target"] > 100:
        return [("target", "百分比指标的目标不能超过 100")]
    return []


def _kpi_choice() -> Choice:
    return Choice(
        {key: label for key, label, _short, _unit in KPI_NAMES},
        {short: key for key, _label, short, _unit in KPI_NAMES if short},
    )


def _goal_history(
    conn: Connection,
    changes: Iterable[tuple[dict[str, Any] | None, dict[str, Any] | None]],
    *,
    user: str,
    at: datetime,
    source: str,
) -> None:
    from data_access.goals import record_history

    record_history(conn, changes, user=user, at=at, source=source)


DEPARTMENT_KINDS: tuple[FeedKind, ...] = (
    FeedKind(
        key="goals",
        label="目标",
        department="领导小组办公室",
        model=Goal,
        description="领导小组按指标、范围（全市或区镇）和期间设定的目标；导入即新增或修改，留痕可查。",
        columns=(
            Column("指标", "kpi_key", _kpi_choice(), variants=("指标名称", "指标代码"), example="监测对象户数"),
            Column("范围", "scope_code", Text(40), variants=("区镇", "区镇代码", "范围（全市或区镇）"), example="全市"),
            Column("期间", "period", PeriodKey(), variants=("目标期间", "年度"), example="2025"),
            Column("目标值", "target", Number(0, 1e12), variants=("目标",), example="7800"),
            Column("备注", "note", Text(200), required=False, variants=("说明",), example="较上年末减少3%", default=""),
        ),
        natural_key=("kpi_key", "scope_code", "period"),
        stored=("kpi_key", "scope_code", "period", "target", "note"),
        refs=(ScopeRef(),),
        derive=_derive_goal,
        stamped=True,
        on_change=_goal_history,
        export_sql=(
            "SELECT kpi_key, CASE WHEN scope_code = 'city' THEN '全市' ELSE scope_code END AS scope_code, period, "
            "target, note FROM goal ORDER BY id"
        ),
    ),
)
