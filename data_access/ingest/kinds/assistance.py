"""Feed kinds of 帮扶服务记录 (table assistance_record): 民政局's elderly care (四.4) and social
help (六.2, 六.4), 慈善总会's funds (六.3), 农业农村局's village projects (五.1) and industry
links (五.3), 财政局's pooled funds (组织保障.2). The kinds they carry are listed in
data_access.reference.ASSISTANCE_KINDS."""

from __future__ import annotations

from typing import Any

from data_access.ingest.fields import Choice, Code, Day, Flag, Money, Number, ParseContext, Text
from data_access.ingest.kinds.base import (
    TOWN,
    VILLAGE_EXAMPLE,
    Column,
    Derive,
    FeedKind,
    _head,
    _not_before,
    _person,
)
from data_access.ingest.refs import HouseholdRef, HouseholdVillage, MemberRef, TownRef, VillageRef
from data_access.models import AssistanceRecord
from data_access.reference import ASSISTANCE_CATEGORIES, ASSISTANCE_KINDS


def _kinds(*keys: str, aliases: dict[str, str] | None = None) -> Choice:
    return Choice({k: ASSISTANCE_KINDS[k][0] for k in keys}, aliases or {})


def _categories(*kinds: str) -> Choice:
    words = dict.fromkeys(c for k in kinds for c in ASSISTANCE_CATEGORIES[k])
    return Choice({c: c for c in words})


def _derive(fixed_kind: str | None = None) -> Derive:
    """Fills the kind (when the feed carries one only) and checks what depends on the kind: an
    end only for running arrangements, a category from the kind's own list."""

    def derive(row: dict[str, Any], ctx: ParseContext) -> list[tuple[str, str]]:
        if fixed_kind is not None:
            row["kind"] = fixed_kind
        kind = row.get("kind")
        if kind not in ASSISTANCE_KINDS:
            return []
        errors = _not_before(row, "ended_on", "served_on", "结束日期早于开始日期")
        label, shape = ASSISTANCE_KINDS[kind][0], ASSISTANCE_KINDS[kind][5]
        if shape == "event" and row.get("ended_on") is not None:
            errors.append(("ended_on", f"“{label}”是一次性服务，不填结束日期"))
        allowed = ASSISTANCE_CATEGORIES.get(kind, ())
        if row.get("category") and row["category"] not in allowed:
            errors.append(("category", f"“{label}”的类别应为以下之一：" + "、".join(allowed)))
        return errors

    return derive


def _export(where: str, columns: str, joins: str = "") -> str:
    return f"SELECT {columns} FROM assistance_record a {joins} WHERE {where} ORDER BY a.id"


def _kind_in(*keys: str) -> str:
    return "a.kind IN (" + ", ".join(f"'{k}'" for k in keys) + ")"


_AMOUNT = Column("金额（元）", "amount_fen", Money(100_000_000), variants=("金额", "资金（元）"), example="5000.00")
_ELDERLY = ("elderly_visit", "home_retrofit", "mutual_aid_care")
_SOCIAL = ("pairing", "volunteer_service")
_CHARITY = ("charity_raised", "charity_spent")

DEPARTMENT_KINDS: tuple[FeedKind, ...] = (
    FeedKind(
        key="elderly_care",
        label="养老服务记录",
        department="民政局",
        model=AssistanceRecord,
        description="特殊困难老年人居家探访、适老化改造（金额）和互助式养老（开始、结束日期）（四.4）。",
        columns=(
            _person("老年人身份证号"),
            Column(
                "服务类别",
                "kind",
                _kinds(*_ELDERLY, aliases={"探访": "elderly_visit", "居家探访": "elderly_visit"}),
                variants=("类别", "服务项目"),
                example="特殊困难老年人居家探访",
            ),
            Column("服务日期", "served_on", Day(), variants=("探访日期", "开始日期", "改造日期"), example="2025-07-10"),
            Column(
                "结束日期",
                "ended_on",
                Day(),
                required=False,
                variants=("终止日期",),
                example="",
                note="仅互助式养老填写；仍在进行的不填",
            ),
            Column(
                "金额（元）",
                "amount_fen",
                Money(1_000_000),
                required=False,
                variants=("改造金额（元）", "金额"),
                example="",
                default=0,
                note="适老化改造填写",
            ),
        ),
        natural_key=("member_id", "kind", "served_on"),
        stored=(
            "kind",
            "town_code",
            "village_code",
            "household_id",
            "member_id",
            "served_on",
            "ended_on",
            "amount_fen",
        ),
        refs=(MemberRef("id_number"), HouseholdVillage()),
        derive=_derive(),
        feed="welfare",
        date_of=lambda r: r.get("served_on"),
        depends_on=("members",),
        export_sql=_export(
            _kind_in(*_ELDERLY),
            "m.id_number, a.kind, a.served_on, a.ended_on, a.amount_fen",
            "JOIN member m ON m.id = a.member_id",
        ),
    ),
    FeedKind(
        key="social_help",
        label="结对帮扶与志愿服务",
        department="民政局",
        model=AssistanceRecord,
        description="企事业单位、社会组织与家庭结对帮扶（开始、结束日期），志愿服务（日期、时长）（六.2、六.4）。",
        columns=(
            _head(),
            Column(
                "帮扶类别",
                "kind",
                _kinds(*_SOCIAL, aliases={"结对": "pairing", "志愿": "volunteer_service"}),
                variants=("类别",),
                example="结对帮扶",
            ),
            Column(
                "帮扶单位或志愿队伍",
                "partner",
                Text(60),
                variants=("结对单位", "志愿队伍", "单位名称"),
                example="昆山某电子有限公司",
            ),
            Column(
                "单位类型",
                "category",
                _categories("pairing"),
                required=False,
                variants=("结对单位类型",),
                example="企业",
                default="",
            ),
            Column("开始日期", "served_on", Day(), variants=("服务日期", "结对日期"), example="2025-03-01"),
            Column(
                "结束日期",
                "ended_on",
                Day(),
                required=False,
                variants=("终止日期",),
                example="",
                note="仅结对帮扶填写；仍在结对的不填",
            ),
            Column(
                "服务时长（小时）",
                "quantity",
                Number(0, 1000, 1),
                required=False,
                variants=("时长（小时）",),
                example="2",
                default=1.0,
                note="志愿服务填写",
            ),
        ),
        natural_key=("household_id", "kind", "partner", "served_on"),
        stored=(
            "kind",
            "town_code",
            "village_code",
            "household_id",
            "partner",
            "category",
            "served_on",
            "ended_on",
            "quantity",
        ),
        refs=(HouseholdRef("household_id_number"), HouseholdVillage()),
        derive=_derive(),
        feed="welfare",
        date_of=lambda r: r.get("served_on"),
        depends_on=("households",),
        export_sql=_export(
            _kind_in(*_SOCIAL),
            "h.head_id_number AS household_id_number, a.kind, a.partner, a.category, a.served_on, a.ended_on, "
            "a.quantity",
            "JOIN household h ON h.id = a.household_id",
        ),
    ),
    FeedKind(
        key="charity_funds",
        label="慈善资金收支",
        department="慈善总会",
        model=AssistanceRecord,
        description="慈善资金按区镇的募集（来源）与使用（用途），使用是否已向社会公开（六.3）。",
        columns=(
            TOWN,
            Column(
                "收支类别",
                "kind",
                _kinds(
                    *_CHARITY,
                    aliases={
                        "募集": "charity_raised",
                        "使用": "charity_spent",
                        "收入": "charity_raised",
                        "支出": "charity_spent",
                    },
                ),
                variants=("类别",),
                example="慈善资金募集",
            ),
            Column("日期", "served_on", Day(), variants=("到账日期", "拨付日期"), example="2025-05-20"),
            _AMOUNT,
            Column(
                "来源或用途", "category", _categories(*_CHARITY), variants=("资金来源", "资金用途"), example="企业捐赠"
            ),
            Column(
                "单位或项目",
                "partner",
                Text(60),
                required=False,
                variants=("捐赠单位", "项目名称"),
                example="",
                default="",
            ),
            Column(
                "已公开",
                "disclosed",
                Flag(),
                required=False,
                variants=("是否公开", "信息公开"),
                example="是",
                default=False,
                note="资金使用填写：是否已向社会公开",
            ),
        ),
        natural_key=("town_code", "kind", "served_on", "amount_fen", "category", "partner"),
        stored=("kind", "town_code", "served_on", "amount_fen", "category", "partner", "disclosed"),
        refs=(TownRef(),),
        derive=_derive(),
        repeats_allowed=True,
        feed="charity",
        date_of=lambda r: r.get("served_on"),
        depends_on=("villages",),
        export_sql=_export(
            _kind_in(*_CHARITY), "a.town_code, a.kind, a.served_on, a.amount_fen, a.category, a.partner, a.disclosed"
        ),
    ),
    FeedKind(
        key="village_projects",
        label="乡村振兴项目",
        department="农业农村局",
        model=AssistanceRecord,
        description="向村(社区)倾斜的乡村振兴项目：领域、开工日期、投入金额（五.1）。",
        columns=(
            Column(
                "村(社区)代码",
                "village_code",
                Code(20, "村(社区)代码"),
                variants=("村代码", "社区代码"),
                example=VILLAGE_EXAMPLE,
            ),
            Column("项目名称", "partner", Text(60), variants=("项目",), example="高标准农田建设"),
            Column(
                "项目领域",
                "category",
                _categories("village_project"),
                variants=("领域", "项目类别"),
                example="产业发展",
            ),
            Column("开工日期", "served_on", Day(), variants=("立项日期", "开始日期"), example="2025-04-01"),
            _AMOUNT,
        ),
        natural_key=("kind", "village_code", "partner", "served_on"),
        stored=("kind", "town_code", "village_code", "partner", "category", "served_on", "amount_fen"),
        refs=(VillageRef(),),
        derive=_derive("village_project"),
        feed="rural",
        date_of=lambda r: r.get("served_on"),
        depends_on=("villages",),
        export_sql=_export(
            "a.kind = 'village_project'", "a.village_code, a.partner, a.category, a.served_on, a.amount_fen"
        ),
    ),
    FeedKind(
        key="industry_links",
        label="产业利益联结",
        department="农业农村局",
        model=AssistanceRecord,
        description="龙头企业、农民专业合作社、家庭农场与低收入农户建立的利益联结（五.3）。",
        columns=(
            _head(),
            Column(
                "联结主体", "partner", Text(60), variants=("企业或合作社名称", "经营主体"), example="昆山某农业公司"
            ),
            Column("主体类型", "category", _categories("industry_link"), variants=("类型",), example="龙头企业"),
            Column("开始日期", "served_on", Day(), variants=("联结日期",), example="2025-03-01"),
            Column("结束日期", "ended_on", Day(), required=False, variants=("终止日期",), example=""),
        ),
        natural_key=("kind", "household_id", "partner", "served_on"),
        stored=(
            "kind",
            "town_code",
            "village_code",
            "household_id",
            "partner",
            "category",
            "served_on",
            "ended_on",
        ),
        refs=(HouseholdRef("household_id_number"), HouseholdVillage()),
        derive=_derive("industry_link"),
        feed="rural",
        date_of=lambda r: r.get("served_on"),
        depends_on=("households",),
        export_sql=_export(
            "a.kind = 'industry_link'",
            "h.head_id_number AS household_id_number, a.partner, a.category, a.served_on, a.ended_on",
            "JOIN household h ON h.id = a.household_id",
        ),
    ),
    FeedKind(
        key="pooled_funds",
        label="统筹整合资金",
        department="财政局",
        model=AssistanceRecord,
        description="按区镇下达的统筹整合涉农资金：来源、下达日期、金额（组织保障.2）。",
        columns=(
            TOWN,
            Column("资金名称", "partner", Text(60), variants=("资金项目",), example="2025年第一批涉农资金"),
            Column("资金来源", "category", _categories("pooled_fund"), variants=("来源",), example="市级资金"),
            Column("下达日期", "served_on", Day(), variants=("日期",), example="2025-03-15"),
            _AMOUNT,
        ),
        natural_key=("kind", "town_code", "partner", "served_on"),
        stored=("kind", "town_code", "partner", "category", "served_on", "amount_fen"),
        refs=(TownRef(),),
        derive=_derive("pooled_fund"),
        feed="finance",
        date_of=lambda r: r.get("served_on"),
        depends_on=("villages",),
        export_sql=_export("a.kind = 'pooled_fund'", "a.town_code, a.partner, a.category, a.served_on, a.amount_fen"),
    ),
)
