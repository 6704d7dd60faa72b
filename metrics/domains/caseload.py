"""/caseload content: groups, the flow identity, the review pipeline, causes, warnings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from data_access.access import Principal
from data_access.analytics import serve
from data_access.queries import caseload, households, reconcile, returns
from data_access.reference import CAUSES
from metrics.domain import returns as return_rules
from metrics.domain.periods import Period
from metrics.domain.rules import GROUP_LABELS, Group
from metrics.evaluate import Evaluator
from metrics.kpis.caseload import return_cohorts, return_windows
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
    # 二(一).3 waiting times: (unit, stage) -> {whole days: cases}
    waits_finished: dict[tuple[str, str], dict[int, int]] = field(default_factory=dict)
    waits_waiting: dict[tuple[str, str], dict[int, int]] = field(default_factory=dict)
    # 返贫: the exit cohorts (after, through, months), newest first, and per (unit, cause, cohort)
    # (exits, returned within the cohort's months); re-entries in the period per unit
    return_windows: tuple[tuple[date, date, int], ...] = ()
    return_cohorts: dict[tuple[str, str, int], tuple[int, int]] = field(default_factory=dict)
    returned: dict[str, int] = field(default_factory=dict)
    returned_list: list[dict[str, Any]] | None = None  # village level; None: not for this user

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

    One register count (the period's opening) and the months' flows in one query: each month's
    closing is its opening plus its moves, and the next month opens with it (the register is
    entries minus exits, so this is the same number a count at each month end gives)."""

    def total(values: dict[str, Any], key: str | None = None) -> int:
        items = values.items() if unit_filter is None else [(k, v) for k, v in values.items() if k == unit_filter]
        return sum((v.get(key, 0) if key else v) for _, v in items)

    spans = [(m.start, min(m.end, ctx.as_of)) for m in period.months() if min(m.end, ctx.as_of) >= m.start]
    if not spans:
        return []
    opening = total(
        serve.register_count(ctx.conn, towns=ctx.towns, as_of=spans[0][0] - timedelta(days=1), by=ctx.level)
    )
    rows = []
    labels = [m.label for m in period.months()][: len(spans)]  # a running period's months so far
    moves_by_month = serve.flows_by_month(ctx.conn, towns=ctx.towns, spans=spans, by=ctx.level)
    for label, moves in zip(labels, moves_by_month, strict=True):
        entries, exits = total(moves, "entry"), total(moves, "exit")
        closing = opening + entries - exits
        rows.append(FlowRow(label, opening, entries, exits, closing))
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
    groups, causes = serve.stock_and_causes(conn, towns=towns, as_of=ctx.as_of, by=by, **lines)
    for per_unit in causes.values():
        for cause, n in per_unit.items():
            label = CAUSES.get(cause, cause)
            by_cause[label] = by_cause.get(label, 0) + n
    params = warning_params(ctx)
    listing: list[dict[str, Any]] | None = []
    due_exit: list[dict[str, Any]] | None = []
    returned_list: list[dict[str, Any]] | None = []
    windows = return_windows(ctx)
    if village:
        town = ctx.towns[0]
        if principal.may_list(town=town, departments=LIST_DEPARTMENTS):
            listing = village_list(ctx, village, params, principal, unmask)
            due_exit = due_exit_list(ctx, village, principal, unmask)
            returned_list = return_list(ctx, evaluator.period, village, windows[-1][2], principal, unmask)
        else:
            listing = due_exit = returned_list = None  # aggregates only for this user
    return CaseloadDetail(
        groups=groups,
        flows_by_unit=flow_rows(ctx, evaluator.period, units),
        flows_by_month=monthly_flow_rows(ctx, evaluator.period),
        reasons=caseload.exit_reasons(conn, towns=towns, start=evaluator.period.start, end=ctx.as_of),
        pipeline=serve.pipeline(
            conn, towns=towns, as_of=as_of_dt, overdue_before=as_of_dt - timedelta(days=overdue_days), by=by
        ),
        overdue_days=overdue_days,
        causes=dict(sorted(by_cause.items(), key=lambda kv: -kv[1])),
        warnings=serve.warnings(conn, towns=towns, params=params, by=by),
        village_households=listing,
        due_exit=due_exit,
        waits_finished=serve.waits_finished(conn, towns=towns, start=evaluator.period.start, end=ctx.as_of, by=by),
        waits_waiting=serve.waits_waiting(conn, towns=towns, as_of=ctx.as_of, by=by),
        return_windows=windows,
        return_cohorts=return_cohorts(ctx),
        returned=returns.returned(
            conn, towns=towns, start=evaluator.period.start, end=ctx.as_of, months=windows[-1][2], by=by
        ),
        returned_list=returned_list,
    )


def return_list(
    ctx: QueryContext, period: Period, village: str, months: int, principal: Principal, unmask: bool
) -> list[dict[str, Any]]:
    """One village's households back on the register in the period within `months` of their
    last exit (masked by default)."""
    found = returns.returned_households(
        ctx.conn, towns=ctx.towns, village=village, start=period.start, end=ctx.as_of, months=months
    )
    rows = households.households(
        ctx.conn,
        towns=ctx.towns,
        ids=sorted({r["household_id"] for r in found}),
        principal=principal,
        departments=LIST_DEPARTMENTS,
        unmask=unmask,
    )
    people = {int(r["id"]): r for r in rows}
    out = []
    for r in found:
        person = people.get(r["household_id"])
        if person is None:
            continue
        out.append(
            {
                "户主": person["head_name"],
                "身份证号": person["id_number"],
                "联系电话": person["phone"],
                "致贫原因": CAUSES.get(str(person["cause"]), str(person["cause"])),
                "退出日期": r["exit_on"].isoformat(),
                "退出原因": r["exit_reason"],
                "再次纳入日期": r["back_on"].isoformat(),
                "间隔（天）": (r["back_on"] - r["exit_on"]).days,
                "再次纳入原因": r["back_reason"],
            }
        )
    return out


def _merge(histograms: Iterable[dict[int, int]]) -> dict[int, int]:
    out: dict[int, int] = {}
    for counts in histograms:
        for days, n in counts.items():
            out[days] = out.get(days, 0) + n
    return out


def _wait_cells(counts: dict[int, int]) -> tuple[int, float | None, int | None]:
    return sum(counts.values()), return_rules.median(counts), max(counts) if counts else None


def _pick(histograms: dict[tuple[str, str], dict[int, int]], code: str, stage: str) -> dict[int, int]:
    """One unit's histogram of a stage; with no unit, every unit's together."""
    if code:
        return histograms.get((code, stage), {})
    return _merge(v for (_, s), v in histograms.items() if s == stage)


def wait_rows(detail: CaseloadDetail, units: list[tuple[str, str]], unit_label: str) -> list[dict[str, Any]]:
    """二(一).3 waiting times per unit × stage, the scope total first: cases that finished the
    stage in the period (median and longest days) and cases still waiting at its end."""
    rows = []
    for code, name in [("", "合计"), *units]:
        for stage, label in STAGES.items():
            done, done_median, done_max = _wait_cells(_pick(detail.waits_finished, code, stage))
            waiting, waiting_median, waiting_max = _wait_cells(_pick(detail.waits_waiting, code, stage))
            rows.append(
                {
                    unit_label: name,
                    "环节": label,
                    "期内完成（件）": done,
                    "用时中位数（天）": done_median,
                    "最长用时（天）": done_max,
                    "期末仍在等待（件）": waiting,
                    "已等待中位数（天）": waiting_median,
                    "最长已等待（天）": waiting_max,
                }
            )
    return rows


def _return_cells(detail: CaseloadDetail, keep: Any) -> dict[str, Any]:
    cells: dict[str, Any] = {}
    for i, (_after, _through, months) in enumerate(detail.return_windows):
        exited = sum(n for (u, c, g), (n, _) in detail.return_cohorts.items() if g == i and keep(u, c))
        back = sum(b for (u, c, g), (_, b) in detail.return_cohorts.items() if g == i and keep(u, c))
        cells[f"退出（户，{months}个月观察组）"] = exited
        cells[f"{months}个月内返贫（户）"] = back
        cells[f"{months}个月返贫率（%）"] = round(back / exited * 100, 1) if exited else None
    return cells


def return_rows_by_unit(detail: CaseloadDetail, units: list[tuple[str, str]], unit_label: str) -> list[dict[str, Any]]:
    """返贫 per unit: each exit cohort and its returns, and re-entries in the period."""
    longest = detail.return_windows[-1][2] if detail.return_windows else 0
    return [
        {
            unit_label: name,
            **_return_cells(detail, lambda u, _c, code=code: u == code),
            f"期内返贫（户，退出后{longest}个月内再次纳入）": detail.returned.get(code, 0),
        }
        for code, name in units
    ]


def return_rows_by_cause(detail: CaseloadDetail) -> list[dict[str, Any]]:
    """返贫 by the household's 致贫原因, the scope's total."""
    order = list(CAUSES)
    causes = sorted({c for _, c, _ in detail.return_cohorts}, key=lambda c: order.index(c) if c in order else 99)
    return [{"致贫原因": CAUSES.get(c, c), **_return_cells(detail, lambda _u, cc, c=c: cc == c)} for c in causes]


def return_window_text(detail: CaseloadDetail) -> str:
    """The cohorts in words, for the table's caption."""
    return "；".join(
        f"{months}个月观察组：{after + timedelta(days=1):%Y年%m月%d日}至{through:%Y年%m月%d日}退出的家庭"
        for after, through, months in detail.return_windows
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
