"""What a feed kind is (its columns, natural key, references, derive rules) and the shared
columns, choices and example IDs the department kinds are built from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table
from sqlmodel import SQLModel

from data_access.ingest import idnumber
from data_access.ingest.fields import Choice, Code, FieldType, IdNumber, ParseContext
from data_access.ingest.refs import Resolver
from data_access.reference import PLACEMENT_CHANNELS, RELIEF_TYPES
from data_access.tables import table_of


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
    def table(self) -> Table:
        return table_of(self.model)

    @property
    def table_name(self) -> str:
        return str(self.model.__tablename__)

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
    "anti_poverty": "防贫保险",
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
        "精准医疗防贫保险": "anti_poverty",
        "医疗防贫保险": "anti_poverty",
    },
)
SCHEME_FEEDS = {
    "pension": "employment",
    "employee_pension": "employment",
    "medical": "medical",
    "ltc": "medical",
    "anti_poverty": "rural",
}
SCHEME_DEPARTMENTS = {
    "pension": "人社局",
    "employee_pension": "人社局",
    "medical": "医保局",
    "ltc": "医保局",
    "anti_poverty": "农业农村局",
}
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


def _derive_span(start: str, end: str) -> Derive:
    def derive(row: dict[str, Any], ctx: ParseContext) -> list[tuple[str, str]]:
        return _not_before(row, end, start, "结束日期早于开始日期")

    return derive
