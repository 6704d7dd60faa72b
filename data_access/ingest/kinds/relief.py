"""Feed kinds of relief: payments from each relief type's responsible department and 财政局's
budgets."""

from __future__ import annotations

from typing import Any

from data_access.ingest.fields import Choice, Day, Integer, Money, ParseContext, Year
from data_access.ingest.kinds.base import RELIEF_TYPE, RELIEF_TYPE_FEEDS, TOWN, Column, FeedKind, _head
from data_access.ingest.refs import HouseholdRef, TownRef
from data_access.models import ReliefBudget, ReliefPayment
from data_access.reference import HOUSING_ITEMS, RELIEF_TYPES

HOUSING_ITEM = Choice(
    HOUSING_ITEMS,
    {
        "租赁补贴": "rent",
        "公租房补贴": "rent",
        "房租补贴": "rent",
        "购房补贴": "purchase",
        "经适房购房补贴": "purchase",
    },
)


def _derive_relief(row: dict[str, Any], ctx: ParseContext) -> list[tuple[str, str]]:
    if row.get("relief_type"):
        row["department"] = RELIEF_TYPES[row["relief_type"]][1]
    if row.get("item") and row.get("relief_type") not in (None, "housing"):
        return [("item", "只有住房保障填写补贴方式（租赁补贴或购房补贴）")]
    return []


DEPARTMENT_KINDS: tuple[FeedKind, ...] = (
    FeedKind(
        key="relief_payments",
        label="救助发放明细",
        department="各救助责任单位",
        model=ReliefPayment,
        description="七类救助的每笔发放（三.1—三.7）。同户同日同类同额的多笔（如两名学生）分别计入。",
        columns=(
            _head("身份证号", "公民身份号码", "证件号码", "受助人身份证号"),
            Column("救助类型", "relief_type", RELIEF_TYPE, variants=("救助类别", "救助项目"), example="生活救助"),
            Column("发放日期", "paid_on", Day(), variants=("发放时间", "支付日期"), example="2025-07-10"),
            Column(
                "金额（元）",
                "amount_fen",
                Money(1_000_000),
                variants=("发放金额（元）", "救助金额（元）"),
                example="650.00",
            ),
            Column(
                "覆盖人数",
                "persons_covered",
                Integer(1, 50, " 人"),
                required=False,
                variants=("救助人数", "受助人数"),
                example="3",
                default=1,
            ),
            Column(
                "补贴方式",
                "item",
                HOUSING_ITEM,
                required=False,
                variants=("住房保障方式",),
                example="",
                default="",
                note="仅住房保障填写：公租房租赁补贴或经济适用住房购房补贴（三.5）",
            ),
        ),
        natural_key=("household_id", "relief_type", "paid_on", "amount_fen", "persons_covered"),
        stored=(
            "household_id",
            "town_code",
            "relief_type",
            "department",
            "paid_on",
            "amount_fen",
            "persons_covered",
            "item",
        ),
        refs=(HouseholdRef("household_id_number"),),
        derive=_derive_relief,
        repeats_allowed=True,
        feed_of=lambda r: RELIEF_TYPE_FEEDS.get(r.get("relief_type", "")),
        department_of=lambda r: RELIEF_TYPES[r["relief_type"]][1],
        date_of=lambda r: r.get("paid_on"),
        depends_on=("households", "members"),
        export_sql=(
            "SELECT h.head_id_number AS household_id_number, p.relief_type, p.paid_on, p.amount_fen, "
            "p.persons_covered, p.item FROM relief_payment p JOIN household h ON h.id = p.household_id ORDER BY p.id"
        ),
    ),
    FeedKind(
        key="relief_budgets",
        label="救助预算",
        department="财政局",
        model=ReliefBudget,
        description="各区镇各类救助的年度预算，用于预算执行率（组织保障.2）。",
        columns=(
            Column("年度", "year", Year(ahead=1), variants=("预算年度",), example="2025"),
            TOWN,
            Column("救助类型", "relief_type", RELIEF_TYPE, variants=("救助类别",), example="生活救助"),
            Column(
                "预算金额（元）",
                "amount_fen",
                Money(10_000_000_000),
                variants=("预算（元）", "年度预算（元）"),
                example="1200000.00",
            ),
        ),
        natural_key=("year", "town_code", "relief_type"),
        stored=("year", "town_code", "relief_type", "amount_fen"),
        refs=(TownRef(),),
        export_sql="SELECT year, town_code, relief_type, amount_fen FROM relief_budget ORDER BY id",
    ),
)
