"""Meeting-proof figures: running periods compared like for like, lagging feeds flagged and
never judged 落后, village cards that are the village's, and the caseload reconciliation.

Store tests run on SQLite and PostgreSQL; expected values come from tests/oracle.py, which
recomputes from raw rows without the code under test.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text

from briefing import narrative
from metrics.domain.attainment import Status
from metrics.domain.periods import Grain, Period, latest_complete, recent_periods
from metrics.domains.caseload import caseload_detail
from metrics.evaluate import Evaluator
from metrics.registry import KPI_BY_KEY, KPIS
from metrics.views import domain_view, units_for
from tests import oracle

TOWN = "320583101000"  # 巴城镇


# -- periods --------------------------------------------------------------------------------
def test_running_quarter_is_labelled_and_compared_like_for_like():
    q4 = Period.parse("2026-Q4").through(date(2026, 10, 31))
    assert q4.is_running and q4.end == date(2026, 10, 31)
    assert q4.label == "2026年第4季度（季度至今，截至10月31日）"
    assert (q4.previous().start, q4.previous().end) == (date(2026, 7, 1), date(2026, 7, 31))
    last = q4.same_period_last_year()
    assert (last.start, last.end) == (date(2025, 10, 1), date(2025, 10, 31))
    assert q4.key == "2026-Q4"  # links keep the calendar period


def test_running_year_and_mid_month_compare_the_same_days():
    year = Period.parse("2026").through(date(2026, 10, 31))
    assert (year.same_period_last_year().start, year.same_period_last_year().end) == (
        date(2025, 1, 1),
        date(2025, 10, 31),
    )
    month = Period.parse("2026-11").through(date(2026, 11, 15))
    assert month.label.endswith("（月初至今，截至11月15日）")
    assert month.previous().end == date(2026, 10, 15)
    # Whole months elapsed compare whole months, though months differ in length.
    feb = Period.parse("2025-Q1").through(date(2025, 2, 28))
    assert feb.same_period_last_year().end == date(2024, 2, 29)


def test_finished_periods_are_unchanged_and_pickers_start_from_complete_ones():
    q3 = Period.parse("2026-Q3").through(date(2026, 10, 31))
    assert not q3.is_running and q3.label == "2026年第3季度" and q3.previous() == Period.parse("2026-Q2")
    assert latest_complete(date(2026, 10, 31), Grain.QUARTER) == Period.parse("2026-Q3")
    assert latest_complete(date(2026, 10, 31), Grain.MONTH) == Period.parse("2026-10")
    assert latest_complete(date(2026, 10, 31), Grain.YEAR) == Period.parse("2025")
    newest = recent_periods(date(2026, 10, 31), Grain.YEAR, 3)[0]
    assert newest.is_running and newest.end == date(2026, 10, 31)
    # No month past the data date, so no trend point past it.
    assert [m.key for m in newest.months()][-1] == "2026-10"


# -- completeness ---------------------------------------------------------------------------
def _data_date(conn) -> date:
    return oracle._d(conn.execute(text("SELECT MAX(data_date) FROM feed_status")).scalar())


def _lagging(conn, feed: str, day: date) -> None:
    """Make one department's feed stop at `day` (inside the caller's transaction)."""
    conn.execute(text("UPDATE feed_status SET data_date = :d WHERE feed = :f"), {"d": day, "f": feed})


def test_a_lagging_feed_flags_the_figure_and_never_calls_it_behind(demo_engine):
    with demo_engine.connect() as conn:
        trans = conn.begin()
        try:
            end = _data_date(conn)
            month = Period.containing(end, Grain.MONTH)
            lag_to = month.start - timedelta(days=1)
            _lagging(conn, "medical", lag_to)
            _lagging(conn, "education", lag_to)
            towns = oracle.town_codes(conn)
            evaluator = Evaluator(conn, towns=towns, period=month)
            for scope in ("city", *towns):
                figure = evaluator.figure(KPI_BY_KEY["relief_spending"], scope)
                assert figure.status is Status.INCOMPLETE
                assert "医保局" in figure.incomplete and "教育局" in figure.incomplete
                assert f"数据截至{lag_to.month}月{lag_to.day}日" in figure.incomplete
                assert figure.change is None  # a missing part would read as a fall
            # A KPI on another department's complete feed is judged as usual.
            caseload = evaluator.figure(KPI_BY_KEY["caseload_households"], "city")
            assert caseload.incomplete is None and caseload.status is not Status.INCOMPLETE
            # The narrative names the missing data and calls no unit behind.
            per_town = evaluator.town_figures(KPI_BY_KEY["relief_spending"])
            sentence = narrative.behind(per_town, {t: t for t in towns})
            assert "本期不完整" in sentence and "低于目标" not in sentence
            headline = narrative.headline(evaluator.figure(KPI_BY_KEY["relief_spending"], "city"), "昆山市")
            assert "暂不评判" in headline and "落后" not in headline
        finally:
            trans.rollback()


def test_complete_periods_carry_no_flag(demo_engine):
    with demo_engine.connect() as conn:
        towns = oracle.town_codes(conn)
        done = latest_complete(_data_date(conn), Grain.YEAR)
        evaluator = Evaluator(conn, towns=towns, period=done)
        for kpi in KPIS:
            assert evaluator.figure(kpi, "city", compare=False).status is not Status.INCOMPLETE, kpi.key


def test_running_period_figures_equal_an_independent_like_for_like_sum(demo_engine):
    with demo_engine.connect() as conn:
        towns = oracle.town_codes(conn)
        end = _data_date(conn)
        year = Period.containing(end, Grain.YEAR)
        evaluator = Evaluator(conn, towns=towns, period=year)
        figure = evaluator.figure(KPI_BY_KEY["relief_spending"], "city")
        assert evaluator.period.end == end  # counted to the data date, not to December
        now = sum(oracle.relief_fen(conn, year.start, end).values()) / 1_000_000
        before = oracle.relief_fen(conn, date(end.year - 1, 1, 1), date(end.year - 1, end.month, end.day))
        assert figure.value == pytest.approx(now)
        assert figure.last_year == pytest.approx(sum(before.values()) / 1_000_000)
        assert figure.last_year_label == "较上年同期"


# -- levels and reconciliation --------------------------------------------------------------
def test_village_cards_are_the_villages_own_figures(demo_engine):
    with demo_engine.connect() as conn:
        towns = oracle.town_codes(conn)
        period = Period.parse("2026-Q3")
        village = units_for(conn, towns=towns, scope=TOWN)[0][0]
        keys = ("caseload_households", "new_entries", "relief_budget_execution")
        town_view = domain_view(conn, towns=towns, period=period, scope=TOWN, card_keys=keys, league_keys=keys)
        view = domain_view(
            conn, towns=towns, period=period, scope=TOWN, card_keys=keys, league_keys=keys, village=village
        )
        cards = {f.kpi.key: f for f in view.cards}
        assert "relief_budget_execution" not in cards  # no village budgets: no card, not "None"
        for key in ("caseload_households", "new_entries"):
            assert cards[key].scope == village
            assert cards[key].value == view.league[village][key].value
        town_cards = {f.kpi.key: f for f in town_view.cards}
        assert cards["caseload_households"].value < town_cards["caseload_households"].value
        # The town's budget card has its value (computed for the town as a whole).
        budget = town_cards["relief_budget_execution"]
        assert budget.value is not None and budget.missing is None
        assert view.league[village]["relief_budget_execution"].missing == "不适用"


def test_register_equals_monitored_plus_due_exit(demo_engine):
    from data_access.access import Principal

    with demo_engine.connect() as conn:
        towns = oracle.town_codes(conn)
        period = Period.parse("2026-Q3")
        evaluator = Evaluator(conn, towns=towns, period=period)
        units = units_for(conn, towns=towns, scope="city")
        detail = caseload_detail(evaluator, units, None, Principal("t", "t", "leader"))
        register = oracle.register_count(conn, period.end)
        monitored = oracle.caseload(conn, period.end)
        for code, row in detail.flows_by_unit:
            total, below, due = detail.reconciliation(code)
            assert total == row.closing == register.get(code, 0)
            assert below == monitored.get(code, {}).get("households", 0)
            assert below == evaluator.figure(KPI_BY_KEY["caseload_households"], code, compare=False).value
            assert due >= 0
        assert sum(detail.reconciliation(c)[2] for c, _ in units) > 0  # the demo city has some 应退未退


def test_word_documents_survive_a_control_character_in_a_stored_name(demo_engine):
    """A village named with BEL (stored before the import rule existed) still yields the Word
    meeting pack and the 汇报材料, with the character replaced."""
    import io

    from docx import Document

    from briefing.build import meeting_pack

    with demo_engine.connect() as conn:
        trans = conn.begin()
        try:
            village = conn.execute(text("SELECT MIN(code) FROM village WHERE town_code = :t"), {"t": TOWN}).scalar()
            conn.execute(text("UPDATE village SET name = :n WHERE code = :c"), {"n": "金湾\x07社区", "c": village})
            for fmt in ("docx", "report"):
                data, _ = meeting_pack(conn, period="2026-Q3", scope=TOWN, fmt=fmt)
                body = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
                assert "\x07" not in body and len(data) > 10_000
        finally:
            trans.rollback()
