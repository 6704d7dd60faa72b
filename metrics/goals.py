"""Goals as data: save edits in one transaction with their history (old value, new value, who,
when), and check that town goals add up to the city's. Reads and history rows are in the
store's data_access.goals; this module adds what needs the KPI registry.

Goal.updated_at is stamped on every change, so the page caches keyed by the data version
refresh at once.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, bindparam, text
from sqlalchemy.engine import Connection

from data_access import audit
from data_access import text as text_rule
from data_access.goals import goal_periods, goals_for, history, record_history
from data_access.models import Goal
from data_access.models.governance import CITY_SCOPE
from data_access.tables import table_of
from metrics.domain.periods import Period, PeriodError
from metrics.registry import KPI_BY_KEY, KPIS, Kpi

__all__ = [
    "ADDITIVE_UNITS",
    "MAX_TARGET",
    "PAGE_SOURCE",
    "GoalEdit",
    "GoalError",
    "Mismatch",
    "SaveResult",
    "additivity",
    "goal_periods",
    "goals_for",
    "history",
    "is_additive",
    "record_history",
    "save_goals",
    "table_edits",
]

ADDITIVE_UNITS = frozenset({"户", "人", "万元", "件", "户次", "人次"})
MAX_TARGET = 1e12
PAGE_SOURCE = "目标管理页面"


class GoalError(ValueError):
    """An edit that cannot be saved; the message says why in Chinese."""


def is_additive(kpi: Kpi) -> bool:
    """Counts and sums add up from towns to the city; rates and ratios do not."""
    return kpi.unit in ADDITIVE_UNITS and not kpi.is_rate and not kpi.ratio


@dataclass(frozen=True)
class GoalEdit:
    scope_code: str
    target: float | None  # None: remove the goal
    note: str = ""


def _target(value: object) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None  # a cleared cell (pandas gives NaN)
    return float(value)  # type: ignore[arg-type]


def table_edits(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[GoalEdit]:
    """The rows of an edited goal table (scope_code, target, note) that differ from before."""
    edits = []
    for old, new in zip(before, after, strict=True):
        target, note = _target(new.get("target")), str(new.get("note") or "").strip()
        if (target, note) != (_target(old.get("target")), str(old.get("note") or "").strip()):
            edits.append(GoalEdit(str(new["scope_code"]), target, note))
    return edits


@dataclass(frozen=True)
class SaveResult:
    added: int
    updated: int
    removed: int

    @property
    def message(self) -> str:
        if not (self.added or self.updated or self.removed):
            return "目标没有变化，未保存。"
        return f"已保存：新增 {self.added} 个目标，修改 {self.updated} 个，删除 {self.removed} 个，并已记录修改历史。"


def _check(kpi: Kpi, edit: GoalEdit, scopes: set[str]) -> None:
    if edit.scope_code not in scopes:
        raise GoalError(f"范围“{edit.scope_code}”不是全市或系统中的区镇")
    if edit.target is not None:
        if not math.isfinite(edit.target):
            raise GoalError("目标值必须是数字")
        if edit.target < 0:
            raise GoalError("目标值不能为负数")
        if edit.target > MAX_TARGET:
            raise GoalError("目标值过大")
        if kpi.is_rate and edit.target > 100:
            raise GoalError(f"“{kpi.label}”是百分比，目标不能超过 100")
    if reason := text_rule.problem(edit.note):
        raise GoalError(f"备注{reason}，请删除后重新保存")
    if len(edit.note) > 200:
        raise GoalError("备注不能超过 200 个字")


def save_goals(
    engine: Engine,
    *,
    kpi_key: str,
    period: str,
    edits: list[GoalEdit],
    user: str,
    now: datetime | None = None,
) -> SaveResult:
    """Apply a table of edits for one KPI and period, all or nothing, with history."""
    kpi = KPI_BY_KEY.get(kpi_key)
    if kpi is None:
        raise GoalError(f"没有指标“{kpi_key}”")
    try:
        period = Period.parse(period).key
    except PeriodError as exc:
        raise GoalError(str(exc)) from exc
    user = (user or "").strip()[:40]
    if not user:
        raise GoalError("请填写修改人")
    moment = (now or datetime.now()).replace(microsecond=0)
    table = table_of(Goal)
    added = updated = removed = 0
    with engine.begin() as conn:
        scopes = {CITY_SCOPE, *conn.execute(text("SELECT code FROM town")).scalars()}
        for edit in edits:
            _check(kpi, edit, scopes)
        current = goals_for(conn, kpi_key=kpi_key, period=period)
        history: list[tuple[dict[str, Any] | None, dict[str, Any] | None]] = []
        for edit in edits:
            key = {"kpi_key": kpi_key, "scope_code": edit.scope_code, "period": period}
            before = current.get(edit.scope_code)
            old = {**key, "target": before["target"], "note": before["note"]} if before else None
            new = {**key, "target": edit.target, "note": edit.note.strip()} if edit.target is not None else None
            where = (table.c.kpi_key == kpi_key) & (table.c.scope_code == edit.scope_code) & (table.c.period == period)
            if old is None and new is not None:
                conn.execute(table.insert(), {**new, "updated_at": moment, "updated_by": user})
                added += 1
            elif old is not None and new is None:
                conn.execute(table.delete().where(where))
                removed += 1
            elif old is not None and new is not None and (old["target"], old["note"]) != (new["target"], new["note"]):
                conn.execute(
                    table.update().where(where),
                    {"target": new["target"], "note": new["note"], "updated_at": moment, "updated_by": user},
                )
                updated += 1
            else:
                continue
            history.append((old, new))
        record_history(conn, history, user=user, at=moment, source=PAGE_SOURCE)
    audit.record(
        engine,
        username=user,
        action="goal_change",
        target=f"{kpi_key} {period}",
        detail=f"新增 {added}，修改 {updated}，删除 {removed}",
    )
    return SaveResult(added, updated, removed)


@dataclass(frozen=True)
class Mismatch:
    kpi_key: str
    period: str
    city: float | None
    towns_total: float
    towns_with_goal: int
    towns: int

    @property
    def difference(self) -> float | None:
        return None if self.city is None else self.towns_total - self.city

    def describe(self, label: str) -> str:
        if self.city is None:
            return f"{label}（{self.period}）：已有 {self.towns_with_goal} 个区镇的目标，但没有全市目标"
        missing = self.towns - self.towns_with_goal
        gap = f"，另有 {missing} 个区镇未设目标" if missing else ""
        return (
            f"{label}（{self.period}）：区镇目标合计 {self.towns_total:,.2f}，全市目标 {self.city:,.2f}，"
            f"相差 {self.towns_total - self.city:+,.2f}{gap}"
        )


def additivity(
    conn: Connection, *, kpi_keys: Iterable[str] | None = None, periods: Iterable[str] | None = None
) -> list[Mismatch]:
    """Additive KPIs whose town goals do not add up to the city goal, per period (in SQL)."""
    keys = [k.key for k in KPIS if is_additive(k) and (kpi_keys is None or k.key in set(kpi_keys))]
    if not keys:
        return []
    sql = (
        "SELECT kpi_key, period, "
        "SUM(CASE WHEN scope_code = :city THEN target END), "
        "COALESCE(SUM(CASE WHEN scope_code <> :city THEN target END), 0), "
        "COUNT(CASE WHEN scope_code <> :city THEN 1 END) "
        "FROM goal WHERE kpi_key IN :keys"
    )
    params: dict[str, Any] = {"city": CITY_SCOPE, "keys": keys}
    stmt = text(sql + (" AND period IN :periods" if periods is not None else "") + " GROUP BY kpi_key, period")
    stmt = stmt.bindparams(bindparam("keys", expanding=True))
    if periods is not None:
        params["periods"] = list(periods) or [""]
        stmt = stmt.bindparams(bindparam("periods", expanding=True))
    town_count = int(conn.execute(text("SELECT COUNT(*) FROM town")).scalar_one())
    out = []
    for kpi_key, period, city, towns_total, with_goal in conn.execute(stmt, params):
        city_value = None if city is None else float(city)
        total = float(towns_total)
        if int(with_goal) == 0:
            continue  # a city-only goal is a choice, not an inconsistency
        if city_value is not None and abs(total - city_value) <= 0.005 and int(with_goal) == town_count:
            continue
        out.append(Mismatch(str(kpi_key), str(period), city_value, total, int(with_goal), town_count))
    return sorted(out, key=lambda m: (m.period, m.kpi_key), reverse=True)
