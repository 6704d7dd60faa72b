"""Reference data that is public fact, not demo invention: the towns and the 低保标准 history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

CITY_NAME = "昆山市"
CITY_CODE = "320583000000"


@dataclass(frozen=True)
class TownRef:
    code: str
    name: str
    short_name: str
    kind: str
    code_is_placeholder: bool = False


# 三区八镇. Codes are the official 12-digit statistical division codes where public.
TOWNS: tuple[TownRef, ...] = (
    TownRef("320583400000", "昆山开发区", "开发区", "区"),
    # No public statistical code was found for 昆山高新区: a stand-in, flagged as such.
    TownRef("320583-GXQ", "昆山高新区", "高新区", "区", code_is_placeholder=True),
    TownRef("320583104000", "花桥经济开发区", "花桥", "区"),
    TownRef("320583101000", "巴城镇", "巴城", "镇"),
    TownRef("320583102000", "周市镇", "周市", "镇"),
    TownRef("320583103000", "陆家镇", "陆家", "镇"),
    TownRef("320583105000", "淀山湖镇", "淀山湖", "镇"),
    TownRef("320583106000", "张浦镇", "张浦", "镇"),
    TownRef("320583107000", "周庄镇", "周庄", "镇"),
    TownRef("320583108000", "千灯镇", "千灯", "镇"),
    TownRef("320583109000", "锦溪镇", "锦溪", "镇"),
)


@dataclass(frozen=True)
class StandardRef:
    effective_from: date
    yuan: int
    source: str


# 低保标准 from public notices. 2021 and 2022 adjustments were not found: 1045 is kept
# for those years and the rows say so.
STANDARDS: tuple[StandardRef, ...] = (
    StandardRef(date(2019, 7, 1), 995, "2019年7月1日起执行（实施方案引用 995 元/月）"),
    StandardRef(date(2020, 7, 1), 1045, "2020年7月1日起执行"),
    StandardRef(date(2021, 7, 1), 1045, "2021年调整未查到公开文件，沿用 1045 元"),
    StandardRef(date(2022, 7, 1), 1045, "2022年调整未查到公开文件，沿用 1045 元"),
    StandardRef(date(2023, 7, 1), 1115, "2023年7月1日起执行"),
    StandardRef(date(2024, 7, 1), 1155, "2024年7月1日起执行"),
    StandardRef(date(2025, 7, 1), 1208, "2025年7月1日起执行"),
)
DEFAULT_MONITORING_MULTIPLIER = 2.0

# The seven relief types of clause 三 and their responsible units.
RELIEF_TYPES: dict[str, tuple[str, str, str]] = {
    # key: (label, 责任单位, clause)
    "living": ("生活救助", "民政局", "三.1"),
    "temporary": ("临时救助", "民政局", "三.2"),
    "medical": ("医疗救助", "医保局", "三.3"),
    "education": ("教育资助", "教育局", "三.4"),
    "housing": ("住房保障", "住建局", "三.5"),
    "legal": ("法律援助", "司法局", "三.6"),
    "insurance": ("保险补充", "农业农村局", "三.7"),
}

# 三.5: the two forms of housing support, by the household's income (差别化住房保障).
HOUSING_ITEMS: dict[str, str] = {"rent": "公租房租赁补贴", "purchase": "经济适用住房购房补贴"}
# 三.5 and 三.6 name who they are for: households impoverished by illness, schooling or disaster.
HOUSING_CAUSES: tuple[str, ...] = ("illness", "schooling", "disaster")

PLACEMENT_CHANNELS: dict[str, str] = {
    "employer": "用人单位吸纳",
    "flexible": "弹性岗位",
    "public_welfare": "公益性岗位",
    "cooperative": "劳务合作社",
}

CAUSES: dict[str, str] = {
    "illness": "因病",
    "disability": "因残",
    "schooling": "因学",
    "disaster": "因灾",
    "labour": "缺劳动力",
    "other": "其他",
}

# Department feeds (组织保障.4): key -> (department, label).
FEEDS: dict[str, tuple[str, str]] = {
    "caseload": ("民政局", "监测对象与审核"),
    "relief_civil": ("民政局", "生活救助与临时救助"),
    "employment": ("人社局", "就业创业与社保"),
    "medical": ("医保局", "医疗救助与医保参保"),
    "education": ("教育局", "教育资助"),
    "housing": ("住建局", "住房保障"),
    "legal": ("司法局", "法律援助"),
    "agriculture": ("农业农村局", "集体经济分红与保险补充"),
    "welfare": ("民政局", "养老服务与社会帮扶"),
    "charity": ("慈善总会", "慈善资金募集与使用"),
    "rural": ("农业农村局", "乡村振兴项目、联农带农与防贫保险"),
    "finance": ("财政局", "统筹整合资金"),
}

# 帮扶服务记录 (table assistance_record): what departments and social forces deliver beyond
# relief payments. key -> (label, 责任单位, clause, feed, subject, shape). The subject is who
# a row is about (member / household / village / town); the shape whether a row is one event
# on a day ("event") or a running arrangement from a start to an end ("span").
ASSISTANCE_KINDS: dict[str, tuple[str, str, str, str, str, str]] = {
    "elderly_visit": ("特殊困难老年人居家探访", "民政局", "四.4", "welfare", "member", "event"),
    "home_retrofit": ("适老化改造", "民政局", "四.4", "welfare", "member", "event"),
    "mutual_aid_care": ("互助式养老", "民政局", "四.4", "welfare", "member", "span"),
    "pairing": ("结对帮扶", "民政局", "六.4", "welfare", "household", "span"),
    "volunteer_service": ("志愿服务", "民政局", "六.2、六.4", "welfare", "household", "event"),
    "charity_raised": ("慈善资金募集", "慈善总会", "六.3", "charity", "town", "event"),
    "charity_spent": ("慈善资金使用", "慈善总会", "六.3", "charity", "town", "event"),
    "village_project": ("乡村振兴项目", "农业农村局", "五.1", "rural", "village", "event"),
    "industry_link": ("产业利益联结（联农带农）", "农业农村局", "五.3", "rural", "household", "span"),
    "pooled_fund": ("统筹整合涉农资金", "财政局", "组织保障.2", "finance", "town", "event"),
}
# Categories a row may carry, per kind (sources and uses of funds, partner types, project fields).
ASSISTANCE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "charity_raised": ("企业捐赠", "个人捐赠", "社会组织", "其他"),
    "charity_spent": ("生活帮扶", "助医", "助学", "助残", "其他"),
    "pairing": ("企业", "社会组织", "慈善机构", "事业单位"),
    "village_project": ("基础设施", "产业发展", "社区改造", "公共服务"),
    "industry_link": ("龙头企业", "农民专业合作社", "家庭农场"),
    "pooled_fund": ("中央和省级资金", "市级资金", "区镇资金"),
}
