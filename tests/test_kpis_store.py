"""Every KPI computed in SQL equals the independent computation, on SQLite and PostgreSQL;
towns add up to the city; boundaries (the lines, July 1, a town with no data) hold in the store."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import Session

from data_access.models import CaseEvent, Household, IncomeAssessment, LivingStandard, Town, Village
from data_access.models.governance import CITY_SCOPE
from data_access.queries import dividends
from metrics.domain.periods import Period
from metrics.evaluate import Evaluator
from metrics.registry import KPI_BY_KEY, KPIS
from tests import oracle

PERIODS = ("2026-10", "2026-Q2", "2025", "2024-07")


def _evaluator(conn, period: str) -> Evaluator:
    return Evaluator(conn, towns=oracle.town_codes(conn), period=Period.parse(period))


@pytest.mark.parametrize("period", PERIODS)
def test_caseload_matches_independent_count(demo_engine, period):
    with demo_engine.connect() as conn:
        ev = _evaluator(conn, period)
        as_of = ev.as_of(KPI_BY_KEY["caseload_households"], ev.period)
        expected = oracle.caseload(conn, as_of)
        for town in ev.towns:
            assert ev.value(KPI_BY_KEY["caseload_households"], town) == expected.get(town, {}).get("households", 0)
            assert ev.value(KPI_BY_KEY["caseload_persons"], town) == expected.get(town, {}).get("persons", 0)
            assert ev.value(KPI_BY_KEY["floor_households"], town) == expected.get(town, {}).get("floor", 0)
        assert ev.value(KPI_BY_KEY["caseload_households"], CITY_SCOPE) == sum(
            v["households"] for v in expected.values()
        )
        assert ev.value(KPI_BY_KEY["caseload_households"], CITY_SCOPE) > 0


@pytest.mark.parametrize("period", PERIODS)
def test_relief_spending_matches_independent_sum(demo_engine, period):
    kpi = KPI_BY_KEY["relief_spending"]
    with demo_engine.connect() as conn:
        ev = _evaluator(conn, period)
        as_of = ev.as_of(kpi, ev.period)
        expected = oracle.relief_fen(conn, ev.period.start, as_of)
        for town in ev.towns:
            assert ev.value(kpi, town) == pytest.approx(expected.get(town, 0) / 1_000_000)
        assert ev.value(kpi, CITY_SCOPE) == pytest.approx(sum(expected.values()) / 1_000_000)
        assert sum(expected.values()) > 0


@pytest.mark.parametrize("period", PERIODS)
def test_placement_rate_matches_independent_count(demo_engine, period):
    kpi = KPI_BY_KEY["placement_rate"]
    with demo_engine.connect() as conn:
        ev = _evaluator(conn, period)
        expected = oracle.placement_rate(conn, ev.as_of(kpi, ev.period))
        for town in ev.towns:
            employed, targets = expected.get(town, (0, 0))
            value = ev.value(kpi, town)
            if targets == 0:
                assert value is None
            else:
                assert value == pytest.approx(employed / targets * 100)
        total_employed = sum(e for e, _ in expected.values())
        total_targets = sum(t for _, t in expected.values())
        assert ev.value(kpi, CITY_SCOPE) == pytest.approx(total_employed / total_targets * 100)


def test_dividend_sql_agrees_with_the_rule_for_every_cooperative_year(demo_engine):
    kpi = KPI_BY_KEY["dividend_compliance"]
    with demo_engine.connect() as conn:
        towns = oracle.town_codes(conn)
        for year in range(2021, 2026):
            expected = oracle.dividend_compliance(conn, year)
            assert dividends.compliance_by_town(conn, towns=towns, year=year) == expected
        # A period in 2026, before the 2026 reports, falls back to 2025 and says so.
        ev = _evaluator(conn, "2026-10")
        values, _ = ev.values(kpi)
        assert values.basis == "2025年度"
        met = sum(m for m, _ in oracle.dividend_compliance(conn, 2025).values())
        reporting = sum(n for _, n in oracle.dividend_compliance(conn, 2025).values())
        assert ev.value(kpi, CITY_SCOPE) == pytest.approx(met / reporting * 100)
        assert 0 < met < reporting  # the demo has cooperatives on both sides


@pytest.mark.parametrize("kpi", KPIS, ids=lambda k: k.key)
def test_town_figures_add_up_to_the_city(demo_engine, kpi):
    with demo_engine.connect() as conn:
        ev = _evaluator(conn, "2026-Q3")
        total = None
        for town in ev.towns:
            m = ev.measure(kpi, town)
            total = m if total is None else total + m
        city = ev.measure(kpi, CITY_SCOPE)
        assert city.num == pytest.approx(total.num)
        if city.den is not None:
            assert city.den == pytest.approx(total.den)


def test_goals_are_found_and_paced(demo_engine):
    with demo_engine.connect() as conn:
        ev = _evaluator(conn, "2026-Q2")
        figure = ev.figure(KPI_BY_KEY["relief_spending"], CITY_SCOPE)
        assert figure.goal_period == "2026"
        # A quarter of a year goal: 91 days of 365.
        assert figure.target == pytest.approx(figure.goal * 91 / 365)
        coverage = ev.figure(KPI_BY_KEY["pension_coverage"], CITY_SCOPE)
        assert coverage.goal == 100.0 and coverage.target == 100.0


# --- boundaries in a store we fill ourselves --------------------------------------------

TOWN = "320583101000"
OTHER_TOWN = "320583102000"


def _base(session: Session) -> None:
    session.add(Town(code=TOWN, name="巴城镇", short_name="巴城", kind="镇"))
    session.add(Town(code=OTHER_TOWN, name="周市镇", short_name="周市", kind="镇"))
    session.add(Village(code="320583101201", town_code=TOWN, name="测试村", kind="村"))
    session.add(LivingStandard(effective_from=date(2024, 7, 1), amount_fen=115_500))
    session.add(LivingStandard(effective_from=date(2025, 7, 1), amount_fen=120_800))
    session.flush()


def _household(session: Session, n: int, income_fen: int, *, entered: date = date(2025, 1, 5)) -> None:
    session.add(
        Household(
            id=n,
            town_code=TOWN,
            village_code="320583101201",
            head_name=f"测试{n}",
            head_id_number=f"32058319800101{n:04d}",
            cause="illness",
        )
    )
    session.flush()
    session.add(
        CaseEvent(
            household_id=n,
            town_code=TOWN,
            kind="entry",
            reason="因病致贫",
            submitted_at=datetime(2024, 12, 1),
            village_reviewed_at=datetime(2024, 12, 10),
            town_approved_at=datetime.combine(entered, datetime.min.time()),
            city_filed_at=datetime(2025, 1, 20),
            effective_date=entered,
        )
    )
    session.add(
        IncomeAssessment(
            household_id=n, assessed_on=date(2025, 1, 1), household_size=2, per_capita_income_fen=income_fen
        )
    )


def test_lines_and_july_first_in_the_store(empty_engine):
    with Session(empty_engine) as session:
        _base(session)
        # S: 1,155 yuan from 2024-07-01, 1,208 from 2025-07-01; M = 2 x S.
        _household(session, 1, 115_499)  # under S in June and July
        _household(session, 2, 115_500)  # exactly S(2024): monitored in June, floor group from July 1
        _household(session, 3, 231_000)  # exactly M(2024): above the line in June, monitored in July
        _household(session, 4, 241_600)  # exactly M(2025): above the line in both
        session.commit()
    floor, caseload = KPI_BY_KEY["floor_households"], KPI_BY_KEY["caseload_households"]
    with empty_engine.connect() as conn:
        june = Evaluator(conn, towns=(TOWN, OTHER_TOWN), period=Period.parse("2025-06"))
        july = Evaluator(conn, towns=(TOWN, OTHER_TOWN), period=Period.parse("2025-07"))
        assert june.value(floor, TOWN) == 1
        assert june.value(caseload, TOWN) == 2
        assert july.value(floor, TOWN) == 2
        assert july.value(caseload, TOWN) == 3
        # June 30 is still judged by the old standard, whatever was added later.
        last_june_day = Evaluator(conn, towns=(TOWN,), period=Period.parse("2025-06"))
        assert last_june_day.as_of(floor, last_june_day.period) == date(2025, 6, 30)
        assert last_june_day.value(floor, TOWN) == 1
        # A town with no data shows zero households and no rate, and the city still adds up.
        assert july.value(caseload, OTHER_TOWN) == 0
        assert july.value(KPI_BY_KEY["placement_rate"], OTHER_TOWN) is None
        assert july.value(caseload, CITY_SCOPE) == 3
        assert july.figure(caseload, OTHER_TOWN).target is None


def test_a_household_is_off_the_register_after_its_exit(empty_engine):
    with Session(empty_engine) as session:
        _base(session)
        _household(session, 1, 50_000)
        session.add(
            CaseEvent(
                household_id=1,
                town_code=TOWN,
                kind="exit",
                reason="收入超过监测线",
                submitted_at=datetime(2025, 8, 1),
                village_reviewed_at=datetime(2025, 8, 5),
                town_approved_at=datetime(2025, 8, 20),
                effective_date=date(2025, 8, 20),
            )
        )
        session.commit()
    kpi = KPI_BY_KEY["caseload_households"]
    with empty_engine.connect() as conn:
        assert Evaluator(conn, towns=(TOWN,), period=Period.parse("2025-07")).value(kpi, TOWN) == 1
        ev = Evaluator(conn, towns=(TOWN,), period=Period.parse("2025-08"))
        assert ev.value(kpi, TOWN) == 0
        assert ev.value(KPI_BY_KEY["exits"], TOWN) == 1
