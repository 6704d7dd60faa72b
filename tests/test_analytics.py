"""The fact layer (issue 9), on SQLite and PostgreSQL: every KPI read from facts equals the
raw-row computation for months, quarters, years, a July-1 standard boundary and like-for-like
spans, for the city's towns and a sample of villages; the fact path reads no raw table;
a span facts cannot serve falls back to raw rows; new placements count distinct persons."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import date

import pytest
from sqlalchemy import event, text

from data_access.analytics.check import differences
from metrics.domain.periods import Period
from metrics.evaluate import Evaluator
from metrics.registry import KPI_BY_KEY, KPIS, Kpi, KpiValues, Measure
from tests import oracle

PERIODS = ("2026-10", "2026-Q3", "2025", "2025-07", "2025-06", "2024-Q4", "2023")
# Like-for-like spans the overview asks for: a month, a quarter so far, a year so far, last year.
SPANS = (
    (date(2025, 10, 1), date(2025, 10, 31)),
    (date(2025, 10, 1), date(2025, 11, 30)),
    (date(2025, 1, 1), date(2025, 10, 31)),
    (date(2025, 4, 1), date(2025, 5, 31)),
)
SAMPLE_TOWNS = ("320583101000", "320583400000")  # 巴城镇 and one 城市管理办事处: all their villages
RAW_TABLES = (
    "household",
    "member",
    "income_assessment",
    "case_event",
    "relief_payment",
    "placement",
    "training",
    "insurance_enrolment",
    "cooperative",
    "fumin_dividend",
)


def _zero(kpi: Kpi) -> Measure:
    return Measure(0.0, 0.0) if kpi.is_rate or kpi.ratio else Measure(0.0)


def _same(kpi: Kpi, facts: KpiValues, raw: KpiValues) -> list[str]:
    """Differences unit by unit (a unit missing on one side counts as zero, as the evaluator does)."""
    out = []
    if (facts.basis, facts.year) != (raw.basis, raw.year):
        out.append(f"basis {facts.basis}/{raw.basis}")
    for unit in sorted(set(facts.by_town) | set(raw.by_town)):
        a, b = facts.by_town.get(unit, _zero(kpi)), raw.by_town.get(unit, _zero(kpi))
        if a.num != b.num or (a.den or 0) != (b.den or 0):
            out.append(f"{unit}: facts {a} raw {b}")
    return out


class _Statements:
    """The SQL an engine runs while active (to prove the fact path reads no raw table)."""

    def __init__(self, engine) -> None:
        self.engine, self.seen = engine, []

    def _record(self, conn, cursor, statement, *args) -> None:
        self.seen.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)

    def raw_reads(self) -> list[str]:
        import re

        pattern = re.compile(r"\b(FROM|JOIN)\s+(" + "|".join(RAW_TABLES) + r")\b", re.IGNORECASE)
        return [s for s in self.seen if pattern.search(s)]


def _contexts(conn, towns, level: str):
    """(label, kpi, context) for every KPI, period and span at one level."""
    for period in PERIODS:
        ev = Evaluator(conn, towns=towns, period=Period.parse(period), level=level)
        for kpi in KPIS:
            ctx = ev.context(kpi)
            if ctx is not None:
                yield period, kpi, ctx
    for start, end in SPANS:
        # The month ending the span gives as_of and the standard in force then; the span starts earlier.
        ev = Evaluator(conn, towns=towns, period=Period.month(end.year, end.month), level=level)
        for kpi in KPIS:
            ctx = ev.context(kpi)
            if ctx is not None and not kpi.reported_yearly:
                assert ctx.as_of == end
                yield f"{start}..{end}", kpi, dataclasses.replace(ctx, start=start, memo={})


def _check_level(engine, conn, towns, level: str, *, served: bool = True) -> int:
    """Facts equal raw rows for every KPI, period and span; with `served`, no raw table is read
    (the demo's feeds end on month ends, so every span here is one the facts serve)."""
    compared = 0
    for label, kpi, ctx in _contexts(conn, towns, level):
        with _Statements(engine) as statements:
            facts = kpi.compute(dataclasses.replace(ctx, memo={}))
        raw = kpi.compute(dataclasses.replace(ctx, memo={}, use_facts=False))
        assert _same(kpi, facts, raw) == [], (label, kpi.key, level)
        # Month-aligned spans end on a month end here: facts serve them without raw rows.
        assert not served or statements.raw_reads() == [], (label, kpi.key, statements.raw_reads()[:1])
        compared += 1
    return compared


def test_every_kpi_from_facts_equals_raw_rows_for_the_towns(demo_engine):
    with demo_engine.connect() as conn:
        compared = _check_level(demo_engine, conn, oracle.town_codes(conn), "town")
    assert compared >= len(KPIS) * len(PERIODS)


@pytest.mark.parametrize("town", SAMPLE_TOWNS)
def test_every_kpi_from_facts_equals_raw_rows_for_the_villages(demo_engine, town):
    with demo_engine.connect() as conn:
        compared = _check_level(demo_engine, conn, (town,), "village")
    assert compared > 0


def test_towns_see_only_their_own_facts(demo_engine):
    """A town operator's evaluator (one visible town) gets that town's figures and no other."""
    kpi = KPI_BY_KEY["relief_spending"]
    with demo_engine.connect() as conn:
        all_towns = oracle.town_codes(conn)
        mine = Evaluator(conn, towns=(SAMPLE_TOWNS[0],), period=Period.parse("2026-Q3"))
        city = Evaluator(conn, towns=all_towns, period=Period.parse("2026-Q3"))
        values, _ = mine.values(kpi)
        assert set(values.by_town) == {SAMPLE_TOWNS[0]}
        assert mine.value(kpi, SAMPLE_TOWNS[0]) == city.value(kpi, SAMPLE_TOWNS[0]) > 0


def test_a_span_the_facts_cannot_serve_reads_raw_rows(demo_engine):
    """A feed dated mid-month: the span ends on the data date, so raw rows answer it, correctly."""
    kpi = KPI_BY_KEY["caseload_households"]
    with demo_engine.connect() as conn:
        ev = Evaluator(conn, towns=oracle.town_codes(conn), period=Period.parse("2026-10"))
        ctx = dataclasses.replace(ev.context(kpi), as_of=date(2026, 10, 17), memo={})
        with _Statements(demo_engine) as statements:
            values = kpi.compute(ctx)
        assert statements.raw_reads()  # not served by the month-end facts
        expected = oracle.caseload(conn, date(2026, 10, 17))
        for town in ev.towns:
            assert values.by_town.get(town, Measure(0.0)).num == expected.get(town, {}).get("households", 0)


def test_changed_settings_fall_back_to_raw_rows_until_rebuilt(demo_engine):
    kpi = KPI_BY_KEY["overdue_reviews"]
    with demo_engine.connect() as conn:
        ev = Evaluator(conn, towns=oracle.town_codes(conn), period=Period.parse("2026-09"))
        ctx = ev.context(kpi)
        values = dict(ctx.settings.values) | {"review_overdue_days": 7.0}
        stricter = dataclasses.replace(ctx, settings=type(ctx.settings)(values), memo={})
        with _Statements(demo_engine) as statements:
            facts = kpi.compute(stricter)
        assert statements.raw_reads()
        assert _same(kpi, facts, kpi.compute(dataclasses.replace(stricter, use_facts=False))) == []
        assert sum(m.num for m in facts.by_town.values()) >= sum(m.num for m in kpi.compute(ctx).by_town.values())


def _placements(conn) -> list[tuple[int, str, date]]:
    rows = conn.execute(text("SELECT member_id, town_code, started_on FROM placement"))
    return [(int(m), t, oracle._d(d)) for m, t, d in rows]


@pytest.mark.parametrize("period", ["2024", "2025-Q2", "2026-10"])
def test_new_placements_count_distinct_persons(demo_engine, period):
    kpi = KPI_BY_KEY["new_placements"]
    with demo_engine.connect() as conn:
        ev = Evaluator(conn, towns=oracle.town_codes(conn), period=Period.parse(period))
        as_of = ev.as_of(kpi, ev.period)
        persons: dict[str, set[int]] = defaultdict(set)
        records: dict[str, int] = defaultdict(int)
        for member, town, started in _placements(conn):
            if ev.period.start <= started <= as_of:
                persons[town].add(member)
                records[town] += 1
        for town in ev.towns:
            assert ev.value(kpi, town) == len(persons.get(town, ()))
        assert sum(len(p) for p in persons.values()) > 0
        assert sum(len(p) for p in persons.values()) <= sum(records.values())


def test_stored_facts_equal_a_fresh_computation(demo_engine):
    with demo_engine.connect() as conn:
        assert differences(conn) == []


def test_a_trend_prefetched_in_one_query_per_table_equals_month_by_month(demo_engine):
    from metrics.domain.periods import Grain, recent_periods
    from metrics.registry import prefetch_months

    keys = ("caseload_households", "relief_spending", "new_entries", "pension_coverage", "relief_gaps")
    with demo_engine.connect() as conn:
        towns = oracle.town_codes(conn)
        months = list(reversed(recent_periods(date(2026, 10, 31), Grain.MONTH, 24)))

        def trend(prefetch: bool):
            base = Evaluator(conn, towns=towns, period=months[-1])
            if prefetch:
                prefetch_months(base.context(KPI_BY_KEY["caseload_households"]), months[0].start, months[-1].end)
            return {
                (key, m.key, town): base.for_period(m).value(KPI_BY_KEY[key], town)
                for key in keys
                for m in months
                for town in towns
            }

        expected = trend(False)
        with _Statements(demo_engine) as statements:
            got = trend(True)
        assert got == expected
        fact_reads = [s for s in statements.seen if "fact_" in s]
        assert len(fact_reads) <= 6  # one per fact table, not one per month
        assert statements.raw_reads() == []


def test_each_fact_row_names_its_department_feed(demo_engine):
    from data_access.analytics import read

    with demo_engine.connect() as conn:
        towns = oracle.town_codes(conn)
        found = read.feed_months(conn, towns=towns, first=202601, last=202610)
        # Relief payments are the civil-affairs feed; their months are exactly the months with payments.
        paid = {
            (t, int(str(d)[:4] + str(d)[5:7]))
            for t, d in conn.execute(text("SELECT town_code, paid_on FROM relief_payment"))
            if "2026-01" <= str(d)[:7] <= "2026-10"
        }
        relief_months = {(t, m) for t, ms in found["relief_civil"].items() for m in ms}
        assert paid <= relief_months
        assert set(found) == {"caseload", "relief_civil", "employment", "medical"}
        assert all(sorted(ms) == ms for units in found.values() for ms in units.values())
