"""City -> town -> village on both backends: villages add up to their town, the flow identity
holds, and the pipeline, gaps and coverage equal independent computations."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import text

from data_access.queries import caseload, relief, social
from metrics.domain.periods import Period
from metrics.domain.rules import classify, standard_in_force
from metrics.domains.caseload import flow_rows, monthly_flow_rows
from metrics.evaluate import Evaluator
from metrics.registry import KPI_BY_KEY, KPIS
from metrics.views import units_for
from tests import oracle

TOWN = "320583101000"  # 巴城镇


# Budgets are set per town, so budget execution has no village figure to add up.
VILLAGE_KPIS = [k for k in KPIS if k.key != "relief_budget_execution"]


@pytest.mark.parametrize("kpi", VILLAGE_KPIS, ids=lambda k: k.key)
def test_villages_add_up_to_their_town(demo_engine, kpi):
    with demo_engine.connect() as conn:
        towns = oracle.town_codes(conn)
        period = Period.parse("2026-Q3")
        city = Evaluator(conn, towns=towns, period=period)
        village = Evaluator(conn, towns=(TOWN,), period=period, level="village")
        total = village.measure(kpi, TOWN)
        direct = city.measure(kpi, TOWN)
        assert total.num == pytest.approx(direct.num)
        if direct.den is not None:
            assert total.den == pytest.approx(direct.den)


@pytest.mark.parametrize("period", ["2026-Q3", "2025", "2026-10"])
def test_flow_identity_per_town_and_month(demo_engine, period):
    with demo_engine.connect() as conn:
        towns = oracle.town_codes(conn)
        evaluator = Evaluator(conn, towns=towns, period=Period.parse(period))
        ctx = evaluator.context(KPI_BY_KEY["caseload_households"])
        rows = flow_rows(ctx, evaluator.period, units_for(conn, towns=towns, scope="city"))
        before = oracle.register_count(conn, evaluator.period.start - timedelta(days=1))
        after = oracle.register_count(conn, ctx.as_of)
        moves = oracle.events(conn, evaluator.period.start, ctx.as_of)
        for code, row in rows:
            assert row.balanced, row
            assert (row.opening, row.closing) == (before.get(code, 0), after.get(code, 0))
            assert (row.entries, row.exits) == (moves[code]["entry"], moves[code]["exit"])
        months = monthly_flow_rows(ctx, evaluator.period)
        assert all(m.balanced for m in months)
        assert months[0].opening == sum(before.values())
        assert months[-1].closing == sum(after.values())
        for row, month in zip(months, evaluator.period.months(), strict=False):  # each month end, counted anew
            assert row.closing == sum(oracle.register_count(conn, min(month.end, ctx.as_of)).values()), row
        assert sum(m.entries for m in months) == sum(v["entry"] for v in moves.values())


def test_pipeline_matches_independent_count(demo_engine):
    with demo_engine.connect() as conn:
        towns = oracle.town_codes(conn)
        as_of = datetime.combine(Period.parse("2026-10").end, time(23, 59, 59))
        got = caseload.pipeline(conn, towns=towns, as_of=as_of, overdue_before=as_of - timedelta(days=30))
        expected = oracle.waiting(conn, as_of)
        for town in towns:
            for stage in ("village", "town", "city"):
                assert got.get(town, {}).get(f"{stage}_waiting", 0) == expected.get(town, {}).get(stage, 0)
        assert sum(sum(v.values()) for v in expected.values()) > 0


def test_living_relief_gaps_match_the_rule_household_by_household(demo_engine):
    with demo_engine.connect() as conn:
        towns = oracle.town_codes(conn)
        evaluator = Evaluator(conn, towns=towns, period=Period.parse("2026-10"))
        ctx = evaluator.feed_context("relief_civil")
        since = ctx.as_of - timedelta(days=30)
        got = relief.gaps(
            conn,
            towns=towns,
            rule="living",
            as_of=ctx.as_of,
            since=since,
            floor_fen=ctx.standard.floor_fen,
            line_fen=ctx.standard.monitoring_line_fen,
        )
        expected = oracle.living_gaps(conn, ctx.as_of, since)
        assert got == expected
        assert sum(u for _, u in expected.values()) > 0  # the demo leaves some households unpaid


def test_pension_coverage_matches_independent_count(demo_engine):
    kpi = KPI_BY_KEY["pension_coverage"]
    with demo_engine.connect() as conn:
        towns = oracle.town_codes(conn)
        evaluator = Evaluator(conn, towns=towns, period=Period.parse("2026-Q2"))
        expected = oracle.pension_coverage(conn, evaluator.as_of(kpi, evaluator.period))
        for town in towns:
            covered, eligible = expected.get(town, (0, 0))
            value = evaluator.value(kpi, town)
            assert value == (pytest.approx(covered / eligible * 100) if eligible else None)


@pytest.mark.parametrize("rule", ["medical", "temporary"])
def test_medical_and_temporary_gaps_follow_the_plan_reading(demo_engine, rule):
    """三.3: 低保 households as such, S <= I < M with a serious illness; 三.2: any registered
    household with medical spending, against the line of its assessment month."""
    with demo_engine.connect() as conn:
        towns = oracle.town_codes(conn)
        evaluator = Evaluator(conn, towns=towns, period=Period.parse("2025-09"))
        ctx = evaluator.feed_context("medical")
        since = ctx.as_of - timedelta(days=364)
        got = relief.gaps(
            conn,
            towns=towns,
            rule=rule,
            as_of=ctx.as_of,
            since=since,
            floor_fen=ctx.standard.floor_fen,
            line_fen=ctx.standard.monitoring_line_fen,
        )
        assert got == oracle.rule_gaps(conn, rule, ctx.as_of, since)
        assert sum(n for n, _ in got.values()) > 0


@pytest.mark.parametrize("as_of", [date(2026, 9, 30), date(2025, 6, 30)])
def test_register_groups_and_causes_match_an_independent_count(demo_engine, as_of):
    """One pass gives the groups (with 应退未退 and 未评估) and the causes of the households below
    the line; each equals a count made household by household."""
    with demo_engine.connect() as conn:
        towns = oracle.town_codes(conn)
        standard = standard_in_force(oracle.standards(conn), as_of)
        groups, causes = caseload.stock_and_causes(
            conn, towns=towns, as_of=as_of, floor_fen=standard.floor_fen, line_fen=standard.monitoring_line_fen
        )
        cause_of = dict(conn.execute(text("SELECT id, cause FROM household")).all())
        active = oracle.active_households(conn, as_of)
    expected_groups: dict[str, dict[str, int]] = {}
    expected_causes: dict[str, dict[str, int]] = {}
    for hid, (town, income, persons) in active.items():
        group = "unknown" if income is None else classify(income, standard).value
        row = expected_groups.setdefault(town, {})
        row[f"{group}_households"] = row.get(f"{group}_households", 0) + 1
        row[f"{group}_persons"] = row.get(f"{group}_persons", 0) + persons
        if group in ("floor", "monitored"):
            unit = expected_causes.setdefault(town, {})
            unit[cause_of[hid]] = unit.get(cause_of[hid], 0) + 1
    assert groups == expected_groups
    assert causes == expected_causes
    assert sum(sum(v.values()) for v in causes.values()) > 100


@pytest.mark.parametrize("by", ["town", "village"])
def test_one_pass_coverage_equals_each_scheme_counted_alone(demo_engine, by):
    """The fact builder's one-pass coverage equals coverage() scheme by scheme and
    premium_subsidy(), the queries the raw path runs (units with nothing to count aside)."""
    as_of, born = date(2026, 6, 30), date(2010, 6, 30)
    with demo_engine.connect() as conn:
        towns = oracle.town_codes(conn)
        standard = standard_in_force(oracle.standards(conn), as_of)
        lines = {"floor_fen": standard.floor_fen, "line_fen": standard.monitoring_line_fen}
        one = social.coverage_all(conn, towns=towns, as_of=as_of, born_before=born, by=by, **lines)
        alone: dict[str, dict[str, int]] = {}
        for scheme in ("pension", "medical", "ltc", "anti_poverty"):
            args = {"scheme": scheme, "as_of": as_of, "born_before": as_of if scheme == "anti_poverty" else born}
            found = social.coverage(conn, towns=towns, by=by, **args, **lines)
            for unit, (covered, eligible) in found.items():
                alone.setdefault(unit, {}).update({f"{scheme}_covered": covered, f"{scheme}_eligible": eligible})
        for unit, row in social.premium_subsidy(conn, towns=towns, as_of=as_of, by=by, **lines).items():
            for key in ("pension_enrolled", "pension_subsidised", "medical_enrolled", "medical_subsidised"):
                alone.setdefault(unit, {})[key] = row[key]

    def nonzero(found: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
        return {u: {k: v for k, v in r.items() if v} for u, r in found.items()}

    assert nonzero(one) == nonzero(alone)
    assert sum(r.get("ltc_eligible", 0) for r in one.values()) > 0
