"""Facts follow every change in the same transaction, on SQLite and PostgreSQL: after imports
(new rows in a new month, a correction of an old month), undos and a standard change, the
incrementally refreshed facts equal a full rebuild; random batches keep them equal; a failed
import leaves the facts as they were."""

from __future__ import annotations

import dataclasses
import random
from datetime import date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from data_access import analytics, standards
from data_access.analytics.check import stored
from data_access.analytics.refresh import built_months
from data_access.ingest import ImportFailed, commit, undo
from tests.conftest import BACKENDS
from tests.intake_support import csv_bytes, heads, seeded_store, table_counts

NOW = datetime(2026, 11, 28, 10, 0)
PAYMENT_HEADER = ["户主身份证号", "救助类型", "发放日期", "金额（元）", "覆盖人数"]
INCOME_HEADER = ["户主身份证号", "评估日期", "家庭人口数", "月人均收入（元）", "年内医疗支出（元）"]


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, tmp_path_factory):
    engine = seeded_store(request.param, "facts_store", tmp_path_factory.mktemp("facts_store"))
    yield engine
    engine.dispose()


def _snapshot(engine):
    with engine.connect() as conn:
        return stored(conn), built_months(conn)


def assert_equals_full_rebuild(engine) -> None:
    """The stored facts equal what a full rebuild writes (the rebuild is rolled back)."""
    incremental = _snapshot(engine)
    with engine.connect() as conn:
        trans = conn.begin()
        state_from = conn.execute(text("SELECT from_month FROM analytics_state")).scalar()
        analytics.rebuild(conn, from_month=state_from)
        rebuilt = (stored(conn), built_months(conn))
        trans.rollback()
    for (name, rows), (_, want) in zip(incremental[0].items(), rebuilt[0].items(), strict=True):
        missing = {k: want[k] for k in set(want) - set(rows)}
        extra = {k: rows[k] for k in set(rows) - set(want)}
        wrong = {k: (rows[k], want[k]) for k in set(rows) & set(want) if rows[k] != want[k]}
        assert (missing, extra, wrong) == ({}, {}, {}), name
    assert incremental[1] == rebuilt[1]
    assert sum(len(rows) for rows in incremental[0].values()) > 0


def _payments(ids: list[str], days: list[str], amount: str = "321.00") -> bytes:
    rows = [[i, "临时救助", day, amount, "1"] for i, day in zip(ids, days, strict=True)]
    return csv_bytes([PAYMENT_HEADER, *rows])


def test_import_in_a_new_month_and_its_undo(store):
    ids = heads(store, 6)
    months_before = _snapshot(store)[1]
    result = commit(store, _payments(ids, ["2026-11-03"] * 6), "十一月.csv", "relief_payments", user="u", now=NOW)
    assert 202611 in _snapshot(store)[1] and 202611 not in months_before  # the new month is built
    assert_equals_full_rebuild(store)
    undo(store, result.batch_id, user="u", now=NOW)
    assert_equals_full_rebuild(store)


def test_correcting_an_old_month_refreshes_every_later_month(store):
    with store.connect() as conn:
        head, on, size = conn.execute(
            text(
                # The oldest latest-assessment of a household on the register in the monitored group.
                "SELECT h.head_id_number, a.assessed_on, a.household_size FROM income_assessment a "
                "JOIN household h ON h.id = a.household_id "
                "WHERE a.per_capita_income_fen BETWEEN 120800 AND 241599 "
                "AND a.assessed_on = (SELECT MAX(x.assessed_on) FROM income_assessment x "
                "WHERE x.household_id = a.household_id) "
                "AND (SELECT e.kind FROM case_event e WHERE e.household_id = h.id AND e.effective_date IS NOT NULL "
                "ORDER BY e.effective_date DESC, e.id DESC LIMIT 1) = 'entry' "
                "ORDER BY a.assessed_on, a.id LIMIT 1"
            )
        ).one()
    before = _snapshot(store)[0]
    # Income of 1 yuan: the household drops to the floor group from that month on.
    data = csv_bytes([INCOME_HEADER, [head, str(on)[:10], size, "1.00", "0.00"]])
    result = commit(store, data, "更正.csv", "income_assessments", user="u", now=NOW)
    assert (len(result.plan.adds), len(result.plan.updates)) == (0, 1)
    assert _snapshot(store)[0]["fact_caseload_month"] != before["fact_caseload_month"]
    assert_equals_full_rebuild(store)
    undo(store, result.batch_id, user="u", now=NOW)
    assert _snapshot(store)[0] == before
    assert_equals_full_rebuild(store)


def test_a_new_standard_refreshes_the_months_it_governs(store):
    standards.add_standard(
        store,
        effective_from=date(2026, 7, 1),
        amount_fen=150_000,
        multiplier=2.0,
        source="测试",
        user="u",
        now=NOW,
    )
    months = _snapshot(store)[1]
    assert months[202606][0] != 150_000 and months[202607][:2] == (150_000, 300_000)
    assert_equals_full_rebuild(store)


def test_random_batches_keep_facts_equal_to_a_rebuild(store):
    rng = random.Random(9)
    ids = heads(store, 200)
    committed = []
    for step in range(4):
        chosen = rng.sample(ids, 15)
        days = [f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}" for _ in chosen]
        amount = f"{rng.randint(100, 900)}.00"
        committed.append(
            commit(store, _payments(chosen, days, amount), f"b{step}.csv", "relief_payments", user="u", now=NOW)
        )
        if rng.random() < 0.5:
            undo(store, committed.pop(rng.randrange(len(committed))).batch_id, user="u", now=NOW)
        assert_equals_full_rebuild(store)


def test_a_failed_import_leaves_the_facts_untouched(store, monkeypatch):
    real = analytics.refresh_rows

    def refresh_then_fail(conn, table, rows):
        real(conn, table, rows)  # the facts are rewritten ... then the store fails
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(analytics, "refresh_rows", refresh_then_fail)  # as the commit calls it
    before, counts = _snapshot(store), table_counts(store)
    with pytest.raises(ImportFailed):
        commit(store, _payments(heads(store, 3), ["2026-10-05"] * 3), "失败.csv", "relief_payments", user="u", now=NOW)
    assert _snapshot(store) == before
    assert table_counts(store) == counts


def test_fact_writes_take_the_import_lock():
    """A standard change or rebuild on PostgreSQL waits for a running import (same advisory key)."""
    import importlib

    facts = importlib.import_module("data_access.analytics.refresh")
    assert facts.WRITE_LOCK == importlib.import_module("data_access.ingest.commit").ADVISORY_LOCK


def test_what_a_change_touches(store):
    from data_access.analytics import touched

    with store.connect() as conn:
        town, household = conn.execute(text("SELECT town_code, id FROM household ORDER BY id LIMIT 1")).one()
        paid = touched(conn, "relief_payment", [{"town_code": town, "paid_on": date(2026, 3, 5), "amount_fen": 1}])
        assert (paid.towns, paid.since, paid.yearly) == (frozenset({town}), date(2026, 3, 5), False)
        member = touched(conn, "member", [{"household_id": household, "birth_date": date(1960, 1, 1)}])
        assert (member.towns, member.since) == (frozenset({town}), None)  # undated: every month
        assert touched(conn, "goal", [{"kpi_key": "x", "scope_code": "city"}]).empty
        unknown = touched(conn, "some_new_table", [{"value": 1}])
        assert unknown.towns is None and not unknown.empty  # every town, to be safe


def test_a_settings_change_rebuilds_the_stocks_and_facts_serve_the_new_settings(store):
    from data_access.queries import reference
    from metrics.domain.periods import Period
    from metrics.evaluate import Evaluator
    from metrics.registry import KPI_BY_KEY
    from tests.test_analytics import _Statements

    with store.begin() as conn:
        conn.execute(text("DELETE FROM setting WHERE key = 'review_overdue_days'"))
        conn.execute(
            text("INSERT INTO setting (key, value, updated_at) VALUES ('review_overdue_days', '7', :now)"),
            {"now": NOW},
        )
        analytics.refresh_settings(conn)
    assert_equals_full_rebuild(store)
    kpi = KPI_BY_KEY["overdue_reviews"]
    with store.connect() as conn:
        assert reference.settings(conn)["review_overdue_days"] == "7"
        ev = Evaluator(
            conn, towns=tuple(conn.execute(text("SELECT code FROM town")).scalars()), period=Period.parse("2026-09")
        )
        with _Statements(store) as statements:
            served = ev.values(kpi)[0]
        assert statements.raw_reads() == []  # built with the new settings: served from facts
        ctx = ev.context(kpi)
        raw = kpi.compute(dataclasses.replace(ctx, memo={}, use_facts=False))
        assert {t: m.num for t, m in served.by_town.items() if m.num} == {
            t: m.num for t, m in raw.by_town.items() if m.num
        }


def test_a_household_moving_town_keeps_town_and_village_figures_equal_to_raw_rows(store):
    """Its old payments stay filed under the old town; the facts follow the raw queries exactly."""
    from tests.test_analytics import _check_level

    with store.begin() as conn:
        household, town, village = conn.execute(
            text(
                "SELECT h.id, h.town_code, h.village_code FROM household h JOIN relief_payment r "
                "ON r.household_id = h.id GROUP BY h.id, h.town_code, h.village_code ORDER BY COUNT(*) DESC LIMIT 1"
            )
        ).one()
        new_town, new_village = conn.execute(
            text("SELECT town_code, code FROM village WHERE town_code <> :t ORDER BY code LIMIT 1"), {"t": town}
        ).one()
        conn.execute(
            text("UPDATE household SET town_code = :t, village_code = :v WHERE id = :h"),
            {"t": new_town, "v": new_village, "h": household},
        )
        analytics.refresh_rows(
            conn,
            "household",
            [{"town_code": town, "village_code": village}, {"town_code": new_town, "village_code": new_village}],
        )
    assert_equals_full_rebuild(store)
    with store.connect() as conn:
        towns = tuple(conn.execute(text("SELECT code FROM town ORDER BY code")).scalars())
        # Earlier tests left the relief feed dated mid-month: those spans read raw rows.
        assert _check_level(store, conn, towns, "town", served=False) > 0
        for one in (town, new_town):
            assert _check_level(store, conn, (one,), "village", served=False) > 0
