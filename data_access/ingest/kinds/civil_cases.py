"""Feed kinds of 民政局's casework: income assessments, entry and exit events (两级审核) and
cadre links (挂钩联系)."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from data_access.ingest.fields import Choice, Day, Integer, Moment, Money, ParseContext, Text
from data_access.ingest.kinds.base import Column, FeedKind, _derive_span, _head, _latest, _not_before
from data_access.ingest.refs import HouseholdRef
from data_access.models import CadreLink, CaseEvent, IncomeAssessment


def _derive_case_event(row: dict[str, Any], ctx: ParseContext) -> list[tuple[str, str]]:
    """The two-level review in order: 提交 -> 村初审 -> 区镇审核 -> 市级备案 (二(一).3)."""
    errors: list[tuple[str, str]] = []
    stages = ("submitted_at", "village_reviewed_at", "town_approved_at", "city_filed_at")
    names = {"submitted_at": "提交", "village_reviewed_at": "村(社区)初审", "town_approved_at": "区镇审核"}
    for earlier, later in pairwise(stages):
        if row.get(later) is not None and row.get(earlier) is None:
            errors.append((later, f"没有{names[earlier]}时间，不能有后一环节的时间"))
        errors += _not_before(row, later, earlier, f"早于{names[earlier]}时间")
    approved = row.get("town_approved_at")
    if row.get("effective_date") is None:
        # An event takes effect when the 区镇 approves it.
        row["effective_date"] = approved.date() if approved is not None else None
    elif approved is None:
        errors.append(("effective_date", "区镇尚未审核，不能有生效日期"))
    elif row.get("submitted_at") is not None and row["effective_date"] < row["submitted_at"].date():
        errors.append(("effective_date", "生效日期早于提交时间"))
    return errors


DEPARTMENT_KINDS: tuple[FeedKind, ...] = (
    FeedKind(
        key="income_assessments",
        label="家庭收入评估",
        department="民政局",
        model=IncomeAssessment,
        description="每次核定的月家庭人均收入 I（元/人/月），决定低保、低保边缘分组（二(一).1）。",
        columns=(
            _head(),
            Column("评估日期", "assessed_on", Day(), variants=("核定日期", "评估时间"), example="2025-07-15"),
            Column(
                "家庭人口数",
                "household_size",
                Integer(1, 30, " 人"),
                variants=("共同生活人口", "家庭人口"),
                example="3",
            ),
            Column(
                "月人均收入（元）",
                "per_capita_income_fen",
                Money(1_000_000),
                variants=("月家庭人均收入（元）", "人均月收入（元）", "月人均收入"),
                example="980.50",
            ),
            Column(
                "年内医疗支出（元）",
                "medical_spending_ytd_fen",
                Money(100_000_000),
                required=False,
                variants=("当年医疗支出（元）", "医疗支出（元）"),
                example="1200.00",
                default=0,
                note="1 月至评估当月救助对象的医疗支出（三.2）",
            ),
        ),
        natural_key=("household_id", "assessed_on"),
        stored=("household_id", "assessed_on", "household_size", "per_capita_income_fen", "medical_spending_ytd_fen"),
        refs=(HouseholdRef("household_id_number"),),
        feed="caseload",
        date_of=lambda r: r.get("assessed_on"),
        depends_on=("households",),
        export_sql=(
            "SELECT h.head_id_number AS household_id_number, a.assessed_on, a.household_size, "
            "a.per_capita_income_fen, a.medical_spending_ytd_fen FROM income_assessment a "
            "JOIN household h ON h.id = a.household_id ORDER BY a.id"
        ),
    ),
    FeedKind(
        key="case_events",
        label="新增/退出审核",
        department="民政局",
        model=CaseEvent,
        description="新增和退出事件及两级审核各环节时间；重复导入同一事件即更新审核进度。",
        columns=(
            _head(),
            Column(
                "类型",
                "kind",
                Choice({"entry": "新增", "exit": "退出"}, {"纳入": "entry"}),
                variants=("事件类型", "新增/退出"),
                example="新增",
            ),
            Column("原因", "reason", Text(40), variants=("新增/退出原因", "事由"), example="因病致贫"),
            Column("提交时间", "submitted_at", Moment(), variants=("申请时间",), example="2025-07-01 09:30"),
            Column(
                "村(社区)初审时间",
                "village_reviewed_at",
                Moment(),
                required=False,
                variants=("村初审时间", "初审时间"),
                example="2025-07-08 10:00",
            ),
            Column(
                "区镇审核时间",
                "town_approved_at",
                Moment(),
                required=False,
                variants=("区镇审批时间", "审核认定时间"),
                example="2025-07-20 15:00",
            ),
            Column("市级备案时间", "city_filed_at", Moment(), required=False, variants=("备案时间",), example=""),
            Column("生效日期", "effective_date", Day(), required=False, example="", note="可不填：取区镇审核日期"),
        ),
        natural_key=("household_id", "kind", "submitted_at"),
        stored=(
            "household_id",
            "town_code",
            "kind",
            "reason",
            "submitted_at",
            "village_reviewed_at",
            "town_approved_at",
            "city_filed_at",
            "effective_date",
        ),
        refs=(HouseholdRef("household_id_number"),),
        derive=_derive_case_event,
        feed="caseload",
        date_of=lambda r: _latest(
            r.get("submitted_at"), r.get("village_reviewed_at"), r.get("town_approved_at"), r.get("city_filed_at")
        ),
        depends_on=("households",),
        export_sql=(
            "SELECT h.head_id_number AS household_id_number, e.kind, e.reason, e.submitted_at, e.village_reviewed_at, "
            "e.town_approved_at, e.city_filed_at, e.effective_date FROM case_event e "
            "JOIN household h ON h.id = e.household_id ORDER BY e.id"
        ),
    ),
    FeedKind(
        key="cadre_links",
        label="干部挂钩联系",
        department="民政局",
        model=CadreLink,
        description="村(社区)干部挂钩联系家庭及最近走访日期（六.2）。",
        columns=(
            _head(),
            Column("挂钩干部", "cadre_name", Text(40), variants=("干部姓名", "联系干部"), example="王建华"),
            Column("挂钩日期", "since", Day(), variants=("开始日期",), example="2025-01-10"),
            Column(
                "最近走访日期", "last_visit_on", Day(), required=False, variants=("走访日期",), example="2025-06-30"
            ),
        ),
        natural_key=("household_id", "cadre_name", "since"),
        stored=("household_id", "cadre_name", "since", "last_visit_on"),
        refs=(HouseholdRef("household_id_number"),),
        derive=_derive_span("since", "last_visit_on"),
        depends_on=("households",),
        export_sql=(
            "SELECT h.head_id_number AS household_id_number, c.cadre_name, c.since, c.last_visit_on FROM cadre_link c "
            "JOIN household h ON h.id = c.household_id ORDER BY c.id"
        ),
    ),
)
