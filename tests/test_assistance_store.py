"""帮扶服务记录 (issue 12): 防贫保险 (三.7), elderly care (四.4), social forces (六.3, 六.4),
pooled funds (组织保障.2), village projects and industry links (五.1, 五.3) on a store we fill
ourselves, on SQLite and PostgreSQL: boundary days (the visit window's first day, the 60th
birthday, a span ending on the period end), towns adding up to the city, town-only figures at
village level, and the import of each feed kind (all-or-nothing, Chinese errors)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session

from data_access.ingest import ImportRejected, commit, dry_run
from data_access.ingest.kinds import example_id
from data_access.models import AssistanceRecord, Cooperative, InsuranceEnrolment, Member
from data_access.models.governance import CITY_SCOPE
from metrics.domain.periods import Period
from metrics.domain.settings import Settings
from metrics.evaluate import Evaluator
from metrics.registry import KPI_BY_KEY
from tests.intake_support import csv_bytes
from tests.test_social_linkage import END, OTHER_TOWN, TOWN, VILLAGE, _fill

DAY = timedelta(days=1)
NOW = datetime(2025, 10, 8, 9, 0)
OTHER_VILLAGE = "320583102201"


def elder_id(n: int) -> str:
    return example_id(f"32058319400101{n:03d}")


def _elder(session: Session, n: int, household: int, born: date) -> None:
    session.add(
        Member(
            id=n,
            household_id=household,
            name=f"老人{n}",
            id_number=elder_id(n),
            gender="女",
            birth_date=born,
            relation="母亲",
        )
    )
    session.flush()


def _record(session: Session, kind: str, town: str = TOWN, **fields: object) -> None:
    session.add(AssistanceRecord(kind=kind, town_code=town, **fields))


def _fill_assistance(session: Session) -> None:
    """On top of test_social_linkage's store (households 1, 2, 4 monitored in TOWN, 3 above the
    line, 5 monitored in OTHER_TOWN; the period is 2025-Q3, END = 2025-09-30)."""
    sixty = END.replace(year=END.year - 60)
    _elder(session, 11, 1, sixty)  # turns 60 on END: elderly
    _elder(session, 12, 2, sixty + DAY)  # turns 60 the day after: not yet
    _elder(session, 13, 4, date(1950, 5, 5))
    _elder(session, 14, 3, date(1950, 5, 5))  # household above the line: never counted
    _elder(session, 15, 5, date(1945, 1, 1))
    visit = {"kind": "elderly_visit"}
    _record(session, **visit, member_id=11, household_id=1, served_on=END - 90 * DAY)  # first day of the window
    _record(session, **visit, member_id=13, household_id=4, served_on=END - 91 * DAY)  # one day too early
    _record(session, **visit, member_id=13, household_id=4, served_on=END + DAY)  # after the period
    _record(session, **visit, member_id=14, household_id=3, served_on=END)  # not a monitored household
    _record(session, **visit, town=OTHER_TOWN, member_id=15, household_id=5, served_on=END)
    # 适老化改造: households 1 (twice: one household) and 4 in the quarter; 2 before it.
    for hid, member, day in ((1, 11, date(2025, 7, 1)), (1, 11, date(2025, 9, 30)), (4, 13, date(2025, 8, 1))):
        _record(session, "home_retrofit", member_id=member, household_id=hid, served_on=day, amount_fen=800_000)
    _record(session, "home_retrofit", member_id=12, household_id=2, served_on=date(2025, 6, 30), amount_fen=500_000)
    # 结对帮扶 spans: 1 runs, 2 ended on END (still running that day), 4 ended the day before.
    _record(session, "pairing", household_id=1, served_on=date(2025, 1, 1), partner="甲公司", category="企业")
    _record(session, "pairing", household_id=2, served_on=date(2025, 1, 1), ended_on=END, partner="乙会")
    _record(session, "pairing", household_id=4, served_on=date(2025, 1, 1), ended_on=END - DAY, partner="丙会")
    _record(session, "pairing", town=OTHER_TOWN, household_id=5, served_on=END + DAY, partner="丁会")  # later
    _record(session, "industry_link", household_id=2, served_on=date(2024, 3, 1), partner="某农场", category="家庭农场")
    _record(session, "volunteer_service", household_id=1, served_on=date(2025, 7, 2), quantity=2)
    _record(session, "volunteer_service", household_id=1, served_on=date(2025, 8, 2), quantity=3)
    _record(session, "volunteer_service", household_id=3, served_on=date(2025, 8, 2), quantity=1)
    # Funds (town level; amounts in fen).
    _record(session, "charity_raised", served_on=date(2025, 7, 1), amount_fen=3_000_000, category="企业捐赠")
    _record(session, "charity_raised", served_on=date(2025, 6, 30), amount_fen=9_000_000, category="企业捐赠")
    _record(session, "charity_spent", served_on=date(2025, 8, 1), amount_fen=1_000_000, category="助医", disclosed=True)
    _record(session, "charity_spent", served_on=date(2025, 9, 30), amount_fen=3_000_000, category="助学")
    _record(session, "charity_spent", town=OTHER_TOWN, served_on=END, amount_fen=2_000_000, disclosed=True)
    _record(session, "pooled_fund", served_on=date(2025, 7, 15), amount_fen=50_000_000, category="市级资金")
    _record(session, "village_project", village_code=VILLAGE, served_on=date(2025, 9, 1), amount_fen=20_000_000)
    _record(
        session, "village_project", town=OTHER_TOWN, village_code=OTHER_VILLAGE, served_on=END, amount_fen=5_000_000
    )
    session.add(Cooperative(village_code=VILLAGE, town_code=TOWN, name="测试村股份合作社", economically_weak=True))
    # 防贫保险: members 1 (in force), 2 (ended on END: not in force), 13 (in force); 3 has none.
    for member, ended in ((1, None), (2, END), (13, None)):
        session.add(
            InsuranceEnrolment(
                member_id=member,
                scheme="anti_poverty",
                enrolled_on=date(2025, 1, 1),
                ended_on=ended,
                premium_subsidised=True,
            )
        )
    session.commit()


@pytest.fixture
def store(empty_engine):
    with Session(empty_engine) as session:
        _fill(session)
        _fill_assistance(session)
    return empty_engine


def _value(ev: Evaluator, key: str, scope: str) -> float | None:
    return ev.value(KPI_BY_KEY[key], scope)


def test_each_kpi_on_the_boundaries(store):
    with store.connect() as conn:
        ev = Evaluator(conn, towns=(TOWN, OTHER_TOWN), period=Period.parse("2025-Q3"))
        # Elderly of monitored households at END in TOWN: 11 (60 on END) and 13; 12 is 59.
        # 11 visited on the window's first day; 13 one day too early (and once after END).
        assert _value(ev, "elderly_visit_rate", TOWN) == pytest.approx(50.0)
        assert _value(ev, "elderly_visit_rate", OTHER_TOWN) == pytest.approx(100.0)
        assert _value(ev, "elderly_visit_rate", CITY_SCOPE) == pytest.approx(200 / 3)
        assert _value(ev, "home_retrofits", TOWN) == 2  # households 1 and 4; household 2's was in June
        assert _value(ev, "home_retrofits", CITY_SCOPE) == 2
        # 结对: of TOWN's monitored households 1, 2, 4: 1 runs, 2 ends on END (counts), 4 ended before.
        assert _value(ev, "pairing_rate", TOWN) == pytest.approx(200 / 3)
        assert _value(ev, "pairing_rate", OTHER_TOWN) == pytest.approx(0.0)  # starts after END
        assert _value(ev, "pairing_rate", CITY_SCOPE) == pytest.approx(50.0)
        assert _value(ev, "industry_link_rate", CITY_SCOPE) == pytest.approx(25.0)
        # Volunteer services: households 1 (twice) and 3 (above the line, still served): 2 households.
        assert _value(ev, "volunteer_households", TOWN) == 2
        # Funds in 万元: July's 30,000 yuan raised (June's is outside the quarter).
        assert _value(ev, "charity_raised", TOWN) == pytest.approx(3.0)
        assert _value(ev, "charity_spent", CITY_SCOPE) == pytest.approx(6.0)
        # Disclosed by amount: TOWN 10,000 of 40,000 yuan; the city 30,000 of 60,000.
        assert _value(ev, "charity_disclosure_rate", TOWN) == pytest.approx(25.0)
        assert _value(ev, "charity_disclosure_rate", CITY_SCOPE) == pytest.approx(50.0)
        assert _value(ev, "pooled_funds", TOWN) == pytest.approx(50.0)
        assert _value(ev, "pooled_funds", OTHER_TOWN) == 0.0  # a flow with no rows is nothing allocated
        assert _value(ev, "village_project_funds", CITY_SCOPE) == pytest.approx(25.0)
        # 防贫保险: members of monitored households at END: TOWN 1, 2, 3, 11, 12, 13 (household
        # 3 is above the line: member 4 and elder 14 excluded); in force: 1 and 13.
        assert _value(ev, "anti_poverty_insurance_coverage", TOWN) == pytest.approx(200 / 6)
        assert _value(ev, "anti_poverty_insurance_coverage", OTHER_TOWN) == pytest.approx(0.0)


@pytest.mark.parametrize(
    "key",
    (
        "elderly_visit_rate",
        "home_retrofits",
        "pairing_rate",
        "industry_link_rate",
        "volunteer_households",
        "charity_raised",
        "charity_spent",
        "charity_disclosure_rate",
        "pooled_funds",
        "village_project_funds",
        "anti_poverty_insurance_coverage",
    ),
)
def test_towns_add_up_to_the_city(store, key):
    kpi = KPI_BY_KEY[key]
    with store.connect() as conn:
        ev = Evaluator(conn, towns=(TOWN, OTHER_TOWN), period=Period.parse("2025-Q3"))
        values, _ = ev.values(kpi)
        city = ev.measure(kpi, CITY_SCOPE)
        assert city is not None
        assert city.num == sum(m.num for m in values.by_town.values())
        if city.den is not None:
            assert city.den == sum(m.den or 0 for m in values.by_town.values())


def test_settings_move_the_windows(store):
    with store.connect() as conn:
        settings = Settings.from_store({"elderly_visit_days": "91", "elderly_min_age": "59"})
        ev = Evaluator(conn, towns=(TOWN, OTHER_TOWN), period=Period.parse("2025-Q3"), settings=settings)
        # 91 days: 13's visit counts; age 59: 12 joins (not visited) -> 2 of 3.
        assert _value(ev, "elderly_visit_rate", TOWN) == pytest.approx(200 / 3)


def test_village_level_has_village_figures_and_no_town_only_funds(store):
    with store.connect() as conn:
        ev = Evaluator(conn, towns=(TOWN,), period=Period.parse("2025-Q3"), level="village")
        assert _value(ev, "pairing_rate", VILLAGE) == pytest.approx(200 / 3)
        assert _value(ev, "village_project_funds", VILLAGE) == pytest.approx(20.0)
        figure = ev.figure(KPI_BY_KEY["charity_raised"], TOWN)
        assert "慈善资金按区镇统计" in (figure.basis or "")


def test_rural_detail_names_the_weak_village_share(store):
    from data_access.access import Principal
    from metrics.domains.forces import forces_detail, rural_detail

    with store.connect() as conn:
        ev = Evaluator(conn, towns=(TOWN, OTHER_TOWN), period=Period.parse("2025-Q3"))
        units = [(TOWN, "巴城镇"), (OTHER_TOWN, "周市镇")]
        leader = Principal("leader", "领导", "leader")
        rural = rural_detail(ev, units, None, leader)
        row = next(r for r in rural.per_unit if r["单位"] == "巴城镇")
        assert (row["投向薄弱村（万元）"], row["薄弱村占比（%）"]) == (20.0, 100.0)
        other = next(r for r in rural.per_unit if r["单位"] == "周市镇")
        assert (other["投向薄弱村（万元）"], other["薄弱村占比（%）"]) == (0.0, 0.0)
        forces = forces_detail(ev, units, None, leader)
        spent = {r["来源、用途或领域"]: r for r in forces.categories if r["类别"] == "慈善资金使用"}
        assert spent["助学"]["金额（万元）"] == 3.0 and spent["助学"]["占该类比例（%）"] == 50.0
        assert spent["助医"]["笔数（笔）"] == 1


# --- imports ------------------------------------------------------------------------------------


def _count(engine, kind: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(text("SELECT COUNT(*) FROM assistance_record WHERE kind = :k"), {"k": kind}).scalar_one()
        )


def test_elderly_care_import_and_its_errors(store):
    good = csv_bytes(
        [
            ["老年人身份证号", "服务类别", "服务日期", "结束日期", "金额（元）"],
            [elder_id(13), "居家探访", "2025-09-29", "", ""],
            [elder_id(13), "适老化改造", "2025-09-28", "", "6000"],
            [elder_id(11), "互助式养老", "2025-09-01", "", ""],
        ]
    )
    before = _count(store, "elderly_visit")
    result = commit(store, good, "养老服务.csv", "elderly_care", user="测试员", now=NOW)
    assert len(result.plan.adds) == 3
    assert _count(store, "elderly_visit") == before + 1
    with store.connect() as conn:
        row = conn.execute(
            text(
                "SELECT household_id, town_code, amount_fen FROM assistance_record WHERE kind = 'home_retrofit' "
                "AND served_on = :d"
            ),
            {"d": date(2025, 9, 28)},
        ).one()
    assert tuple(row) == (4, TOWN, 600_000)  # the member's household and town, yuan -> fen
    bad = csv_bytes(
        [
            ["老年人身份证号", "服务类别", "服务日期", "结束日期", "金额（元）"],
            [elder_id(13), "居家探访", "2025-09-20", "2025-09-21", ""],  # an event has no end
            [elder_id(11), "互助式养老", "2025-09-10", "2025-09-01", ""],  # ends before it starts
            [elder_id(99), "居家探访", "2025-09-20", "", ""],  # unknown person
        ]
    )
    with pytest.raises(ImportRejected) as caught:
        commit(store, bad, "养老服务.csv", "elderly_care", user="测试员", now=NOW)
    messages = " ".join(p.message for p in caught.value.plan.problems)
    assert "“特殊困难老年人居家探访”是一次性服务，不填结束日期" in messages
    assert "结束日期早于开始日期" in messages
    assert "系统中没有该身份证号的家庭成员" in messages
    assert _count(store, "elderly_visit") == before + 1  # nothing of the bad file was written


def test_charity_category_must_fit_the_kind(store):
    plan = dry_run(
        store,
        csv_bytes(
            [
                ["区镇代码", "收支类别", "日期", "金额（元）", "来源或用途", "已公开"],
                [TOWN, "募集", "2025-09-01", "1000", "助学", ""],  # a use, not a source
                [TOWN, "使用", "2025-09-01", "1000", "助学", "是"],
            ]
        ),
        "慈善.csv",
        "charity_funds",
        now=NOW,
    )
    assert not plan.ok
    messages = [p.message for p in plan.problems]
    assert any("“慈善资金募集”的类别应为以下之一：企业捐赠、个人捐赠、社会组织、其他" in m for m in messages)
    assert plan.rows_rejected == 1


def test_village_projects_take_the_town_from_the_village(store):
    data = csv_bytes(
        [
            ["村(社区)代码", "项目名称", "项目领域", "开工日期", "金额（元）"],
            [OTHER_VILLAGE, "道路硬化", "基础设施", "2025-09-30", "300000"],
        ]
    )
    commit(store, data, "项目.csv", "village_projects", user="测试员", now=NOW)
    with store.connect() as conn:
        ev = Evaluator(conn, towns=(TOWN, OTHER_TOWN), period=Period.parse("2025-Q3"))
        assert _value(ev, "village_project_funds", OTHER_TOWN) == pytest.approx(35.0)  # 5 + 30 万元
