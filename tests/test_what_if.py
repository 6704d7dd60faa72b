"""政策测算 (metrics.what_if) on SQLite and PostgreSQL, against an independent computation
written here from raw rows: with today's standard it reproduces the caseload KPIs; with a
higher standard no household moves the wrong way, totals are conserved, and the change of the
yearly 低保补差 is the sum over households. The page (AppTest) and the meeting pack slide."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pptx import Presentation
from sqlalchemy import text

from data_access.queries import relief
from data_access.queries.what_if import scenario_group_sql
from metrics.domain.periods import Period
from metrics.domain.rules import Group, Standard, classify, standard_in_force, temporary_relief_eligible
from metrics.evaluate import Evaluator
from metrics.registry import KPI_BY_KEY
from metrics.what_if import Scenario, WhatIfResult, today_standard, what_if
from tests.conftest import signed_in

RANK = {Group.FLOOR.value: 0, Group.MONITORED.value: 1, Group.ABOVE.value: 2}


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _towns(conn) -> tuple[str, ...]:
    return tuple(conn.execute(text("SELECT code FROM town ORDER BY sort_order")).scalars())


def _register(conn, as_of: date) -> dict[int, dict[str, Any]]:
    """Households on the register at as_of with their latest assessment, from raw rows."""
    last: dict[int, tuple[tuple[date, int], str]] = {}
    for hid, kind, effective, eid in conn.execute(
        text("SELECT household_id, kind, effective_date, id FROM case_event WHERE effective_date IS NOT NULL")
    ):
        key = (_day(effective), int(eid))
        if key[0] <= as_of and (hid not in last or key > last[hid][0]):
            last[hid] = (key, kind)
    active = {h for h, (_, kind) in last.items() if kind == "entry"}
    town = dict(conn.execute(text("SELECT id, town_code FROM household")).all())
    latest: dict[int, tuple[tuple[date, int], int, int, int]] = {}
    for hid, on, aid, income, size, medical in conn.execute(
        text(
            "SELECT household_id, assessed_on, id, per_capita_income_fen, household_size, medical_spending_ytd_fen "
            "FROM income_assessment"
        )
    ):
        key = (_day(on), int(aid))
        if hid in active and key[0] <= as_of and (hid not in latest or key > latest[hid][0]):
            latest[hid] = (key, int(income), int(size), int(medical or 0))
    special: dict[int, int] = defaultdict(int)
    for hid, disabled, ill in conn.execute(text("SELECT household_id, severe_disability, serious_illness FROM member")):
        if disabled or ill:
            special[hid] += 1
    out = {}
    for hid in active:
        a = latest.get(hid)
        out[hid] = {
            "town": str(town[hid]),
            "income": None if a is None else a[1],
            "persons": 0 if a is None else a[2],
            "medical": 0 if a is None else a[3],
            "assessed_on": None if a is None else a[0][0],
            "special": special[hid],
        }
    return out


def _group(income: int | None, standard: Standard) -> str:
    return "unknown" if income is None else classify(income, standard).value


def _history(conn) -> list[Standard]:
    rows = conn.execute(text("SELECT effective_from, amount_fen, monitoring_multiplier FROM living_standard")).all()
    return [Standard(_day(d), int(a), float(m)) for d, a, m in rows]


def _independent(conn, result: WhatIfResult) -> dict[str, dict[str, Any]]:
    """Per town, from raw rows and the rule functions: moves, budgets, 三.1 and 三.2 counts."""
    history = _history(conn)
    current, proposed = result.current, result.proposed
    out: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"moves": defaultdict(lambda: [0, 0]), "gap": [0, 0], "monthly": [0, 0], "temporary": [0, 0]}
    )
    for hh in _register(conn, result.as_of).values():
        unit = out[hh["town"]]
        income, persons = hh["income"], hh["persons"]
        before, after = _group(income, current), _group(income, proposed)
        unit["moves"][(before, after)][0] += 1
        unit["moves"][(before, after)][1] += persons
        for side, group, standard in ((0, before, current), (1, after, proposed)):
            if group == Group.FLOOR.value:
                unit["gap"][side] += (standard.floor_fen - income) * persons
            if group == Group.MONITORED.value and hh["special"]:
                unit["monthly"][side] += 1
        if income is not None and hh["medical"] > 0 and persons > 0:
            at = hh["assessed_on"]
            in_force = standard_in_force(history, at)
            lines = (
                in_force.monitoring_line_fen,
                result.temporary_line_fen if at >= current.effective_from else in_force.monitoring_line_fen,
            )
            for side, line in enumerate(lines):
                if temporary_relief_eligible(
                    per_capita_income_fen=income,
                    household_size=persons,
                    months=at.month,
                    medical_spending_fen=hh["medical"],
                    standard=Standard(at, line, 1.0),
                ):
                    unit["temporary"][side] += 1
    return out


def _check_against_independent(conn, result: WhatIfResult) -> None:
    expected = _independent(conn, result)
    for unit in result.units:
        mine = expected[unit.code]
        assert {k: v for k, v in unit.moves.items() if v[0]} == {k: tuple(v) for k, v in mine["moves"].items()}
        assert [unit.today.floor_gap_monthly_fen, unit.scenario.floor_gap_monthly_fen] == mine["gap"]
        assert unit.today.living_budget_fen == mine["gap"][0] * 12
        assert unit.living_budget_change_fen == (mine["gap"][1] - mine["gap"][0]) * 12
        assert [unit.today.monthly_living_households, unit.scenario.monthly_living_households] == mine["monthly"]
        assert [unit.today.temporary_households, unit.scenario.temporary_households] == mine["temporary"]
    assert result.total.living_budget_change_fen == sum((m["gap"][1] - m["gap"][0]) * 12 for m in expected.values())


@pytest.mark.parametrize("period", ["2026-10", "2026-Q3", "2025-09"])
def test_todays_standard_reproduces_todays_figures(demo_engine, period):
    with demo_engine.connect() as conn:
        towns = _towns(conn)
        parsed = Period.parse(period)
        _, current = today_standard(conn, towns=towns, period=parsed)
        result = what_if(conn, towns=towns, period=parsed, scenario=Scenario.of(current))
        evaluator = Evaluator(conn, towns=towns, period=parsed)
        kpis = {k: KPI_BY_KEY[k] for k in ("caseload_households", "caseload_persons", "floor_households")}
        assert result.is_today and result.proposed == current
        assert result.total.moved_households == 0
        for unit in result.units:
            assert unit.today == unit.scenario
            assert unit.today.monitored_households == evaluator.value(kpis["caseload_households"], unit.code)
            assert unit.today.monitored_persons == evaluator.value(kpis["caseload_persons"], unit.code)
            assert unit.today.households["floor"] == evaluator.value(kpis["floor_households"], unit.code)
        assert result.total.today.monitored_households == evaluator.value(kpis["caseload_households"], "city")
        # The 三.1 and 三.2 counts are the 应助尽助 rules' own.
        lines = {"floor_fen": current.floor_fen, "line_fen": current.monitoring_line_fen}
        for rule, count in (
            ("living", lambda u: u.today.households["floor"] + u.today.monthly_living_households),
            ("temporary", lambda u: u.today.temporary_households),
        ):
            gaps = relief.gaps(conn, towns=towns, rule=rule, as_of=result.as_of, since=result.as_of, **lines)
            assert {u.code: count(u) for u in result.units if count(u)} == {t: n for t, (n, _) in gaps.items()}
        _check_against_independent(conn, result)
        assert result.total.today.living_budget_fen > 0


def _scenarios(conn, current: Standard, as_of: date) -> list[Scenario]:
    incomes = sorted(
        {hh["income"] for hh in _register(conn, as_of).values() if hh["income"] is not None},
    )
    # A standard exactly at some household's income: that household sits on the new floor.
    on_boundary = next(i for i in incomes if i > current.floor_fen)
    m = current.monitoring_multiplier
    return [
        Scenario(round(current.amount_fen * 1.1), m),
        Scenario(on_boundary, m),
        Scenario(current.amount_fen + 1, m + 0.5),
        Scenario(round(current.amount_fen * 1.5), m, temporary_line_fen=round(current.monitoring_line_fen * 0.8)),
    ]


def test_a_higher_standard_moves_no_household_the_wrong_way(demo_engine):
    period = Period.parse("2026-10")
    with demo_engine.connect() as conn:
        towns = _towns(conn)
        as_of, current = today_standard(conn, towns=towns, period=period)
        for scenario in _scenarios(conn, current, as_of):
            result = what_if(conn, towns=towns, period=period, scenario=scenario)
            assert result.proposed.floor_fen > current.floor_fen
            for unit in [*result.units, result.total]:
                for (before, after), (households, _) in unit.moves.items():
                    if households and before != after:
                        assert "unknown" not in (before, after)
                        assert RANK[after] < RANK[before], (unit.code, before, after)
                for side in ("households", "persons"):
                    assert sum(getattr(unit.today, side).values()) == sum(getattr(unit.scenario, side).values())
                assert unit.scenario.households["floor"] >= unit.today.households["floor"]
                assert unit.scenario.monitored_households >= unit.today.monitored_households
                assert unit.living_budget_change_fen >= 0
            assert result.total.moved_households == sum(u.moved_households for u in result.units)
            assert result.total.scenario.living_budget_fen == sum(u.scenario.living_budget_fen for u in result.units)
            _check_against_independent(conn, result)
        assert result.total.moved_households > 0 and result.total.living_budget_change_fen > 0


@pytest.mark.parametrize("multiplier", [1.0, 2.0, 2.35])
def test_scenario_group_sql_is_the_rule_at_the_boundaries(demo_engine, multiplier):
    standard = Standard(date(2026, 7, 1), 120_000, multiplier)
    incomes = [
        0,
        standard.floor_fen - 1,
        standard.floor_fen,
        standard.floor_fen + 1,
        standard.monitoring_line_fen - 1,
        standard.monitoring_line_fen,
        standard.monitoring_line_fen + 1,
    ]
    params = {"scenario_floor_fen": standard.floor_fen, "scenario_line_fen": standard.monitoring_line_fen}
    with demo_engine.connect() as conn:
        for income in incomes:
            sql = f"SELECT {scenario_group_sql(':income')}"
            got = conn.execute(text(sql), {**params, "income": income}).scalar_one()
            assert got == classify(income, standard).value, income


APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.mark.usefixtures("clear_streamlit_caches")
def test_page_then_meeting_pack(monkeypatch, sqlite_demo_url):
    from streamlit.testing.v1 import AppTest

    from briefing.build import meeting_pack
    from data_access.db import make_engine

    monkeypatch.setenv("DATABASE_URL", sqlite_demo_url)
    at = signed_in(AppTest.from_file(APP, default_timeout=300))
    at.query_params["period"] = "2026-10"
    at.run()
    at.switch_page("pages/policy.py").run()
    assert not at.exception, [e.value for e in at.exception]
    today = at.number_input(key="policy_standard").value
    cards = {m.label: m for m in at.metric}
    assert cards["变动分组的家庭"].value == "0 户"
    assert cards["生活救助（低保补差）年度支出"].delta == "与现行相同"  # no arrow on a zero change

    at.number_input(key="policy_standard").set_value(today + 200).run()
    at.checkbox(key="policy_temporary_same").uncheck().run()
    at.number_input(key="policy_temporary").set_value(today * 1.5).run()
    assert not at.exception and not at.error
    cards = {m.label: m for m in at.metric}
    assert cards["低保户（兜底线以下）"].delta.startswith("较现行 +")
    assert cards["生活救助（低保补差）年度支出"].delta.startswith("较现行 +")
    table = next(df.value for df in at.dataframe if "变动户数（户）" in df.value.columns)
    assert table["区镇"].iloc[-1] == "昆山市合计" and table["变动户数（户）"].iloc[-1] > 0
    assert any("标准管理" in m.value for m in at.markdown)

    at.button(key="policy_add").click().run()
    scenario = at.session_state["policy_scenario"]
    assert scenario == Scenario(round((today + 200) * 100), scenario.multiplier, round(today * 150))
    assert any("会议材料" in s.value for s in at.success)

    at.switch_page("pages/briefing.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.checkbox(key="pack_what_if").value is True

    engine = make_engine(sqlite_demo_url)
    with engine.connect() as conn:
        data, _ = meeting_pack(conn, period="2026-10", scope="全市", fmt="pptx", scenario=scenario)
        result = what_if(conn, towns=_towns(conn), period=Period.parse("2026-10"), scenario=scenario)
        plain, _ = meeting_pack(conn, period="2026-10", scope="全市", fmt="pptx")
    engine.dispose()
    slides = Presentation(io.BytesIO(data)).slides
    assert len(slides) == len(Presentation(io.BytesIO(plain)).slides) + 1
    slide = next(
        s for s in slides if any(sh.has_text_frame and sh.text_frame.text == "政策测算（测算）" for sh in s.shapes)
    )
    texts = " ".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
    assert "演示数据" in texts and "测算结果" in texts and "标准管理" in texts
    table = next(sh.table for sh in slide.shapes if sh.has_table)
    last = [table.cell(len(table.rows) - 1, j).text for j in range(len(table.columns))]
    assert last[0] == "合计"
    assert last[5] == f"{result.total.moved_households:,}"
    assert last[9] == f"{result.total.living_budget_change_fen / 1_000_000:+,.2f}"


def test_word_and_pdf_packs_carry_the_scenario(demo_engine):
    from docx import Document

    from briefing.content import WHAT_IF_TITLE, build_pack
    from briefing.docx_pack import write_docx
    from briefing.html_doc import pack_html
    from data_access.models.governance import CITY_SCOPE

    with demo_engine.connect() as conn:
        towns = _towns(conn)
        period = Period.parse("2026-Q3")
        _, current = today_standard(conn, towns=towns, period=period)
        scenario = Scenario(current.amount_fen + 10_000, current.monitoring_multiplier)
        pack = build_pack(conn, towns=towns, period=period, scope=CITY_SCOPE, scenario=scenario)
        without = build_pack(conn, towns=towns, period=period, scope=CITY_SCOPE)
    assert pack.what_if is not None and without.what_if is None
    change = f"{pack.what_if.total.living_budget_change_fen / 1_000_000:+,.2f}"
    document = Document(io.BytesIO(write_docx(pack)))
    assert WHAT_IF_TITLE in [p.text for p in document.paragraphs]
    assert document.tables[-2].rows[-1].cells[-1].text == change  # the last table is the sources
    html = pack_html(pack, [None] * len(pack.sections))
    assert WHAT_IF_TITLE in html and change in html
    assert WHAT_IF_TITLE not in pack_html(without, [None] * len(without.sections))
