"""Feed kinds of 民政局's register: villages, households (一户一档) and their members."""

from __future__ import annotations

from typing import Any

from data_access.ingest import idnumber
from data_access.ingest.fields import Choice, Code, Day, Flag, ParseContext, Phone, Text
from data_access.ingest.kinds.base import (
    HEAD_ID,
    HEAD_ID_VARIANTS,
    ID_TYPE,
    MEMBER_ID,
    PERSON_ID_VARIANTS,
    RELATIONS,
    STAGES,
    TOWN,
    TOWN_EXAMPLE,
    VILLAGE_EXAMPLE,
    Column,
    FeedKind,
)
from data_access.ingest.refs import HouseholdRef, TownRef, VillageRef
from data_access.models import Household, Member, Village
from data_access.reference import CAUSES


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


DEPARTMENT_KINDS: tuple[FeedKind, ...] = (
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
)
