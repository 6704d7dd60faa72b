"""Goals for the demo city, as a leading group might set them: some from the plan itself
(coverage 100 %, every cooperative meeting 五.2), the rest from last year's results."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from data_access.models import Goal, ReliefBudget, Town
from data_access.models.governance import CITY_SCOPE
from metrics.domain.periods import Period
from metrics.evaluate import Evaluator
from metrics.registry import KPI_BY_KEY

GOAL_YEARS = range(2022, 2027)
SET_AT = datetime(2021, 12, 20, 9, 0)

# Plan targets (clause in the note), the same for the city and every town.
PLAN_TARGETS = {
    "pension_coverage": (100.0, "实施方案四.1：“一个不少”全面纳入"),
    "medical_coverage": (100.0, "实施方案四.3：应保尽保"),
    "dividend_compliance": (100.0, "实施方案五.2：红利同比增长5%或达到净收益30%"),
    "relief_budget_execution": (100.0, "年度预算全部执行，按时间进度考核"),
    "placement_rate": (80.0, "领导小组年度目标（演示）"),
    "ltc_coverage": (100.0, "实施方案四.3：失能人员全部纳入长期护理保障"),
    "plan_share": (100.0, "实施方案二(二).4：按照“一人一策”"),
    "retention_rate": (85.0, "领导小组年度目标（演示）"),
    "returns_rate": (3.0, "领导小组年度目标（演示）：返贫率不高于3%"),
    "pension_premium_subsidy": (100.0, "实施方案四.2：按缴费档次给予低收入人口缴费补贴"),
    "medical_premium_subsidy": (100.0, "实施方案四.3：低保、低保边缘户享受保费补助"),
    "cadre_link_rate": (100.0, "实施方案六.2：村(社区)干部挂钩联系帮扶对象"),
    "elderly_visit_rate": (100.0, "实施方案四.4：建立特殊困难老年人居家探访制度"),
    "charity_disclosure_rate": (100.0, "实施方案六.3：加大公益资金使用、项目实施的信息公开力度"),
    "anti_poverty_insurance_coverage": (95.0, "领导小组年度目标（演示）：实施方案三.7 探索购买精准医疗防贫保险"),
    "pairing_rate": (40.0, "领导小组年度目标（演示）：实施方案六.4 引导社会力量结对帮扶"),
    "industry_link_rate": (10.0, "领导小组年度目标（演示）：实施方案五.3 建立产业利益联结机制"),
}
CASELOAD_REDUCTION = 0.03  # demo goal: 3 % fewer monitored households than last year-end
PLACEMENT_GROWTH = 1.05


def seed_goals(engine: Engine) -> int:
    """Insert demo goals for every year, KPI and scope; returns the number of rows."""
    with Session(engine) as session:
        # SQLAlchemy's select through sqlmodel's Session.exec, which is typed for sqlmodel's select only.
        statement = select(Town.code).order_by(Town.sort_order)  # type: ignore[call-overload]
        town_codes = tuple(session.exec(statement).scalars())
        goals: list[Goal] = []
        for year in GOAL_YEARS:
            period = str(year)
            for key, (target, note) in PLAN_TARGETS.items():
                for scope in (CITY_SCOPE, *town_codes):
                    goals.append(_goal(key, scope, period, target, note))
            goals += _additive_goals(session, town_codes, year)
        session.add_all(goals)
        session.commit()
        return len(goals)


def _additive_goals(session: Session, towns: tuple[str, ...], year: int) -> list[Goal]:
    """Town goals from last year's results; the city goal is their sum, so they add up."""
    statement = (
        select(ReliefBudget.town_code, func.sum(ReliefBudget.amount_fen))  # type: ignore[call-overload]
        .where(ReliefBudget.year == year)
        .group_by(ReliefBudget.town_code)
    )
    budgets: dict[str, int] = dict(session.exec(statement).all())
    # The demo history starts in late 2021, so 2022's goals rest on 2022 itself.
    evaluator = Evaluator(session.connection(), towns=towns, period=Period.year(max(year - 1, GOAL_YEARS.start)))
    per_kpi: dict[str, dict[str, float]] = {"caseload_households": {}, "new_placements": {}, "relief_spending": {}}
    for town in towns:
        caseload = evaluator.value(KPI_BY_KEY["caseload_households"], town) or 0.0
        per_kpi["caseload_households"][town] = round(caseload * (1 - CASELOAD_REDUCTION))
        placed = evaluator.value(KPI_BY_KEY["new_placements"], town) or 0.0
        per_kpi["new_placements"][town] = round(placed * PLACEMENT_GROWTH)
        # Spending goal = the year's relief budget, in 万元 like the KPI.
        per_kpi["relief_spending"][town] = round(int(budgets.get(town, 0)) / 1_000_000, 2)
    notes = {
        "caseload_households": "较上年末减少3%（演示目标）",
        "new_placements": "较上年增长5%（演示目标）",
        "relief_spending": "年度救助预算",
    }
    out = []
    for key, by_town in per_kpi.items():
        for town, target in by_town.items():
            out.append(_goal(key, town, str(year), float(target), notes[key]))
        out.append(_goal(key, CITY_SCOPE, str(year), float(round(sum(by_town.values()), 2)), notes[key]))
    return out


def _goal(key: str, scope: str, period: str, target: float, note: str) -> Goal:
    return Goal(
        kpi_key=key, scope_code=scope, period=period, target=target, note=note, updated_at=SET_AT, updated_by="演示数据"
    )
