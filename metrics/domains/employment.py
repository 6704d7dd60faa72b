"""/employment content: the funnel, channels, training, entrepreneurship, the job pool."""

from __future__ import annotations

from dataclasses import dataclass, field

from data_access.analytics import serve
from data_access.queries import employment
from metrics.evaluate import Evaluator
from metrics.registry import KPI_BY_KEY

SUBSIDY_KINDS = {
    "opening": "一次性开业补贴",
    "job_creation": "创业带动就业补贴",
    "rent": "创业租金补贴",
    "social_insurance": "创业社保补贴",
}
FUNNEL_STEPS = {
    "targets": "重点帮扶对象",
    "trained": "参加培训",
    "placed": "实现安置",
    "employed": "期末在岗",
}


@dataclass(frozen=True)
class EmploymentDetail:
    funnel: dict[str, dict[str, int]]  # unit -> step counts
    retention_months: int
    new_by_channel: dict[tuple[str, str], int]  # (unit, channel) -> placements started in the period
    trainings: dict[str, dict[str, int]]  # unit -> started / completed / certified
    subsidies: dict[tuple[str, str], tuple[int, int]]  # (town, kind) -> (grants, fen)
    loans: dict[str, tuple[int, int, int]]  # town -> (loans, principal fen, interest subsidy fen)
    job_pool: dict[str, tuple[int, int]]  # town -> (open postings, open vacancies)
    # town -> (open vacancies, job seekers: key targets not in work) at as_of (二(二).4)
    supply: dict[str, tuple[int, int]] = field(default_factory=dict)


def employment_detail(
    evaluator: Evaluator,
    units: list[tuple[str, str]],
    village: str | None,
    principal: object = None,
    unmask: bool = False,
) -> EmploymentDetail | None:
    del units, village  # lists of persons are not shown here: placements are not a failing
    ctx = evaluator.context(KPI_BY_KEY["placement_rate"])
    if ctx is None:
        return None
    conn, towns, by = ctx.conn, ctx.towns, ctx.level
    lines = {"floor_fen": ctx.standard.floor_fen, "line_fen": ctx.standard.monitoring_line_fen}
    months = int(ctx.settings["retention_months"])
    start = evaluator.period.start
    supply_values, _ = evaluator.values(KPI_BY_KEY["job_supply_ratio"])
    supply = {t: (int(m.num), int(m.den or 0)) for t, m in supply_values.by_town.items()}
    return EmploymentDetail(
        supply=supply,
        funnel=serve.funnel(conn, towns=towns, as_of=ctx.as_of, retention_months=months, by=by, **lines),
        retention_months=months,
        new_by_channel=employment.new_placements(conn, towns=towns, start=start, end=ctx.as_of, by=by),
        trainings=employment.trainings(conn, towns=towns, start=start, end=ctx.as_of, by=by),
        subsidies=employment.subsidies(conn, towns=towns, start=start, end=ctx.as_of),
        loans=employment.loans(conn, towns=towns, start=start, end=ctx.as_of),
        job_pool=employment.job_pool(conn, towns=towns, as_of=ctx.as_of),
    )
