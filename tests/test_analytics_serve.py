"""data_access.analytics.serve, on SQLite and PostgreSQL: each breakdown a page needs equals
the raw query it stands for, read from facts (no raw table) when the arguments are the ones
the facts were built with, and from raw rows otherwise."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import text

from data_access.analytics import serve
from data_access.analytics.freshness import stale_months
from data_access.queries import caseload, employment, relief, returns, review_waits, social
from data_access.reference import HOUSING_CAUSES
from metrics.domain import returns as return_rules
from metrics.domain.periods import Period
from metrics.evaluate import Evaluator
from metrics.registry import KPI_BY_KEY, gap_since, warning_params
from tests import oracle
from tests.test_analytics import _Statements

CASES = (("2026-09", "town", None), ("2025-Q3", "town", None), ("2025", "village", "320583101000"))


def _nonzero(value):
    """Drop all-zero entries: the facts keep no row for a unit with nothing to count."""
    if isinstance(value, dict):
        cleaned = {k: _nonzero(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (0, {}, (0, 0))}
    return value


def _pairs(ctx, period):
    conn, towns, by, as_of = ctx.conn, ctx.towns, ctx.level, ctx.as_of
    lines = {"floor_fen": ctx.standard.floor_fen, "line_fen": ctx.standard.monitoring_line_fen}
    span = {"towns": towns, "start": period.start, "end": as_of}
    yield "spending", serve.spending(conn, **span, by=by), relief.spending(conn, **span, by=by)
    yield "by_type", serve.spending_by_type(conn, **span, by=by), relief.spending_by_type(conn, **span, by=by)
    yield "trend", serve.spending_by_month_and_type(conn, **span), relief.spending_by_month_and_type(conn, **span)
    yield "flows", serve.flows(conn, **span, by=by), caseload.flows(conn, **span, by=by)
    spans = [(m.start, min(m.end, as_of)) for m in period.months()]
    yield (
        "flows by month",
        serve.flows_by_month(conn, towns=towns, spans=spans, by=by),
        [caseload.flows(conn, towns=towns, start=a, end=b, by=by) for a, b in spans],
    )
    before = period.start - timedelta(days=1)
    for day in (before, as_of):
        served = serve.register_count(conn, towns=towns, as_of=day, by=by)
        yield f"register {day}", served, caseload.register_count(conn, towns=towns, as_of=day, by=by)
    served_groups, served_causes = serve.stock_and_causes(conn, towns=towns, as_of=as_of, by=by, **lines)
    raw_groups, raw_causes = caseload.stock_and_causes(conn, towns=towns, as_of=as_of, by=by, **lines)
    yield "stock", served_groups, raw_groups
    yield "causes", served_causes, raw_causes
    as_of_dt = datetime.combine(as_of, time(23, 59, 59))
    overdue_before = as_of_dt - timedelta(days=int(ctx.settings["review_overdue_days"]))
    args = {"towns": towns, "as_of": as_of_dt, "overdue_before": overdue_before, "by": by}
    yield "pipeline", serve.pipeline(conn, **args), caseload.pipeline(conn, **args)
    yield "waits finished", serve.waits_finished(conn, **span, by=by), review_waits.finished(conn, **span, by=by)
    at = {"towns": towns, "as_of": as_of, "by": by}
    yield "waits waiting", serve.waits_waiting(conn, **at), review_waits.waiting(conn, **at)
    windows = return_rules.windows(as_of, int(ctx.settings["return_window_months"]))
    yield (
        "return cohorts",
        serve.return_cohorts(conn, **at, windows=windows),
        returns.cohorts(conn, **at, windows=windows),
    )
    args = {"towns": towns, "causes": HOUSING_CAUSES, "start": period.start, "as_of": as_of, "by": by, **lines}
    yield "housing", serve.housing_candidates(conn, **args), relief.housing_candidates(conn, **args)
    for rule in relief.GAP_RULES:
        args = {"towns": towns, "rule": rule, "as_of": as_of, "since": gap_since(ctx, rule), "by": by, **lines}
        yield f"gaps {rule}", serve.gaps(conn, **args), relief.gaps(conn, **args)
    params = warning_params(ctx)
    yield (
        "warnings",
        serve.warnings(conn, towns=towns, params=params, by=by),
        caseload.warnings(conn, towns=towns, params=params, by=by),
    )
    months = int(ctx.settings["retention_months"])
    args = {"towns": towns, "as_of": as_of, "retention_months": months, "by": by, **lines}
    yield "funnel", serve.funnel(conn, **args), employment.funnel(conn, **args)
    born = as_of.replace(year=as_of.year - int(ctx.settings["pension_min_age"]))
    for scheme in ("pension", "medical", "ltc"):
        args = {"towns": towns, "scheme": scheme, "as_of": as_of, "born_before": born, "by": by, **lines}
        yield f"coverage {scheme}", serve.coverage(conn, **args), social.coverage(conn, **args)


@pytest.mark.parametrize(("period", "level", "town"), CASES)
def test_served_breakdowns_equal_the_raw_queries_and_read_facts(demo_engine, period, level, town):
    with demo_engine.connect() as conn:
        towns = (town,) if town else oracle.town_codes(conn)
        ev = Evaluator(conn, towns=towns, period=Period.parse(period), level=level)
        ctx = ev.context(KPI_BY_KEY["caseload_households"])
        assert ctx.as_of == ev.period.end
        checked = 0
        for name, served, raw in _pairs(ctx, ev.period):
            assert _nonzero(served) == _nonzero(raw), name
            checked += bool(_nonzero(raw))
        assert checked >= 10
        with _Statements(demo_engine) as statements:
            for _, fn, kwargs in _served_calls(ctx, ev.period):
                fn(conn, **kwargs)
        # One index probe is allowed: the first event's date (do the facts reach back to it?).
        assert [s for s in statements.raw_reads() if "MIN(effective_date)" not in s] == []


def _served_calls(ctx, period):
    towns, by, as_of = ctx.towns, ctx.level, ctx.as_of
    lines = {"floor_fen": ctx.standard.floor_fen, "line_fen": ctx.standard.monitoring_line_fen}
    span = {"towns": towns, "start": period.start, "end": as_of}
    yield "spending", serve.spending, {**span, "by": by}
    yield "trend", serve.spending_by_month_and_type, span
    yield "flows", serve.flows, {**span, "by": by}
    spans = [(m.start, min(m.end, as_of)) for m in period.months()]
    yield "flows by month", serve.flows_by_month, {"towns": towns, "spans": spans, "by": by}
    yield "register", serve.register_count, {"towns": towns, "as_of": as_of, "by": by}
    yield "stock", serve.stock_and_causes, {"towns": towns, "as_of": as_of, "by": by, **lines}
    as_of_dt = datetime.combine(as_of, time(23, 59, 59))
    overdue_before = as_of_dt - timedelta(days=int(ctx.settings["review_overdue_days"]))
    yield "pipeline", serve.pipeline, {"towns": towns, "as_of": as_of_dt, "overdue_before": overdue_before, "by": by}
    yield "waits finished", serve.waits_finished, {**span, "by": by}
    yield "waits waiting", serve.waits_waiting, {"towns": towns, "as_of": as_of, "by": by}
    windows = return_rules.windows(as_of, int(ctx.settings["return_window_months"]))
    yield "return cohorts", serve.return_cohorts, {"towns": towns, "as_of": as_of, "windows": windows, "by": by}
    housing = {"towns": towns, "causes": HOUSING_CAUSES, "start": period.start, "as_of": as_of, "by": by, **lines}
    yield "housing", serve.housing_candidates, housing
    for rule in relief.GAP_RULES:
        yield rule, serve.gaps, {"towns": towns, "rule": rule, "as_of": as_of, "since": gap_since(ctx, rule), **lines}
    yield "warnings", serve.warnings, {"towns": towns, "params": warning_params(ctx), "by": by}
    months = int(ctx.settings["retention_months"])
    yield "funnel", serve.funnel, {"towns": towns, "as_of": as_of, "retention_months": months, **lines}


def test_flows_by_month_reads_a_running_month_from_raw_rows_and_the_rest_in_one_query(demo_engine):
    with demo_engine.connect() as conn:
        towns = oracle.town_codes(conn)
        spans = [(date(2026, 7, 1), date(2026, 7, 31)), (date(2026, 8, 1), date(2026, 8, 31))]
        spans.append((date(2026, 9, 1), date(2026, 9, 17)))  # a running month: its days so far
        with _Statements(demo_engine) as statements:
            got = serve.flows_by_month(conn, towns=towns, spans=spans, by="village")
        fact_reads = [s for s in statements.seen if "fact_caseload_month" in s]
        assert len(fact_reads) == 1  # July and August together
        assert len(statements.raw_reads()) == 1  # September's 17 days
        expected = [caseload.flows(conn, towns=towns, start=a, end=b, by="village") for a, b in spans]
        assert got == expected
        assert all(got)  # each month had moves: the comparison is not of empty dicts


def test_arguments_the_facts_were_not_built_for_read_raw_rows(demo_engine):
    with demo_engine.connect() as conn:
        towns = oracle.town_codes(conn)
        mid = date(2026, 9, 17)
        with _Statements(demo_engine) as statements:
            got = serve.spending(conn, towns=towns, start=date(2026, 9, 1), end=mid)
        assert statements.raw_reads()
        assert got == relief.spending(conn, towns=towns, start=date(2026, 9, 1), end=mid)
        end = date(2026, 9, 30)
        with _Statements(demo_engine) as statements:
            shorter = serve.gaps(
                conn,
                towns=towns,
                rule="medical",
                as_of=end,
                since=end - timedelta(days=30),
                floor_fen=120_800,
                line_fen=241_600,
            )
        assert statements.raw_reads()
        assert shorter == relief.gaps(
            conn,
            towns=towns,
            rule="medical",
            as_of=end,
            since=end - timedelta(days=30),
            floor_fen=120_800,
            line_fen=241_600,
        )


def test_a_month_built_before_the_caseload_detail_facts_existed_reads_raw_rows_and_is_stale(demo_engine):
    """Migration 0016 added columns and tables that are empty for months built before it: such a
    month (its params without fact_layout 16) must not be served from them, and counts as stale."""
    end = date(2026, 9, 30)
    lines = {"floor_fen": 120_800, "line_fen": 241_600}
    as_of_dt = datetime.combine(end, time(23, 59, 59))
    pipe = {"as_of": as_of_dt, "overdue_before": as_of_dt - timedelta(days=30), "by": "village"}
    with demo_engine.connect() as conn:
        trans = conn.begin()
        towns = oracle.town_codes(conn)
        params = json.loads(conn.execute(text("SELECT params FROM analytics_month WHERE month = 202609")).scalar())
        assert params.pop("fact_layout") >= 16
        conn.execute(
            text("UPDATE analytics_month SET params = :p WHERE month = 202609"),
            {"p": json.dumps(params, sort_keys=True)},
        )
        conn.execute(text("UPDATE fact_caseload_month SET above_households = 0, village_waiting = 0"))
        for table in ("fact_cause_month", "fact_review_wait_month", "fact_return_month", "fact_housing_span"):
            conn.execute(text(f"DELETE FROM {table}"))
        assert 202609 in stale_months(conn)
        at = {"towns": towns, "as_of": end, "by": "village"}
        windows = return_rules.windows(end, int(params["return_window_months"]))
        with _Statements(demo_engine) as statements:
            groups, causes = serve.stock_and_causes(conn, **at, **lines)
            waiting = serve.pipeline(conn, towns=towns, **pipe)
            histograms = serve.waits_waiting(conn, **at)
            done = serve.waits_finished(conn, towns=towns, start=date(2026, 7, 1), end=end, by="village")
            cohorts = serve.return_cohorts(conn, **at, windows=windows)
            housing = serve.housing_candidates(conn, causes=HOUSING_CAUSES, start=date(2026, 7, 1), **at, **lines)
        assert len(statements.raw_reads()) == 6
        raw = relief.housing_candidates(conn, causes=HOUSING_CAUSES, start=date(2026, 7, 1), **at, **lines)
        assert housing == raw and any(paid for _, paid in raw.values())
        assert histograms == review_waits.waiting(conn, **at) and histograms
        assert done == review_waits.finished(conn, towns=towns, start=date(2026, 7, 1), end=end, by="village") and done
        assert cohorts == returns.cohorts(conn, **at, windows=windows) and cohorts
        raw_groups, raw_causes = caseload.stock_and_causes(conn, towns=towns, as_of=end, by="village", **lines)
        assert (groups, causes) == (raw_groups, raw_causes)
        assert any("above_households" in r for r in groups.values()) and causes
        assert waiting == caseload.pipeline(conn, towns=towns, **pipe)
        assert any(r.get("village_waiting") for r in waiting.values())
        trans.rollback()


def test_a_pipeline_asked_for_other_overdue_days_or_mid_day_reads_raw_rows(demo_engine):
    end = date(2026, 9, 30)
    with demo_engine.connect() as conn:
        towns = oracle.town_codes(conn)
        days = int(
            json.loads(conn.execute(text("SELECT params FROM analytics_month WHERE month = 202609")).scalar())[
                "review_overdue_days"
            ]
        )
        for as_of, overdue in (
            (datetime.combine(end, time(23, 59, 59)), days + 5),
            (datetime.combine(end, time(12, 0)), days),
        ):
            args = {"towns": towns, "as_of": as_of, "overdue_before": as_of - timedelta(days=overdue)}
            with _Statements(demo_engine) as statements:
                got = serve.pipeline(conn, **args)
            assert statements.raw_reads()
            assert got == caseload.pipeline(conn, **args)
            assert any(r.get("town_overdue") for r in got.values())
