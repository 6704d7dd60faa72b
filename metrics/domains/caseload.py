"""/caseload content: groups, the flow identity, the review pipeline, causes, warnings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from data_access.access import Principal
from data_access.analytics import serve
from data_access.queries import caseload, households, reconcile
from data_access.reference import CAUSES
from metrics.domain.periods import Period
from metrics.domain.rules import GROUP_LABELS, Group
from metrics.evaluate import Evaluator
from metrics.registry import KPI_BY_KEY, QueryContext, warning_params

STAGES = {"village": "村(社区)初审", "town": "区镇审核认定", "city": "市级备案"}


@dataclass(frozen=True)
class FlowRow:
    label: str  # a unit name or a month
    opening: int
    entries: int
    exits: int
    closing: int

    @property
    def balanced(self) -> bool:
        return self.opening + self.entries - self.exits == self.closing


@dataclass(frozen=True)
class CaseloadDetail:
    groups: dict[str, dict[str, int]]  # unit -> {floor_households, monitored_households, ..._persons}
    flows_by_unit: list[tuple[str, FlowRow]]  # (unit code, row)
    flows_by_month: list[FlowRow]
    reasons: dict[tuple[str, str], int]  # (kind, reason) -> count
    pipeline: dict[str, dict[str, int]]  # unit -> {stage_waiting, stage_overdue}
    overdue_days: int
    causes: dict[str, int]  # cause label -> households (scope total)
    warnings: dict[str, dict[str, int]]  # unit -> counts
    village_households: list[dict[str, Any]] | None  # village level; None: not for this user
    due_exit: list[dict[str, Any]] | None = None  # village level 应退未退 list; None: not for this user

    def reconciliation(self, code: str) -> tuple[int, int, int]:
        """(期末在册, 监测对象, 应退未退) of a unit: 在册 = 监测对象 + 应退未退 (+ 未评估)."""
        g = self.groups.get(code, {})
        monitored = g.get("floor_households", 0) + g.get("monitored_households", 0)
        due = g.get("above_households", 0)
        return monitored + due + g.get("unknown_households", 0), monitored, due


def _ctx(evaluator: Evaluator) -> QueryContext | None:
    return evaluator.context(KPI_BY_KEY["caseload_households"])


def flow_rows(ctx: QueryContext, period: Period, units: list[tuple[str, str]]) -> list[tuple[str, FlowRow]]:
    """Per unit over the period: register count before, entries, exits, register count after."""
    conn, towns, by = ctx.conn, ctx.towns, ctx.level
    opening = serve.register_count(conn, towns=towns, as_of=period.start - timedelta(days=1), by=by)
    closing = serve.register_count(conn, towns=towns, as_of=ctx.as_of, by=by)
    moves = serve.flows(conn, towns=towns, start=period.start, end=ctx.as_of, by=by)
    return [
        (
            code,
            FlowRow(
                name,
                opening.get(code, 0),
                moves.get(code, {}).get("entry", 0),
                moves.get(code, {}).get("exit", 0),
                closing.get(code, 0),
            ),
        )
        for code, name in units
    ]


def monthly_flow_rows(ctx: QueryContext, period: Period, unit_filter: str | None = None) -> list[FlowRow]:
    """Month by month for the scope: the identity opening + entries - exits = closing.

    One register count (the period's opening) and one flow query a month: each month's closing
    is its opening plus its moves, and the next month opens with it (the register is entries
    minus exits, so this is the same number a count at each month end gives, for a fraction of
    the work: a year is 13 queries instead of 36)."""

    def total(values: dict[str, Any], key: str | None = None) -> int:
        items = values.items() if unit_filter is None else [(k, v) for k, v in values.items() if k == unit_filter]
        return sum((v.get(key, 0) if key else v) for _, v in items)

    months = period.months()
    if not months:
        return []
    opening = total(
        serve.register_count(ctx.conn, towns=ctx.towns, as_of=months[0].start - timedelta(days=1), by=ctx.level)
    )
    rows = []
    for month in months:
        end = min(month.end, ctx.as_of)
        if end < month.start:
            break
        moves = serve.flows(ctx.conn, towns=ctx.towns, start=month.start, end=end, by=ctx.level)
        entries, exits = total(moves, "entry"), total(moves, "exit")
        closing = opening + entries - exits
        rows.append(FlowRow(month.label, opening, entries, exits, closing))
        opening = closing
    return rows


LIST_DEPARTMENTS = ("民政局",)  # who answers for the caseload lists


def caseload_detail(
    evaluator: Evaluator,
    units: list[tuple[str, str]],
    village: str | None,
    principal: Principal,
    unmask: bool = False,
) -> CaseloadDetail | None:
    ctx = _ctx(evaluator)
    if ctx is None:
        return None
    conn, towns, by = ctx.conn, ctx.towns, ctx.level
    lines: dict[str, Any] = {"floor_fen": ctx.standard.floor_fen, "line_fen": ctx.standard.monitoring_line_fen}
    overdue_days = int(ctx.settings["review_overdue_days"])
    as_of_dt = datetime.combine(ctx.as_of, time(23, 59, 59))
    by_cause: dict[str, int] = {}
    for per_unit in caseload.causes(conn, towns=towns, as_of=ctx.as_of, by=by, **lines).values():
        for cause, n in per_unit.items():
            label = CAUSES.get(cause, cause)
            by_cause[label] = by_cause.get(label, 0) + n
    params = warning_params(ctx)
    listing: list[dict[str, Any]] | None = []
    due_exit: list[dict[str, Any]] | None = []
    if village:
        town = ctx.towns[0]
        if principal.may_list(town=town, departments=LIST_DEPARTMENTS):
            listing = village_list(ctx, village, params, principal, unmask)
            due_exit = due_exit_list(ctx, village, principal, unmask)
        else:
            listing = due_exit = None  # aggregates only for this user
    return CaseloadDetail(
        groups=caseload.stock(conn, towns=towns, as_of=ctx.as_of, by=by, **lines),
        flows_by_unit=flow_rows(ctx, evaluator.period, units),
        flows_by_month=monthly_flow_rows(ctx, evaluator.period),
        reasons=caseload.exit_reasons(conn, towns=towns, start=evaluator.period.start, end=ctx.as_of),
        pipeline=caseload.pipeline(
            conn, towns=towns, as_of=as_of_dt, overdue_before=as_of_dt - timedelta(days=overdue_days), by=by
        ),
        overdue_days=overdue_days,
        causes=dict(sorted(by_cause.items(), key=lambda kv: -kv[1])),
        warnings=serve.warnings(conn, towns=towns, params=params, by=by),
        village_households=listing,
        due_exit=due_exit,
    )


def due_exit_list(ctx: QueryContext, village: str, principal: Principal, unmask: bool) -> list[dict[str, Any]]:
    """One village's 应退未退 households with their income against the line (masked by default)."""
    found = reconcile.due_exit_households(
        ctx.conn,
        towns=ctx.towns,
        village=village,
        as_of=ctx.as_of,
        floor_fen=ctx.standard.floor_fen,
        line_fen=ctx.standard.monitoring_line_fen,
    )
    income = dict(found)
    rows = households.households(
        ctx.conn, towns=ctx.towns, ids=list(income), principal=principal, departments=LIST_DEPARTMENTS, unmask=unmask
    )
    line_yuan = ctx.standard.monitoring_line_fen / 100
    return [
        {
            "户主": row["head_name"],
            "身份证号": row["id_number"],
            "联系电话": row["phone"],
            "月人均收入（元）": round(income[int(row["id"])] / 100, 2),
            "监测线（元）": round(line_yuan, 2),
        }
        for row in rows
    ]


def village_list(
    ctx: QueryContext, village: str, params: dict[str, Any], principal: Principal, unmask: bool
) -> list[dict[str, Any]]:
    """Flagged households of one village with the warnings that flag them (masked by default)."""
    flagged = caseload.warning_households(ctx.conn, towns=ctx.towns, village=village, params=params)
    found = households.households(
        ctx.conn,
        towns=ctx.towns,
        ids=[h for h, *_ in flagged],
        principal=principal,
        departments=LIST_DEPARTMENTS,
        unmask=unmask,
    )
    rows = {int(r["id"]): r for r in found}
    out = []
    for household_id, near, drop, medical in flagged:
        row = rows.get(household_id)
        if row is None:
            continue
        reasons = [
            label for flag, label in ((near, "刚过监测线"), (drop, "收入骤降"), (medical, "大额医疗支出")) if flag
        ]
        out.append(
            {
                "户主": row["head_name"],
                "身份证号": row["id_number"],
                "联系电话": row["phone"],
                "致贫原因": CAUSES.get(str(row["cause"]), str(row["cause"])),
                "预警": "、".join(reasons),
            }
        )
    return out


GROUP_NAMES = {"floor": GROUP_LABELS[Group.FLOOR], "monitored": GROUP_LABELS[Group.MONITORED]}
