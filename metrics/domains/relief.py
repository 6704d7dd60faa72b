"""/relief content: spending by type and unit, the monthly trend, budget execution with
pacing, and 应助尽助 (households meeting a rule that received nothing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from data_access.access import Principal
from data_access.analytics import serve
from data_access.queries import households, relief
from data_access.reference import CAUSES, HOUSING_CAUSES, HOUSING_ITEMS, RELIEF_TYPES
from metrics.domain.periods import Grain, Period, recent_periods
from metrics.evaluate import Evaluator
from metrics.registry import KPI_BY_KEY, QueryContext, gap_since

# Which feed dates each rule's check (its payments come from that department).
GAP_RULE_FEEDS = {"living": "relief_civil", "temporary": "relief_civil", "medical": "medical", "education": "education"}
GAP_RULE_LABELS = {
    "living": "生活救助（三.1）",
    "temporary": "临时救助（三.2）",
    "medical": "医疗救助（三.3）",
    "education": "教育资助（三.4）",
}
TREND_MONTHS = 12


@dataclass(frozen=True)
class BudgetRow:
    code: str
    spent_fen: int
    budget_fen: int
    due_share: float  # elapsed share of the year at the data date

    @property
    def execution(self) -> float | None:
        return self.spent_fen / self.budget_fen * 100 if self.budget_fen else None


@dataclass(frozen=True)
class ReliefDetail:
    by_type: dict[tuple[str, str], dict[str, int]]  # (unit, type) -> amount/payments/persons
    trend: dict[tuple[str, str], int]  # (YYYY-MM, type) -> fen
    trend_months: list[str]
    budgets: list[BudgetRow]  # town level only
    budget_year: int
    gaps: dict[str, dict[str, tuple[int, int]]]  # rule -> unit -> (eligible, unpaid)
    gap_as_of: dict[str, date]
    gap_list: list[dict[str, Any]]  # village level: masked households with the rule missed
    housing: list[dict[str, Any]] = field(default_factory=list)  # per unit: 三.5 rent / purchase, candidates


GAP_RULE_DEPARTMENTS = {"living": "民政局", "temporary": "民政局", "medical": "医保局", "education": "教育局"}


def relief_detail(
    evaluator: Evaluator,
    units: list[tuple[str, str]],
    village: str | None,
    principal: Principal,
    unmask: bool = False,
) -> ReliefDetail | None:
    ctx = evaluator.context(KPI_BY_KEY["relief_spending"])
    if ctx is None:
        return None
    conn, towns, by = ctx.conn, ctx.towns, ctx.level
    months = list(reversed(recent_periods(ctx.as_of, Grain.MONTH, TREND_MONTHS)))
    budgets: list[BudgetRow] = []
    year = ctx.as_of.year
    if by == "town":
        spent = serve.spending(conn, towns=towns, start=date(year, 1, 1), end=ctx.as_of)
        budget = relief.budget_by_town(conn, towns=towns, year=year)
        due = ((ctx.as_of - date(year, 1, 1)).days + 1) / Period.year(year).days
        budgets = [
            BudgetRow(code, spent.get(code, {}).get("amount_fen", 0), budget.get(code, 0), due) for code, _ in units
        ]
    gaps, gap_as_of, listing = {}, {}, []
    for rule in relief.GAP_RULES:
        rule_ctx = _rule_context(evaluator, rule)
        if rule_ctx is None:
            continue
        gap_as_of[rule] = rule_ctx.as_of
        lines = {"floor_fen": rule_ctx.standard.floor_fen, "line_fen": rule_ctx.standard.monitoring_line_fen}
        since = gap_since(rule_ctx, rule)
        gaps[rule] = serve.gaps(conn, towns=towns, rule=rule, as_of=rule_ctx.as_of, since=since, by=by, **lines)
        departments = (GAP_RULE_DEPARTMENTS[rule],)
        if village and principal.may_list(town=towns[0], departments=departments):
            ids = relief.gap_households(
                conn, towns=towns, village=village, rule=rule, as_of=rule_ctx.as_of, since=since, **lines
            )
            rows = households.households(
                conn, towns=towns, ids=ids, principal=principal, departments=departments, unmask=unmask
            )
            for row in rows:
                listing.append(
                    {
                        "户主": row["head_name"],
                        "身份证号": row["id_number"],
                        "联系电话": row["phone"],
                        "致贫原因": CAUSES.get(str(row["cause"]), str(row["cause"])),
                        "符合但未获得": GAP_RULE_LABELS[rule],
                    }
                )
    return ReliefDetail(
        by_type=serve.spending_by_type(conn, towns=towns, start=evaluator.period.start, end=ctx.as_of, by=by),
        trend=serve.spending_by_month_and_type(conn, towns=towns, start=months[0].start, end=ctx.as_of),
        trend_months=[m.key for m in months],
        budgets=budgets,
        budget_year=year,
        gaps=gaps,
        gap_as_of=gap_as_of,
        gap_list=listing,
        housing=housing_rows(evaluator, units),
    )


def housing_rows(evaluator: Evaluator, units: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Per unit, over the period: households and amounts of 公租房租赁补贴 and 经济适用住房购房补贴
    (三.5), and the households impoverished by illness, schooling or disaster on the register at
    the period end (三.5's first condition) with how many of them had housing support."""
    ctx = evaluator.feed_context("housing", accumulates=True)
    if ctx is None:
        return []
    split = relief.housing_split(ctx.conn, towns=ctx.towns, start=ctx.start, end=ctx.as_of, by=ctx.level)
    candidates = serve.housing_candidates(
        ctx.conn,
        towns=ctx.towns,
        causes=HOUSING_CAUSES,
        start=ctx.start,
        as_of=ctx.as_of,
        floor_fen=ctx.standard.floor_fen,
        line_fen=ctx.standard.monitoring_line_fen,
        by=ctx.level,
    )
    out = []
    for code, name in units:
        row: dict[str, Any] = {"单位": name}
        for item, label in HOUSING_ITEMS.items():
            households_paid, fen = split.get(code, {}).get(item, (0, 0))
            short = label[-4:]  # 租赁补贴 / 购房补贴
            row[f"{short}（户）"] = households_paid
            row[f"{short}（万元）"] = round(fen / 1_000_000, 2)
        n, paid = candidates.get(code, (0, 0))
        row["初筛对象（户）"] = n  # headers short enough to read whole at 1440 px
        row["其中已获保障（户）"] = paid
        row["获保障比例（%）"] = round(paid / n * 100, 1) if n else None
        out.append(row)
    return out


def _rule_context(evaluator: Evaluator, rule: str) -> QueryContext | None:
    """The rule is checked at its department's data date (a lagging feed is not a gap)."""
    return evaluator.feed_context(GAP_RULE_FEEDS[rule])


TYPE_LABELS = {key: label for key, (label, _, _) in RELIEF_TYPES.items()}
TYPE_DEPARTMENTS = {key: dept for key, (_, dept, _) in RELIEF_TYPES.items()}
