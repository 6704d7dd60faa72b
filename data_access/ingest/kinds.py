"""The declarative registry of feed kinds: one record per table family a department sends.

A kind says which table it fills, its columns (template header, accepted header variants,
field, type, whether required, example), the natural key that recognises a row already in
the store (for duplicates and updates), how references resolve, and which department feed
(data_access.reference.FEEDS) its dates move. A new feed is one record here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from typing import Any

from sqlmodel import SQLModel

from data_access.ingest import idnumber
from data_access.ingest.fields import (
    Choice,
    Code,
    Day,
    FieldType,
    Flag,
    IdNumber,
    Integer,
    Moment,
    Money,
    Number,
    ParseContext,
    PeriodKey,
    Phone,
    Text,
    Year,
)
from data_access.ingest.refs import (
    CooperativeRef,
    HouseholdRef,
    MemberRef,
    Resolver,
    ScopeRef,
    TownRef,
    VillageRef,
)
from data_access.models import (
    CadreLink,
    CaseEvent,
    Cooperative,
    CooperativeYear,
    EntrepreneurshipSubsidy,
    FuminDividend,
    Goal,
    GuaranteedLoan,
    Household,
    IncomeAssessment,
    InsuranceEnrolment,
    JobPosting,
    Member,
    Placement,
    ReliefBudget,
    ReliefPayment,
    Training,
    Village,
)
from data_access.reference import CAUSES, PLACEMENT_CHANNELS, RELIEF_TYPES


@dataclass(frozen=True)
class Column:
    header: str  # as in the template
    field: str
    type: FieldType
    required: bool = True
    variants: tuple[str, ...] = ()  # other headers accepted for this column
    example: str = ""
    default: Any = None  # stored when an optional cell is blank
    note: str = ""  # extra help for the template's 填写说明


Derive = Callable[[dict[str, Any], ParseContext], list[tuple[str, str]]]
Hook = Callable[..., None]


@dataclass(frozen=True)
class FeedKind:
    key: str
    label: str
    department: str
    model: type[SQLModel]
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...]  # stored fields that identify a row
    stored: tuple[str, ...]  # fields written to the table (besides the id)
    export_sql: str  # the store's rows in column order, for exports and round trips
    feed: str | None = None  # FEEDS key this kind dates
    feed_of: Callable[[dict[str, Any]], str | None] | None = None  # per-row feed, overrides `feed`
    date_of: Callable[[dict[str, Any]], date | None] | None = None  # the row's data date
    department_of: Callable[[dict[str, Any]], str] | None = None
    refs: tuple[Resolver, ...] = ()
    derive: Derive | None = None  # cross-column checks and derived fields, per row
    # Identical rows may repeat (two students' aid on one day): matched to the store as a multiset.
    repeats_allowed: bool = False
    stamped: bool = False  # updated_at / updated_by set on write (goals)
    on_change: Hook | None = None  # called with the rows written, e.g. goal history
    depends_on: tuple[str, ...] = ()  # kinds to load first
    description: str = ""

    @property
    def table(self):
        return self.model.__table__  # type: ignore[attr-defined]

    @property
    def table_name(self) -> str:
        return self.model.__tablename__  # type: ignore[attr-defined,return-value]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.field == name), None)

    def feed_for(self, row: dict[str, Any]) -> str | None:
        return self.feed_of(row) if self.feed_of else self.feed

    def department_for(self, row: dict[str, Any]) -> str:
        return self.department_of(row) if self.department_of else self.department


def example_id(first17: str) -> str:
    return first17 + idnumber.check_char(first17)


HEAD_ID = example_id("32058319700101001")  # 1970-01-01, male
MEMBER_ID = example_id("32058320100101002")  # 2010-01-01, female
ID_TYPE = IdNumber()
HEAD_ID_VARIANTS = ("户主公民身份号码", "户主证件号码", "户主身份证号码", "家庭身份证号", "户主身份证")
PERSON_ID_VARIANTS = ("公民身份号码", "证件号码", "身份证号码", "身份证", "人员身份证号")
TOWN_EXAMPLE = "320583101000"
VILLAGE_EXAMPLE = "320583101001"


def _head(*extra: str) -> Column:
    return Column(
        "户主身份证号",
        "household_id_number",
        ID_TYPE,
        variants=HEAD_ID_VARIANTS + extra,
        example=HEAD_ID,
        note="家庭户主（或该户任一成员）的身份证号，用于找到系统中的家庭",
    )


def _person(*extra: str) -> Column:
    return Column(
        "身份证号",
        "id_number",
        ID_TYPE,
        variants=PERSON_ID_VARIANTS + extra,
        example=HEAD_ID,
        note="家庭成员本人的身份证号",
    )


TOWN = Column(
    "区镇代码", "town_code", Code(20, "区镇代码"), variants=("区镇编码", "镇代码", "所属区镇代码"), example=TOWN_EXAMPLE
)
RELIEF_TYPE = Choice(
    {k: v[0] for k, v in RELIEF_TYPES.items()},
    {
        "低保": "living",
        "最低生活保障": "living",
        "低保金": "living",
        "生活救助金": "living",
        "医疗救助金": "medical",
        "教育救助": "education",
        "住房救助": "housing",
        "住房补贴": "housing",
        "法律援助案件": "legal",
        "防贫保险": "insurance",
        "民生保险": "insurance",
    },
)
CHANNEL = Choice(PLACEMENT_CHANNELS, {"用人单位": "employer", "企业吸纳": "employer", "公益岗": "public_welfare"})
SUBSIDY_KIND = Choice(
    {
        "opening": "一次性开业补贴",
        "job_creation": "创业带动就业补贴",
        "rent": "创业租金补贴",
        "social_insurance": "创业社保补贴",
    },
    {"开业补贴": "opening", "带动就业补贴": "job_creation", "租金补贴": "rent", "社保补贴": "social_insurance"},
)
SCHEMES = {
    "pension": "城乡居民养老保险",
    "employee_pension": "职工养老保险",
    "medical": "居民医保",
    "ltc": "长期护理保险",
}
SCHEME = Choice(
    SCHEMES,
    {
        "城乡居民基本养老保险": "pension",
        "居民养老保险": "pension",
        "企业职工养老保险": "employee_pension",
        "职工基本养老保险": "employee_pension",
        "城乡居民医保": "medical",
        "居民基本医疗保险": "medical",
        "城乡居民基本医疗保险": "medical",
        "长护险": "ltc",
    },
)
SCHEME_FEEDS = {"pension": "employment", "employee_pension": "employment", "medical": "medical", "ltc": "medical"}
SCHEME_DEPARTMENTS = {"pension": "人社局", "employee_pension": "人社局", "medical": "医保局", "ltc": "医保局"}
# Which department feed dates each relief type (组织保障.4: each arrives on its own schedule).
RELIEF_TYPE_FEEDS = {
    "living": "relief_civil",
    "temporary": "relief_civil",
    "medical": "medical",
    "education": "education",
    "housing": "housing",
    "legal": "legal",
    "insurance": "agriculture",
}
STAGES = {
    "none": "不在读",
    "preschool": "学前教育",
    "compulsory": "义务教育",
    "high_school": "普通高中",
    "secondary_vocational": "中职",
    "college": "大专及以上",
}
RELATIONS = {"户主": "户主", "配偶": "配偶", "子女": "子女", "父母": "父母", "其他": "其他"}


def _latest(*days: date | datetime | None) -> date | None:
    found = [d.date() if isinstance(d, datetime) else d for d in days if d is not None]
    return max(found) if found else None


def _not_before(row: dict[str, Any], later: str, earlier: str, message: str) -> list[tuple[str, str]]:
    a, b = row.get(later), row.get(earlier)
    return [(later, message)] if a is not None and b is not None and a < b else []


# --------------------------------------------------------------------------- derive rules


def _derive_member(row: dict[str, Any], ctx: ParseContext) -> list[tuple[str, str]]:
    """Sex and birth date come with the ID number; where given they must agree with it."""
    number = row.get("id_number")
    if not number:
        return []
    errors = []
    born, sex = idnumber.birth_date(number), idnumber.sex(number)
    if row.get("birth_date") is None:
        row["birth_date"] = born
    elif row["birth_date"] != born:
        errors.append(("birth_date", f"出生日期与身份证号不一致（身份证号为 {born:%Y-%m-%d}）"))
    if not row.get("gender"):
        row["gender"] = sex
    elif row["gender"] != sex:
        errors.append(("gender", f"性别与身份证号不一致（身份证号为{sex}）"))
    return errors


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


def _derive_relief(row: dict[str, Any], ctx: ParseContext) -> list[tuple[str, str]]:
    if row.get("relief_type"):
        row["department"] = RELIEF_TYPES[row["relief_type"]][1]
    return []


def _derive_span(start: str, end: str) -> Derive:
    def derive(row: dict[str, Any], ctx: ParseContext) -> list[tuple[str, str]]:
        return _not_before(row, end, start, "结束日期早于开始日期")

    return derive


def _derive_training(row: dict[str, Any], ctx: ParseContext) -> list[tuple[str, str]]:
    errors = _not_before(row, "completed_on", "started_on", "结业日期早于开班日期")
    if row.get("certified") and row.get("completed_on") is None:
        errors.append(("certified", "没有结业日期，不能填写取得证书"))
    return errors


def _derive_posting(row: dict[str, Any], ctx: ParseContext) -> list[tuple[str, str]]:
    errors = _not_before(row, "closed_on", "posted_on", "截止日期早于发布日期")
    if row.get("filled") is not None and row.get("vacancies") is not None and row["filled"] > row["vacancies"]:
        errors.append(("filled", "已招人数超过招聘人数"))
    return errors


def _derive_fumin(row: dict[str, Any], ctx: ParseContext) -> list[tuple[str, str]]:
    paid, year = row.get("paid_on"), row.get("year")
    if paid is not None and year is not None and paid.year < year:
        return [("paid_on", "发放日期早于分红年度")]
    return []


def _derive_goal(row: dict[str, Any], ctx: ParseContext) -> list[tuple[str, str]]:
    from metrics.registry import KPI_BY_KEY

    kpi = KPI_BY_KEY.get(row.get("kpi_key", ""))
    if kpi is not None and kpi.is_rate and row.get("target") is not None and row["target"] > 100:
        return [("target", "百分比指标的目标不能超过 100")]
    return []


def _kpi_choice() -> Choice:
    from metrics.registry import KPIS

    return Choice({k.key: k.label for k in KPIS}, {k.short: k.key for k in KPIS if k.short_label})


def _goal_history(conn, changes, *, user: str, at: datetime, source: str) -> None:
    from data_access.goals import record_history

    record_history(conn, changes, user=user, at=at, source=source)


# --------------------------------------------------------------------------- the registry

KINDS_LIST: tuple[FeedKind, ...] = (
    FeedKind(
        key="villages",
        label="村(社区)名录",
        department="民政局",
        model=Village,
        description="各区镇所辖村(社区)的代码和名称。家庭档案和股份合作社引用这里的代码。",
        columns=(
            TOWN,
            Column(
                "村(社区)代码",
                "code",
                Code(20, "村(社区)代码"),
                variants=("村代码", "社区代码", "村(社区)编码", "村居代码"),
                example=VILLAGE_EXAMPLE,
            ),
            Column("村(社区)名称", "name", Text(40), variants=("村名称", "社区名称", "名称"), example="金星社区"),
            Column("类型", "kind", Choice({"村": "村", "社区": "社区"}), variants=("村或社区",), example="社区"),
        ),
        natural_key=("code",),
        stored=("code", "town_code", "name", "kind"),
        refs=(TownRef(),),
        export_sql="SELECT town_code, code, name, kind FROM village ORDER BY town_code, code",
    ),
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
        key="households",
        label="家庭档案（一户一档）",
        department="民政局",
        model=Household,
        description="监测对象家庭：户主、所在村(社区)、致贫原因。户主身份证号识别同一户，重复导入即更新。",
        columns=(
            Column(
                "户主身份证号",
                "head_id_number",
                ID_TYPE,
                variants=(*HEAD_ID_VARIANTS, "身份证号", "公民身份号码", "证件号码"),
                example=HEAD_ID,
            ),
            Column("户主姓名", "head_name", Text(40), variants=("户主", "姓名"), example="张建国"),
            Column(
                "区镇代码",
                "town_code",
                Code(20, "区镇代码"),
                required=False,
                variants=("区镇编码", "镇代码"),
                example=TOWN_EXAMPLE,
                note="可不填：按村(社区)代码确定",
            ),
            Column(
                "村(社区)代码",
                "village_code",
                Code(20, "村(社区)代码"),
                variants=("村代码", "社区代码"),
                example=VILLAGE_EXAMPLE,
            ),
            Column(
                "联系电话",
                "phone",
                Phone(),
                required=False,
                variants=("电话", "手机号", "手机号码"),
                example="13800000000",
                default="",
            ),
            Column(
                "致贫原因",
                "cause",
                Choice(
                    CAUSES, {"因教": "schooling", "缺劳力": "labour", "缺乏劳动力": "labour", "因病致贫": "illness"}
                ),
                variants=("主要致贫原因",),
                example="因病",
            ),
        ),
        natural_key=("head_id_number",),
        stored=("head_id_number", "head_name", "town_code", "village_code", "phone", "cause"),
        refs=(TownRef(), VillageRef()),
        feed="caseload",
        depends_on=("villages",),
        export_sql=(
            "SELECT head_id_number, head_name, town_code, village_code, phone, cause FROM household ORDER BY id"
        ),
    ),
    FeedKind(
        key="members",
        label="家庭成员",
        department="民政局",
        model=Member,
        description="每户的成员（含户主本人）：劳动能力、就业意愿、残疾、重病、在读学段、一人一策。",
        columns=(
            Column("户主身份证号", "household_id_number", ID_TYPE, variants=HEAD_ID_VARIANTS, example=HEAD_ID),
            Column("姓名", "name", Text(40), variants=("成员姓名",), example="张小红"),
            Column("身份证号", "id_number", ID_TYPE, variants=(*PERSON_ID_VARIANTS, "成员身份证号"), example=MEMBER_ID),
            Column(
                "性别",
                "gender",
                Choice({"男": "男", "女": "女"}),
                required=False,
                example="女",
                note="可不填：按身份证号",
            ),
            Column("出生日期", "birth_date", Day(), required=False, example="2010-01-01", note="可不填：按身份证号"),
            Column(
                "与户主关系",
                "relation",
                Choice(
                    RELATIONS,
                    {
                        "本人": "户主",
                        "儿子": "子女",
                        "女儿": "子女",
                        "父亲": "父母",
                        "母亲": "父母",
                        "妻": "配偶",
                        "夫": "配偶",
                    },
                ),
                variants=("关系",),
                example="子女",
            ),
            Column(
                "有劳动能力",
                "labour_capacity",
                Flag(),
                required=False,
                variants=("劳动能力",),
                example="否",
                default=False,
            ),
            Column(
                "有就业意愿",
                "willing_to_work",
                Flag(),
                required=False,
                variants=("就业意愿",),
                example="否",
                default=False,
            ),
            Column(
                "重度残疾", "severe_disability", Flag(), required=False, variants=("重残",), example="否", default=False
            ),
            Column(
                "重大疾病", "serious_illness", Flag(), required=False, variants=("重病",), example="否", default=False
            ),
            Column(
                "在读学段",
                "student_stage",
                Choice(
                    STAGES,
                    {
                        "学前": "preschool",
                        "小学": "compulsory",
                        "初中": "compulsory",
                        "高中": "high_school",
                        "中专": "secondary_vocational",
                        "中等职业教育": "secondary_vocational",
                        "大学": "college",
                        "无": "none",
                    },
                ),
                required=False,
                variants=("学段",),
                example="义务教育",
                default="none",
            ),
            Column(
                "一人一策",
                "has_individual_plan",
                Flag(),
                required=False,
                variants=("已制定一人一策",),
                example="否",
                default=False,
            ),
        ),
        natural_key=("id_number",),
        stored=(
            "household_id",
            "name",
            "id_number",
            "gender",
            "birth_date",
            "relation",
            "labour_capacity",
            "willing_to_work",
            "severe_disability",
            "serious_illness",
            "student_stage",
            "has_individual_plan",
        ),
        refs=(HouseholdRef("household_id_number"),),
        derive=_derive_member,
        feed="caseload",
        depends_on=("households",),
        export_sql=(
            "SELECT h.head_id_number AS household_id_number, m.name, m.id_number, m.gender, m.birth_date, m.relation, "
            "m.labour_capacity, m.willing_to_work, m.severe_disability, m.serious_illness, m.student_stage, "
            "m.has_individual_plan FROM member m JOIN household h ON h.id = m.household_id ORDER BY m.id"
        ),
    ),
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
        ),
        natural_key=("household_id", "relief_type", "paid_on", "amount_fen", "persons_covered"),
        stored=("household_id", "town_code", "relief_type", "department", "paid_on", "amount_fen", "persons_covered"),
        refs=(HouseholdRef("household_id_number"),),
        derive=_derive_relief,
        repeats_allowed=True,
        feed_of=lambda r: RELIEF_TYPE_FEEDS.get(r.get("relief_type", "")),
        department_of=lambda r: RELIEF_TYPES[r["relief_type"]][1],
        date_of=lambda r: r.get("paid_on"),
        depends_on=("households", "members"),
        export_sql=(
            "SELECT h.head_id_number AS household_id_number, p.relief_type, p.paid_on, p.amount_fen, p.persons_covered "
            "FROM relief_payment p JOIN household h ON h.id = p.household_id ORDER BY p.id"
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
    FeedKind(
        key="placements",
        label="就业安置",
        department="人社局",
        model=Placement,
        description="重点帮扶对象的就业安置（用人单位、弹性岗位、公益性岗位、劳务合作社）。",
        columns=(
            _person(),
            Column("安置渠道", "channel", CHANNEL, variants=("就业渠道", "安置方式"), example="用人单位吸纳"),
            Column(
                "用人单位",
                "employer",
                Text(80),
                required=False,
                variants=("就业单位", "单位名称"),
                example="昆山某某精密机械有限公司",
                default="",
            ),
            Column(
                "上岗日期", "started_on", Day(), variants=("开始日期", "安置日期", "就业日期"), example="2025-03-01"
            ),
            Column("离岗日期", "ended_on", Day(), required=False, variants=("结束日期", "终止日期"), example=""),
        ),
        natural_key=("member_id", "started_on"),
        stored=("member_id", "town_code", "channel", "employer", "started_on", "ended_on"),
        refs=(MemberRef("id_number"),),
        derive=_derive_span("started_on", "ended_on"),
        feed="employment",
        date_of=lambda r: _latest(r.get("started_on"), r.get("ended_on")),
        depends_on=("members",),
        export_sql=(
            "SELECT m.id_number, p.channel, p.employer, p.started_on, p.ended_on FROM placement p "
            "JOIN member m ON m.id = p.member_id ORDER BY p.id"
        ),
    ),
    FeedKind(
        key="trainings",
        label="技能培训",
        department="人社局",
        model=Training,
        description="免费技能培训的参训、结业和取证。",
        columns=(
            _person(),
            Column("培训项目", "course", Text(80), variants=("培训工种", "培训课程", "课程"), example="养老护理员"),
            Column("开班日期", "started_on", Day(), variants=("开始日期", "培训开始日期"), example="2025-04-01"),
            Column("结业日期", "completed_on", Day(), required=False, variants=("完成日期",), example="2025-04-20"),
            Column(
                "取得证书", "certified", Flag(), required=False, variants=("是否取证",), example="是", default=False
            ),
        ),
        natural_key=("member_id", "course", "started_on"),
        stored=("member_id", "town_code", "course", "started_on", "completed_on", "certified"),
        refs=(MemberRef("id_number"),),
        derive=_derive_training,
        feed="employment",
        date_of=lambda r: _latest(r.get("started_on"), r.get("completed_on")),
        depends_on=("members",),
        export_sql=(
            "SELECT m.id_number, t.course, t.started_on, t.completed_on, t.certified FROM training t "
            "JOIN member m ON m.id = t.member_id ORDER BY t.id"
        ),
    ),
    FeedKind(
        key="entrepreneurship_subsidies",
        label="创业补贴",
        department="人社局",
        model=EntrepreneurshipSubsidy,
        description="一次性开业补贴、创业带动就业补贴、创业租金补贴、创业社保补贴。",
        columns=(
            _person(),
            Column("补贴类型", "kind", SUBSIDY_KIND, variants=("补贴项目",), example="一次性开业补贴"),
            Column("发放日期", "granted_on", Day(), variants=("发放时间",), example="2025-05-10"),
            Column("金额（元）", "amount_fen", Money(1_000_000), variants=("补贴金额（元）",), example="8000.00"),
        ),
        natural_key=("member_id", "kind", "granted_on"),
        stored=("member_id", "town_code", "kind", "granted_on", "amount_fen"),
        refs=(MemberRef("id_number"),),
        feed="employment",
        date_of=lambda r: r.get("granted_on"),
        depends_on=("members",),
        export_sql=(
            "SELECT m.id_number, s.kind, s.granted_on, s.amount_fen FROM entrepreneurship_subsidy s "
            "JOIN member m ON m.id = s.member_id ORDER BY s.id"
        ),
    ),
    FeedKind(
        key="guaranteed_loans",
        label="创业担保贷款",
        department="人社局",
        model=GuaranteedLoan,
        description="创业担保贷款本金、期限及贴息。",
        columns=(
            _person(),
            Column("放款日期", "issued_on", Day(), variants=("发放日期", "贷款发放日期"), example="2025-06-01"),
            Column(
                "贷款本金（元）", "principal_fen", Money(10_000_000), variants=("贷款金额（元）",), example="200000.00"
            ),
            Column(
                "贴息金额（元）", "interest_subsidy_fen", Money(10_000_000), variants=("贴息（元）",), example="5000.00"
            ),
            Column("期限（月）", "term_months", Integer(1, 360, " 个月"), variants=("贷款期限（月）",), example="24"),
        ),
        natural_key=("member_id", "issued_on"),
        stored=("member_id", "town_code", "issued_on", "principal_fen", "interest_subsidy_fen", "term_months"),
        refs=(MemberRef("id_number"),),
        feed="employment",
        date_of=lambda r: r.get("issued_on"),
        depends_on=("members",),
        export_sql=(
            "SELECT m.id_number, g.issued_on, g.principal_fen, g.interest_subsidy_fen, g.term_months "
            "FROM guaranteed_loan g JOIN member m ON m.id = g.member_id ORDER BY g.id"
        ),
    ),
    FeedKind(
        key="job_postings",
        label="岗位储备库",
        department="人社局",
        model=JobPosting,
        description="岗位供给清单：各区镇登记的岗位、招聘人数和已招人数；同一岗位重复导入即更新进度。",
        columns=(
            TOWN,
            Column("用人单位", "employer", Text(80), variants=("单位名称",), example="昆山某某物业管理有限公司"),
            Column("岗位名称", "title", Text(80), variants=("岗位",), example="保洁员"),
            Column("岗位类别", "channel", CHANNEL, variants=("岗位类型", "安置渠道"), example="弹性岗位"),
            Column("发布日期", "posted_on", Day(), variants=("登记日期",), example="2025-05-01"),
            Column("截止日期", "closed_on", Day(), required=False, variants=("关闭日期",), example=""),
            Column("招聘人数", "vacancies", Integer(1, 100_000, " 人"), variants=("岗位数",), example="5"),
            Column(
                "已招人数",
                "filled",
                Integer(0, 100_000, " 人"),
                required=False,
                variants=("已安置人数",),
                example="2",
                default=0,
            ),
        ),
        natural_key=("town_code", "employer", "title", "channel", "posted_on"),
        stored=("town_code", "employer", "title", "channel", "posted_on", "closed_on", "vacancies", "filled"),
        refs=(TownRef(),),
        derive=_derive_posting,
        repeats_allowed=True,
        feed="employment",
        date_of=lambda r: _latest(r.get("posted_on"), r.get("closed_on")),
        export_sql=(
            "SELECT town_code, employer, title, channel, posted_on, closed_on, vacancies, filled FROM job_posting "
            "ORDER BY id"
        ),
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
    FeedKind(
        key="insurance_enrolments",
        label="参保记录",
        department="人社局、医保局",
        model=InsuranceEnrolment,
        description="城乡居民养老保险、职工养老保险（人社局），居民医保、长期护理保险（医保局）（四.1、四.3）。",
        columns=(
            _person(),
            Column("险种", "scheme", SCHEME, variants=("参保险种", "保险类型"), example="居民医保"),
            Column("参保日期", "enrolled_on", Day(), variants=("参保时间", "开始日期"), example="2024-01-01"),
            Column("终止日期", "ended_on", Day(), required=False, variants=("停保日期", "结束日期"), example=""),
            Column(
                "政府资助参保",
                "premium_subsidised",
                Flag(),
                required=False,
                variants=("资助参保", "代缴"),
                example="是",
                default=False,
            ),
        ),
        natural_key=("member_id", "scheme", "enrolled_on"),
        stored=("member_id", "scheme", "enrolled_on", "ended_on", "premium_subsidised"),
        refs=(MemberRef("id_number"),),
        derive=_derive_span("enrolled_on", "ended_on"),
        feed_of=lambda r: SCHEME_FEEDS.get(r.get("scheme", "")),
        department_of=lambda r: SCHEME_DEPARTMENTS[r["scheme"]],
        date_of=lambda r: _latest(r.get("enrolled_on"), r.get("ended_on")),
        depends_on=("members",),
        export_sql=(
            "SELECT m.id_number, i.scheme, i.enrolled_on, i.ended_on, i.premium_subsidised FROM insurance_enrolment i "
            "JOIN member m ON m.id = i.member_id ORDER BY i.id"
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
    FeedKind(
        key="goals",
        label="目标",
        department="领导小组办公室",
        model=Goal,
        description="领导小组按指标、范围（全市或区镇）和期间设定的目标；导入即新增或修改，留痕可查。",
        columns=(
            Column("指标", "kpi_key", _kpi_choice(), variants=("指标名称", "指标代码"), example="监测对象户数"),
            Column("范围", "scope_code", Text(40), variants=("区镇", "区镇代码", "范围（全市或区镇）"), example="全市"),
            Column("期间", "period", PeriodKey(), variants=("目标期间", "年度"), example="2025"),
            Column("目标值", "target", Number(0, 1e12), variants=("目标",), example="7800"),
            Column("备注", "note", Text(200), required=False, variants=("说明",), example="较上年末减少3%", default=""),
        ),
        natural_key=("kpi_key", "scope_code", "period"),
        stored=("kpi_key", "scope_code", "period", "target", "note"),
        refs=(ScopeRef(),),
        derive=_derive_goal,
        stamped=True,
        on_change=_goal_history,
        export_sql=(
            "SELECT kpi_key, CASE WHEN scope_code = 'city' THEN '全市' ELSE scope_code END AS scope_code, period, "
            "target, note FROM goal ORDER BY id"
        ),
    ),
)

KINDS: dict[str, FeedKind] = {k.key: k for k in KINDS_LIST}
# The order a whole city is loaded in: parents before the rows that refer to them.
LOAD_ORDER: tuple[str, ...] = tuple(k.key for k in KINDS_LIST)


def kind_choices() -> dict[str, str]:
    """kind key -> “label（department）” for selectors."""
    return {k.key: f"{k.label}（{k.department}）" for k in KINDS_LIST}
