"""Demo names and vocabularies: people, places, ID numbers, employers, courses, causes and
the table labels the CLI prints."""

from __future__ import annotations

import random

# --------------------------------------------------------------------------- names and IDs

SURNAMES = "王张陈李周徐朱顾沈陆吴钱孙杨黄刘许金蒋姚蔡胡潘严邹宋曹戴汤夏薛俞范冯唐郁殷盛邵施龚秦褚"
MALE_CHARS = "建国明伟强军华平海林峰杰斌勇龙春荣根福兴德良东洪志文涛磊浩宇俊辉新刚庆永金宝成晨阳超鹏飞振"
FEMALE_CHARS = "英芳兰红梅玉秀珍凤琴丽娟敏静燕霞萍云洁婷雪月芬琳佳怡欣雯莉菊桂花丹倩晓颖蓉慧"
PLACE_FIRST = "金新东西南北长永兴安和富康顺宏盛华青绿朝民联星湖港泾浦塘桥溪林茂丰泰祥福龙凤"
VILLAGE_SECOND = "星丰华联兴安泾浜塘港湾桥圩庄里湖阳河浦林溪荡田墩泽"
COMMUNITY_SECOND = "阳华苑园城景湾庭馨悦翠锦宁都峰"

ID_AREA = "320583"  # 昆山市
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"


def id_check_digit(first17: str) -> str:
    """GB 11643 check character of a resident ID number's first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def _person_name(rng: random.Random, gender: str, surname: str | None = None) -> str:
    chars = MALE_CHARS if gender == "男" else FEMALE_CHARS
    given = "".join(rng.choice(chars) for _ in range(1 if rng.random() < 0.2 else 2))
    return (surname or rng.choice(SURNAMES)) + given


def _place_names(rng: random.Random, count: int, seconds: str, suffix: str, taken: set[str]) -> list[str]:
    """Distinct two-character place names, e.g. 金星村 / 青阳社区, unique within a town."""
    names: list[str] = []
    while len(names) < count:
        first, second = rng.choice(PLACE_FIRST), rng.choice(seconds)
        name = f"{first}{second}{suffix}"
        if first != second and name not in taken:
            taken.add(name)
            names.append(name)
    return names


EMPLOYER_BRANDS = (
    "华宇",
    "龙腾",
    "瑞鑫",
    "鸿运",
    "恒达",
    "信义",
    "富源",
    "嘉和",
    "宏图",
    "汇通",
    "天成",
    "金盛",
    "华昌",
    "新亚",
)
EMPLOYER_TRADES = (
    "精密机械",
    "电子科技",
    "光电",
    "包装材料",
    "物流",
    "食品",
    "纺织",
    "汽车零部件",
    "模具",
    "新材料",
    "印刷",
)
COURSES = (
    "养老护理员",
    "保洁员",
    "电工",
    "电子商务",
    "家政服务",
    "育婴员",
    "中式烹调师",
    "叉车司机",
    "网络直播营销",
)
JOB_TITLES = {
    "employer": ("普工", "质检员", "仓库管理员", "包装工", "叉车司机", "食堂帮厨"),
    "flexible": ("养老护理员", "保洁员", "育婴员", "绿化养护工", "家政服务员"),
    "public_welfare": ("公益性岗位协管员", "交通协管员", "垃圾分类督导员", "河道保洁员"),
    "cooperative": ("绿化工", "保洁员", "搬运工", "物业维修工"),
}
CHANNEL_WEIGHTS = {"employer": 50, "flexible": 20, "public_welfare": 15, "cooperative": 15}

CAUSE_WEIGHTS = {"illness": 26, "disability": 18, "schooling": 9, "disaster": 4, "labour": 22, "other": 21}
ENTRY_REASONS = {
    "illness": "因病致贫",
    "disability": "因残致贫",
    "schooling": "因学致贫",
    "disaster": "因灾致贫",
    "labour": "缺劳动力",
    "other": "其他",
}
EXIT_INCOME = "收入超过监测线"
EXIT_REASON_WEIGHTS = {EXIT_INCOME: 70, "死亡": 12, "迁出": 10, "其他": 8}

# Per-student aid per semester, yuan (教育资助 三.4).
EDUCATION_AID_YUAN = {"preschool": 1000, "compulsory": 500, "high_school": 1250, "secondary_vocational": 1000}
MONTHLY_LIVING_SHARE = 0.30  # monthly living relief per disabled / ill member, as a share of S
TABLE_LABELS = {
    "town": "区镇",
    "village": "村（社区）",
    "living_standard": "低保标准",
    "setting": "设置",
    "feed_status": "数据来源",
    "cooperative": "股份合作社",
    "cooperative_year": "合作社年度数据",
    "household": "家庭",
    "member": "家庭成员",
    "income_assessment": "收入评估",
    "case_event": "新增/退出事件",
    "relief_payment": "救助发放",
    "relief_budget": "救助预算",
    "placement": "就业安置",
    "training": "技能培训",
    "entrepreneurship_subsidy": "创业补贴",
    "guaranteed_loan": "创业担保贷款",
    "job_posting": "岗位储备",
    "fumin_dividend": "富民分红",
    "insurance_enrolment": "参保记录",
    "cadre_link": "挂钩联系",
    "assistance_record": "帮扶服务记录",
}
