"""Feed kinds of 农业农村局: cooperatives, their yearly income and dividends, 富民 dividends."""

from __future__ import annotations

from datetime import date
from typing import Any

from data_access.ingest.fields import Code, Day, Flag, Money, ParseContext, Text, Year
from data_access.ingest.kinds.base import VILLAGE_EXAMPLE, Column, FeedKind, _head
from data_access.ingest.refs import CooperativeRef, HouseholdRef, VillageRef
from data_access.models import Cooperative, CooperativeYear, FuminDividend


def _derive_fumin(row: dict[str, Any], ctx: ParseContext) -> list[tuple[str, str]]:
    paid, year = row.get("paid_on"), row.get("year")
    if paid is not None and year is not None and paid.year < year:
        return [("paid_on", "发放日期早于分红年度")]
    return []


DEPARTMENT_KINDS: tuple[FeedKind, ...] = (
    FeedKind(
        key="cooperatives",
        label="股份合作社名录",
        department="农业农村局",
        model=Cooperative,
        description="每个村(社区)的社区股份合作社及是否为经济相对薄弱村（五.2）。",
        columns=(
            Column(
                "村(社区)代码",
                "village_code",
                Code(20, "村(社区)代码"),
                variants=("村代码", "社区代码"),
                example=VILLAGE_EXAMPLE,
            ),
            Column("合作社名称", "name", Text(80), variants=("股份合作社名称", "名称"), example="金星社区股份合作社"),
            Column(
                "经济相对薄弱村",
                "economically_weak",
                Flag(),
                required=False,
                variants=("薄弱村", "是否经济薄弱村"),
                example="否",
                default=False,
            ),
        ),
        natural_key=("village_code",),
        stored=("village_code", "town_code", "name", "economically_weak"),
        refs=(VillageRef(),),
        feed="agriculture",
        depends_on=("villages",),
        export_sql="SELECT village_code, name, economically_weak FROM cooperative ORDER BY id",
    ),
    FeedKind(
        key="cooperative_years",
        label="股份合作社年度收益分配",
        department="农业农村局",
        model=CooperativeYear,
        description="社区股份合作社每年的净收益和红利分配总额（五.2：增长 ≥ 5% 或占净收益 ≥ 30%）。",
        columns=(
            Column(
                "村(社区)代码",
                "village_code",
                Code(20, "村(社区)代码"),
                variants=("村代码", "社区代码"),
                example=VILLAGE_EXAMPLE,
            ),
            Column("年度", "year", Year(), variants=("分配年度",), example="2024"),
            Column(
                "净收益（元）",
                "net_income_fen",
                Money(10_000_000_000, allow_negative=True),
                variants=("年度净收益（元）",),
                example="5000000.00",
                note="亏损填负数",
            ),
            Column(
                "红利分配总额（元）",
                "dividends_fen",
                Money(10_000_000_000),
                variants=("分红总额（元）", "红利总额（元）"),
                example="1600000.00",
            ),
        ),
        natural_key=("cooperative_id", "year"),
        stored=("cooperative_id", "year", "net_income_fen", "dividends_fen"),
        refs=(CooperativeRef(),),
        feed="agriculture",
        # A year's report dates the feed at its year end (or today, for a year still running).
        date_of=lambda r: date(r["year"], 12, 31) if r.get("year") else None,
        depends_on=("cooperatives",),
        export_sql=(
            "SELECT c.village_code, y.year, y.net_income_fen, y.dividends_fen FROM cooperative_year y "
            "JOIN cooperative c ON c.id = y.cooperative_id ORDER BY y.id"
        ),
    ),
    FeedKind(
        key="fumin_dividends",
        label="富民合作社分红",
        department="农业农村局",
        model=FuminDividend,
        description="富民合作社干股分红发放到低保、低保边缘家庭（五.2）。",
        columns=(
            _head(),
            Column("分红年度", "year", Year(), variants=("年度",), example="2024"),
            Column("发放日期", "paid_on", Day(), variants=("发放时间",), example="2025-01-15"),
            Column("金额（元）", "amount_fen", Money(1_000_000), variants=("分红金额（元）",), example="1500.00"),
        ),
        natural_key=("household_id", "year"),
        stored=("household_id", "town_code", "year", "paid_on", "amount_fen"),
        refs=(HouseholdRef("household_id_number"),),
        derive=_derive_fumin,
        feed="agriculture",
        date_of=lambda r: r.get("paid_on"),
        depends_on=("households",),
        export_sql=(
            "SELECT h.head_id_number AS household_id_number, f.year, f.paid_on, f.amount_fen FROM fumin_dividend f "
            "JOIN household h ON h.id = f.household_id ORDER BY f.id"
        ),
    ),
)
