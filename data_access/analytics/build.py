"""Compute fact rows for one month (or year) from raw rows, with the same SQL the raw-row
path uses (data_access.queries at village level): a fact equals the raw figure by
construction, and `check` recomputes them to prove it."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from data_access.analytics import months
from data_access.analytics.params import BuildParams
from data_access.queries import assistance, caseload, dividends, employment, relief, returns, review_waits, social
from data_access.queries.common import execute
from data_access.reference import HOUSING_CAUSES
from metrics.domain import returns as return_rules

Rows = dict[str, list[dict[str, Any]]]  # fact table -> rows
SPAN_TABLE = "fact_placement_span"
YEAR_TABLE = "fact_dividend_year"
SPANS = ("month", "quarter", "year")


# The register at one month end, computed once and read by every stock figure of the month.
ACTIVE = "analytics_active"
_ACTIVE_COLUMNS = (
    "household_id INTEGER, town_code VARCHAR(20), village_code VARCHAR(20), cause VARCHAR(20), "
    "income_fen BIGINT, persons INTEGER, assessed_on DATE, medical_fen BIGINT, grp VARCHAR(10)"
)


def open_active(conn: Connection) -> None:
    conn.execute(text(f"DROP TABLE IF EXISTS {ACTIVE}"))
    conn.execute(text(f"CREATE TEMPORARY TABLE {ACTIVE} ({_ACTIVE_COLUMNS})"))
    # Every figure reads one town's rows of it: without this index, each read scans all towns.
    conn.execute(text(f"CREATE INDEX {ACTIVE}_town ON {ACTIVE} (town_code)"))


def close_active(conn: Connection) -> None:
    conn.execute(text(f"DROP TABLE IF EXISTS {ACTIVE}"))


def fill_active(conn: Connection, towns: Collection[str], *, as_of: date, floor_fen: int, line_fen: int) -> None:
    conn.execute(text(f"DELETE FROM {ACTIVE}"))
    sql = (
        f"INSERT INTO {ACTIVE} (household_id, town_code, village_code, cause, income_fen, persons, assessed_on, "
        f"medical_fen, grp) SELECT a.household_id, a.town_code, a.village_code, a.cause, a.income_fen, a.persons, "
        f"a.assessed_on, a.medical_fen, a.grp FROM ({caseload.ACTIVE_HOUSEHOLDS}) a"
    )
    execute(conn, sql, towns=towns, params=caseload.active_params(as_of=as_of, floor_fen=floor_fen, line_fen=line_fen))


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class _Rows:
    """Accumulates one table's values per key, then drops all-zero rows."""

    def __init__(self, key_names: tuple[str, ...], fixed: dict[str, Any]) -> None:
        self.key_names, self.fixed = key_names, fixed
        self.rows: dict[tuple[Any, ...], dict[str, Any]] = {}

    def add(self, key: tuple[Any, ...], **values: int) -> None:
        row = self.rows.get(key)
        if row is None:
            row = self.rows[key] = {**dict(zip(self.key_names, key, strict=True)), **self.fixed}
        for name, value in values.items():
            row[name] = row.get(name, 0) + int(value or 0)

    def out(self) -> list[dict[str, Any]]:
        skip = {*self.key_names, *self.fixed}
        return [r for r in self.rows.values() if any(v for k, v in r.items() if k not in skip)]


def month_rows(conn: Connection, month: int, towns: Collection[str], p: BuildParams) -> Rows:
    """Every month fact row of the given towns for one month: each town's raw rows by village
    (queried town by town, so a row stays with the town it is filed under)."""
    lines = p.lines(months.last_day(month))
    assert lines is not None, "months without a standard are not built"
    fill_active(conn, towns, as_of=months.last_day(month), floor_fen=lines[0], line_fen=lines[1])
    out: Rows = {}
    for town in towns:
        for name, rows in _town_month_rows(conn, month, town, p, lines).items():
            out.setdefault(name, []).extend(rows)
    return out


def _town_month_rows(conn: Connection, month: int, town: str, p: BuildParams, lines: tuple[int, int]) -> Rows:
    start, end = months.first_day(month), months.last_day(month)
    floor_fen, line_fen = lines
    towns = (town,)
    s = p.settings
    by = "village"
    key = ("village_code",)
    reg: dict[str, Any] = {"floor_fen": floor_fen, "line_fen": line_fen, "by": by, "active": ACTIVE}
    cas = _Rows(key, {"month": month, "town_code": town, "feed": "caseload"})
    groups, by_cause = caseload.stock_and_causes(conn, towns=towns, as_of=end, **reg)
    for v, r in groups.items():
        cas.add((v,), **{f"{g}_{m}": r.get(f"{g}_{m}", 0) for g in caseload.GROUPS for m in ("households", "persons")})
    causes = _Rows(("village_code", "cause"), {"month": month, "town_code": town, "feed": "caseload"})
    for v, per_cause in by_cause.items():
        for cause, n in per_cause.items():
            causes.add((v, cause), households=n)
    for v, r in caseload.flows(conn, towns=towns, start=start, end=end, by=by).items():
        cas.add((v,), entries=r.get("entry", 0), exits=r.get("exit", 0))
    as_of_dt = datetime.combine(end, time(23, 59, 59))
    overdue_before = as_of_dt - timedelta(days=int(s["review_overdue_days"]))
    for v, r in caseload.pipeline(conn, towns=towns, as_of=as_of_dt, overdue_before=overdue_before, by=by).items():
        stages = caseload.REVIEW_STAGES
        cas.add(
            (v,),
            waiting=sum(r.get(f"{g}_waiting", 0) for g in stages),
            overdue=sum(r.get(f"{g}_overdue", 0) for g in stages),
            **{f"{g}_{m}": r.get(f"{g}_{m}", 0) for g in stages for m in ("waiting", "overdue")},
        )
    waits = _Rows(("village_code", "kind", "stage", "days"), {"month": month, "town_code": town, "feed": "caseload"})
    for (v, stage), counts in review_waits.finished(conn, towns=towns, start=start, end=end, by=by).items():
        if stage == "approval":
            cas.add((v,), review_days=sum(d * n for d, n in counts.items()), review_cases=sum(counts.values()))
        for days, n in counts.items():
            waits.add((v, "done", stage, days), cases=n)
    for (v, stage), counts in review_waits.waiting(conn, towns=towns, as_of=end, by=by).items():
        for days, n in counts.items():
            waits.add((v, "waiting", stage, days), cases=n)
    windows = return_rules.windows(end, int(s["return_window_months"]))
    back = _Rows(("village_code", "cause", "cohort"), {"month": month, "town_code": town, "feed": "caseload"})
    for (v, cause, cohort), (exited, returned) in returns.cohorts(
        conn, towns=towns, as_of=end, windows=windows, by=by
    ).items():
        back.add((v, cause, cohort), exits=exited, returned=returned)
        if cohort == 0:  # the KPI's cohort: watched for the window
            cas.add((v,), return_exits=exited, returned=returned)
    wparams = caseload.warning_params(
        as_of=end,
        floor_fen=floor_fen,
        line_fen=line_fen,
        near_ratio=s["warning_near_line_ratio"],
        drop_ratio=s["warning_income_drop_ratio"],
        medical_share=s["warning_medical_share"],
    )
    for v, r in caseload.warnings(conn, towns=towns, params=wparams, by=by, active=ACTIVE).items():
        cas.add(
            (v,),
            warning_near_line=r["near_line"],
            warning_income_drop=r["income_drop"],
            warning_medical=r["medical"],
            warning_any=r["any"],
        )

    rel = _Rows(("village_code", "relief_type"), {"month": month, "town_code": town, "feed": "relief_civil"})
    for (v, kind), r in relief.spending_by_type(conn, towns=towns, start=start, end=end, by=by).items():
        rel.add((v, kind), amount_fen=r["amount_fen"], payments=r["payments"], persons=r["persons"])
    for rule in relief.GAP_RULES:
        window = s["gap_window_monthly_days"] if rule == "living" else s["gap_window_yearly_days"]
        since = end - timedelta(days=int(window) - 1)
        found = relief.gaps(conn, towns=towns, rule=rule, as_of=end, since=since, **reg)
        for v, (eligible, unpaid) in found.items():
            rel.add((v, rule), gap_eligible=eligible, gap_unpaid=unpaid)

    emp = _Rows(key, {"month": month, "town_code": town, "feed": "employment"})
    funnel = employment.funnel(conn, towns=towns, as_of=end, retention_months=int(s["retention_months"]), **reg)
    for v, r in funnel.items():
        emp.add((v,), **r)
    for v, n in employment.new_placements_by_town(conn, towns=towns, start=start, end=end, by=by).items():
        emp.add((v,), placement_records=n)
    for v, r in employment.trainings(conn, towns=towns, start=start, end=end, by=by).items():
        emp.add((v,), trainings_started=r["started"])
    visited_from = end - timedelta(days=int(s["cadre_visit_days"]))
    for v, r in social.cadre_linkage(conn, towns=towns, as_of=end, visited_from=visited_from, **reg).items():
        cas.add((v,), cadre_linked=r["linked"], cadre_visited=r["visited"])
    for kind, column in (("pairing", "pairing_running"), ("industry_link", "industry_linked")):
        for v, (_n, running) in assistance.running_share(conn, towns=towns, kind=kind, as_of=end, **reg).items():
            cas.add((v,), **{column: running})
    elderly = assistance.elderly_visits(
        conn,
        towns=towns,
        as_of=end,
        visited_from=end - timedelta(days=int(s["elderly_visit_days"])),
        born_before=years_before(end, int(s["elderly_min_age"])),
        **reg,
    )
    for v, (n, visited) in elderly.items():
        cas.add((v,), elderly=n, elderly_visited=visited)
    born_before = years_before(end, int(s["pension_min_age"]))
    med = _Rows(key, {"month": month, "town_code": town, "feed": "medical"})
    # Every scheme in one pass over the members' enrolments (social.coverage and
    # premium_subsidy, which the raw path uses, read them once per scheme).
    for v, r in social.coverage_all(conn, towns=towns, as_of=end, born_before=born_before, **reg).items():
        med.add((v,), anti_poverty_covered=r["anti_poverty_covered"], anti_poverty_eligible=r["anti_poverty_eligible"])
        emp.add((v,), pension_covered=r["pension_covered"], pension_eligible=r["pension_eligible"])
        med.add((v,), medical_covered=r["medical_covered"], medical_eligible=r["medical_eligible"])
        med.add((v,), ltc_covered=r["ltc_covered"], ltc_eligible=r["ltc_eligible"])
        emp.add((v,), pension_subsidy_enrolled=r["pension_enrolled"], pension_subsidised=r["pension_subsidised"])
        med.add((v,), medical_subsidy_enrolled=r["medical_enrolled"], medical_subsidised=r["medical_subsidised"])

    spans = {"month": start, "quarter": months.quarter_start(month), "year": date(start.year, 1, 1)}
    placed: list[dict[str, Any]] = []
    for span, since in spans.items():
        for v, n in employment.placed_persons(conn, towns=towns, start=since, end=end, by=by).items():
            if n:
                placed.append(
                    {"month": month, "span": span, "village_code": v, "town_code": town, "feed": "employment"}
                    | {"persons": n}
                )
    housing: list[dict[str, Any]] = []
    for span, since in spans.items():
        found = relief.housing_candidates(conn, towns=towns, causes=HOUSING_CAUSES, start=since, as_of=end, **reg)
        for v, (n, paid) in found.items():
            if n:
                housing.append(
                    {"month": month, "span": span, "village_code": v, "town_code": town, "feed": "housing"}
                    | {"candidates": n, "supported": paid}
                )
    return {
        "fact_caseload_month": cas.out(),
        "fact_cause_month": causes.out(),
        "fact_review_wait_month": waits.out(),
        "fact_return_month": back.out(),
        "fact_relief_month": rel.out(),
        "fact_employment_month": emp.out(),
        "fact_medical_month": med.out(),
        SPAN_TABLE: placed,
        "fact_housing_span": housing,
    }


def year_rows(conn: Connection, year: int, towns: Collection[str]) -> list[dict[str, Any]]:
    """The yearly dividend facts of the given towns for one year, town by town."""
    out: list[dict[str, Any]] = []
    for town in towns:
        div = _Rows(("village_code",), {"year": year, "town_code": town, "feed": "agriculture"})
        one = (town,)
        for v, (met, reporting) in dividends.compliance_by_town(conn, towns=one, year=year, by="village").items():
            div.add((v,), coops_met=met, coops_reporting=reporting)
        for v, r in dividends.town_totals(conn, towns=one, year=year, by="village").items():
            div.add((v,), dividends_fen=r["dividends_fen"])
        for v, (households, _) in dividends.fumin(conn, towns=one, year=year, by="village").items():
            div.add((v,), fumin_households=households)
        out += div.out()
    return out


def dividend_years(conn: Connection) -> list[int]:
    rows = conn.execute(text("SELECT year FROM cooperative_year UNION SELECT year FROM fumin_dividend"))
    return sorted(int(y) for (y,) in rows)
