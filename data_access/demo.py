"""演示数据: a deterministic, believable demo city for the dashboard.

`generate(engine)` fills an empty, migrated store with 60 months of history (DEMO_START to
DEMO_END) for all 11 towns: households and members (一户一档), income assessments, the
two-level review of entries and exits, the seven relief types, employment support,
cooperatives and dividends, insurance, cadre links and each department feed's freshness.

Everything derives from random.Random(seed), never from the clock or the global random, so
one seed and scale always give the same rows. Relief is paid only where metrics.rules says
the household qualifies on the payment date; a few qualifying households are deliberately
left unpaid (应助尽助 gaps) so the dashboard has something to find.

CLI: python -m data_access.demo [--scale 1] [--seed N] [--if-empty]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from time import perf_counter
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from data_access import reference
from data_access.models import (
    CadreLink,
    CaseEvent,
    Cooperative,
    CooperativeYear,
    EntrepreneurshipSubsidy,
    FeedStatus,
    FuminDividend,
    GuaranteedLoan,
    Household,
    IncomeAssessment,
    InsuranceEnrolment,
    JobPosting,
    LivingStandard,
    Member,
    Placement,
    ReliefBudget,
    ReliefPayment,
    Setting,
    Town,
    Training,
    Village,
)
from metrics import rules

__all__ = [
    "DEFAULT_SEED",
    "DEMO_END",
    "DEMO_START",
    "DemoStoreNotEmptyError",
    "generate",
    "id_check_digit",
    "main",
    "seed_if_empty",
]

DEMO_START = date(2021, 11, 1)  # first month of monthly history
DEMO_END = date(2026, 10, 31)  # last day with data
DEFAULT_SEED = 20200805
MONTHS = 60
SOURCE = "演示数据生成器"
CHUNK_ROWS = 5_000

# Timestamps are naive local (Beijing) time, as the store keeps them; reviews happen in office hours.
END_OF_DATA = datetime.combine(DEMO_END, time(23, 59, 59))

INITIAL_ENTRY_FROM = date(2019, 10, 1)  # the opening stock entered 2019-2021
FUTURE_MONTHS = 8  # simulated past DEMO_END: cases submitted before it, approved after, are pending
MIN_STAY_DAYS = 183
BACKLOG_FROM = date(2026, 5, 1)  # reviews slow down in the last months: the pipeline fills up
EMPLOYMENT_FROM = date(2020, 1, 1)

# Departments report on their own schedule (组织保障.4): these feeds lag DEMO_END.
FEED_DATA_DATES: dict[str, date] = {
    "medical": date(2026, 9, 30),
    "education": date(2026, 9, 30),
    "legal": date(2026, 9, 30),
    "agriculture": date(2025, 12, 31),
}
RELIEF_FEED = {
    "living": "relief_civil",
    "temporary": "relief_civil",
    "medical": "medical",
    "education": "education",
    "housing": "housing",
    "legal": "legal",
    "insurance": "agriculture",
}


def feed_data_date(feed: str) -> date:
    return FEED_DATA_DATES.get(feed, DEMO_END)


# --------------------------------------------------------------------------- towns


@dataclass(frozen=True)
class TownProfile:
    """How one town's demo data differs, so towns can be compared side by side."""

    villages: int  # 村
    communities: int  # 社区
    households: int  # on the register at DEMO_END, at scale 1
    growth: float  # register at DEMO_END / register at DEMO_START
    relief_gap: float  # share of qualifying households left unpaid (应助尽助 gap)
    placement: float  # share of key employment targets in work
    plan: float  # share of key targets with an individual plan (一人一策)
    pension_gap: float  # share of pension-age members not enrolled
    dividend_met: float  # share of cooperatives meeting 五.2 each year
    slow_review: float  # share of cases stalling at a review stage
    budget_factor: float  # budget / expected spending: >1 behind pace, <1 ahead
    exit_hazard: float = 0.013  # monthly probability a household leaves the register
    fumin: float = 0.70  # share of eligible households receiving 富民 dividends


PROFILES: dict[str, TownProfile] = {
    "开发区": TownProfile(6, 45, 1150, 0.94, 0.04, 0.82, 0.88, 0.010, 0.84, 0.12, 1.05, 0.014, 0.72),
    "高新区": TownProfile(5, 35, 720, 1.04, 0.03, 0.80, 0.85, 0.060, 0.82, 0.06, 0.92, 0.013, 0.68),
    "花桥": TownProfile(6, 30, 680, 1.08, 0.11, 0.76, 0.78, 0.080, 0.80, 0.07, 1.20, 0.012, 0.66),
    "巴城": TownProfile(16, 14, 830, 0.93, 0.04, 0.74, 0.82, 0.015, 0.60, 0.05, 1.00, 0.013, 0.74),
    "周市": TownProfile(14, 20, 780, 0.95, 0.12, 0.78, 0.80, 0.020, 0.83, 0.06, 0.88, 0.013, 0.70),
    "陆家": TownProfile(10, 14, 580, 0.92, 0.03, 0.80, 0.90, 0.010, 0.85, 0.04, 1.10, 0.014, 0.76),
    "淀山湖": TownProfile(18, 8, 520, 0.90, 0.04, 0.60, 0.70, 0.020, 0.58, 0.05, 0.95, 0.013, 0.64),
    "张浦": TownProfile(18, 12, 880, 0.93, 0.05, 0.79, 0.84, 0.015, 0.80, 0.13, 1.02, 0.013, 0.71),
    "周庄": TownProfile(20, 6, 480, 0.88, 0.03, 0.62, 0.72, 0.020, 0.78, 0.05, 1.15, 0.014, 0.69),
    "千灯": TownProfile(16, 12, 720, 0.94, 0.10, 0.77, 0.86, 0.020, 0.81, 0.06, 0.90, 0.013, 0.73),
    "锦溪": TownProfile(20, 14, 660, 0.89, 0.04, 0.63, 0.75, 0.025, 0.60, 0.05, 1.22, 0.014, 0.67),
}


@dataclass(frozen=True)
class _Village:
    code: str
    town_code: str
    name: str
    kind: str  # 村 / 社区
    cadres: tuple[str, ...]


@dataclass
class _Town:
    ref: reference.TownRef
    sort_order: int
    profile: TownProfile
    villages: list[_Village]
    village_weights: list[float]  # cumulative, for picking a household's village

    @property
    def code(self) -> str:
        return self.ref.code


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
}

# --------------------------------------------------------------------------- dates and standards

STANDARDS: tuple[rules.Standard, ...] = tuple(
    rules.Standard(s.effective_from, s.yuan * 100, reference.DEFAULT_MONITORING_MULTIPLIER) for s in reference.STANDARDS
)


@cache
def _standard_at(day: date) -> rules.Standard:
    # Cached: the same few hundred payment dates are asked about for every household.
    return rules.standard_in_force(STANDARDS, day)


def _add_months(day: date, months: int) -> date:
    """First day of the month `months` after day's month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_end(first: date) -> date:
    return _add_months(first, 1) - timedelta(days=1)


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def _random_day(rng: random.Random, first: date, last: date) -> date:
    return first + _days(rng.randint(0, max(0, (last - first).days)))


def _office_time(rng: random.Random, day: date) -> datetime:
    minute = rng.randint(8 * 60 + 30, 17 * 60 + 30)
    return datetime.combine(day, time(minute // 60, minute % 60))


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _monthly(day_of_month: int, until: date, months: Sequence[int] = tuple(range(1, 13))) -> tuple[date, ...]:
    out = []
    for i in range(MONTHS):
        first = _add_months(DEMO_START, i)
        day = first.replace(day=day_of_month)
        if first.month in months and day <= until:
            out.append(day)
    return tuple(out)


LIVING_DAYS = _monthly(10, feed_data_date("relief_civil"))
HOUSING_DAYS = _monthly(15, feed_data_date("housing"))
MEDICAL_DAYS = _monthly(20, feed_data_date("medical"), months=(1, 4, 7, 10))
EDUCATION_DAYS = _monthly(20, feed_data_date("education"), months=(3, 9))
FUMIN_YEARS = range(DEMO_START.year + 1, DEMO_END.year + 1)  # paid each January for the year before
COOPERATIVE_YEARS = range(2020, 2026)
BUDGET_YEARS = range(2021, 2027)


def _days_within(days: Sequence[date], first: date, last: date) -> Sequence[date]:
    return days[bisect_left(days, first) : bisect_right(days, last)]


# --------------------------------------------------------------------------- small random helpers


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 50:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, product = math.exp(-lam), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _geometric(rng: random.Random, p: float) -> int:
    """Failures before the first success: months until a monthly event happens."""
    return int(math.log(1.0 - rng.random()) / math.log(1.0 - p))


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(tuple(weights), weights=tuple(weights.values()))[0]


def _yuan(rng: random.Random, low: int, high: int, step: int = 10) -> int:
    """A random amount in fen, between low and high yuan, in steps of `step` yuan."""
    return rng.randrange(low // step, high // step + 1) * step * 100


# --------------------------------------------------------------------------- writer


class _Writer:
    """Buffers rows per table and inserts them in chunks, parents before children.

    Ids are assigned here, so no insert needs a round trip for its key.
    """

    def __init__(self, connection: Connection, chunk_rows: int = CHUNK_ROWS) -> None:
        self._conn = connection
        self._chunk_rows = chunk_rows
        self._order = list(SQLModel.metadata.sorted_tables)  # foreign keys are checked per statement
        self._buffers: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._last_id: dict[str, int] = defaultdict(int)
        self.counts: dict[str, int] = {}

    def new_id(self, model: type[SQLModel]) -> int:
        name = model.__tablename__
        self._last_id[name] += 1
        return self._last_id[name]

    def add(self, model: type[SQLModel], row: dict[str, Any]) -> None:
        name = model.__tablename__
        self.counts.setdefault(name, 0)
        buffer = self._buffers[name]
        buffer.append(row)
        if len(buffer) >= self._chunk_rows:
            self.flush()

    def flush(self) -> None:
        for table in self._order:
            rows = self._buffers.get(table.name)
            if rows:
                self._conn.execute(table.insert(), rows)
                self.counts[table.name] += len(rows)
                self._buffers[table.name] = []

    def tables_with_ids(self) -> list[str]:
        return [name for name, last in self._last_id.items() if last > 0]


class _Ledger:
    """Relief spending per (year, town, type): the basis of the budgets."""

    def __init__(self) -> None:
        self.spent: dict[tuple[int, str, str], int] = defaultdict(int)

    def add(self, year: int, town_code: str, relief_type: str, amount_fen: int) -> None:
        self.spent[(year, town_code, relief_type)] += amount_fen

    def expected(self, year: int, town_code: str, relief_type: str) -> float:
        # The history covers only Nov-Dec 2021 and Jan-Oct 2026: plan those years on a full one.
        if year <= 2021:
            return self.spent[(2022, town_code, relief_type)] * 0.96
        if year >= 2026:
            return self.spent[(2025, town_code, relief_type)] * 1.05
        return float(self.spent[(year, town_code, relief_type)])


# --------------------------------------------------------------------------- households


@dataclass
class _Member:
    id: int
    name: str
    id_number: str
    gender: str
    birth_date: date
    relation: str
    severe_disability: bool = False
    serious_illness: bool = False
    labour_capacity: bool = False
    willing_to_work: bool = False
    has_individual_plan: bool = False
    upper_track: str = "none"  # what the member does at 15-17: high_school / secondary_vocational / none
    college: bool = False

    def stage_on(self, day: date) -> str:
        """School stage at a date, from age (so history follows a child through school)."""
        age = _age_on(self.birth_date, day)
        if 3 <= age <= 5:
            return "preschool"
        if 6 <= age <= 14:
            return "compulsory"
        if 15 <= age <= 17:
            return self.upper_track
        if 18 <= age <= 21 and self.college:
            return "college"
        return "none"

    @property
    def key_target(self) -> bool:
        return self.labour_capacity and self.willing_to_work


@dataclass(frozen=True)
class _Assessment:
    on: date
    income_fen: int
    medical_ytd_fen: int
    sharp_drop: bool = False


@dataclass(frozen=True)
class _Review:
    """Timestamps of one case through 村 review, 区镇 approval and 市级备案 (None = not yet)."""

    submitted: datetime
    village: datetime | None
    town: datetime | None
    city: datetime | None

    @property
    def effective(self) -> date | None:
        return self.town.date() if self.town else None


@dataclass(frozen=True)
class _Spell:
    entry: date  # simulated approval date of the entry (may fall after DEMO_END)
    exit: date | None  # simulated approval date of the exit (may fall after DEMO_END)
    exit_reason: str | None


@dataclass
class _Household:
    id: int
    town: _Town
    village: _Village
    cause: str
    members: list[_Member]
    entry_on: date | None  # effective entry; None while the entry is still under review
    exit_on: date | None  # effective exit; None while on the register or the exit is pending
    gaps: frozenset[str] = frozenset()  # relief types withheld although due (应助尽助 gaps)
    assessments: list[_Assessment] = field(default_factory=list)
    _assessed_on: list[date] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def has_disabled(self) -> bool:
        return any(m.severe_disability for m in self.members)

    @property
    def has_ill(self) -> bool:
        return any(m.serious_illness for m in self.members)

    @property
    def last_active_day(self) -> date | None:
        if self.entry_on is None:
            return None
        return min(DEMO_END, self.exit_on - _days(1)) if self.exit_on else DEMO_END

    def set_assessments(self, items: list[_Assessment]) -> None:
        self.assessments = items
        self._assessed_on = [a.on for a in items]

    def active_on(self, day: date) -> bool:
        """On the register: its latest effective event on or before day is the entry."""
        return self.entry_on is not None and self.entry_on <= day and (self.exit_on is None or day < self.exit_on)

    def assessment_on(self, day: date) -> _Assessment | None:
        index = bisect_right(self._assessed_on, day) - 1
        return self.assessments[index] if index >= 0 else None

    def below_line_on(self, day: date) -> _Assessment | None:
        """The assessment in force when the household is on the register with I < M, else None."""
        if not self.active_on(day):
            return None
        current = self.assessment_on(day)
        if current is None or current.income_fen >= _standard_at(day).monitoring_line_fen:
            return None
        return current


def _review(rng: random.Random, approved_on: date, slow_share: float) -> _Review:
    """Stage timestamps around an approval date; stages after DEMO_END have not happened yet."""
    if approved_on >= BACKLOG_FROM:
        slow_share = min(0.75, slow_share * 6)
    town_days = _stage_days(rng, 3, 20, slow_share)
    village_days = _stage_days(rng, 2, 15, slow_share)
    filing_days = _stage_days(rng, 2, 30, slow_share)
    town = _office_time(rng, approved_on)
    village = _office_time(rng, approved_on - _days(town_days))
    submitted = _office_time(rng, village.date() - _days(village_days))
    stages: list[datetime | None] = [village, town, _office_time(rng, approved_on + _days(filing_days))]
    for i, stamp in enumerate(stages):
        if stamp is not None and stamp > END_OF_DATA:
            stages[i:] = [None] * (len(stages) - i)
            break
    return _Review(submitted, *stages)


def _stage_days(rng: random.Random, low: int, high: int, slow_share: float) -> int:
    if rng.random() < slow_share:
        return rng.randint(high + 1, high + 75)  # a stalled case
    return rng.randint(low, high)


class _TownGenerator:
    """Households of one town and everything hanging off them, streamed to the writer."""

    def __init__(
        self,
        rng: random.Random,
        town: _Town,
        *,
        scale: float,
        writer: _Writer,
        ledger: _Ledger,
        used_ids: set[str],
    ) -> None:
        self.rng = rng
        self.town = town
        self.profile = town.profile
        self.scale = scale
        self.writer = writer
        self.ledger = ledger
        self.used_ids = used_ids
        self.active_at_end = 0

    # -- register dynamics --------------------------------------------------------------

    def run(self) -> int:
        for spell in sorted(self._spells(), key=lambda s: s.entry):
            self._household(spell)
        return self.active_at_end

    def _spells(self) -> list[_Spell]:
        """Entry and exit dates: an opening stock, monthly entries, a monthly exit hazard.

        Entries are sized so the expected register at DEMO_END is the profile's, and the
        opening stock so the register drifts by the profile's growth over the 60 months.
        """
        rng, p = self.rng, self.profile
        stay = 1.0 - p.exit_hazard
        target = p.households * self.scale
        opening = round(target / p.growth)
        min_stay_months = MIN_STAY_DAYS // 30
        survival = sum(
            1.0 if m + min_stay_months >= MONTHS else stay ** (MONTHS - m - min_stay_months) for m in range(MONTHS)
        )
        monthly_entries = max(0.0, (target - opening * stay**MONTHS) / survival)
        spells = [
            self._spell(_random_day(rng, INITIAL_ENTRY_FROM, DEMO_START - _days(1)), first_exit_month=0)
            for _ in range(opening)
        ]
        for m in range(MONTHS + FUTURE_MONTHS):
            first = _add_months(DEMO_START, m)
            for _ in range(_poisson(rng, monthly_entries)):
                entry = _random_day(rng, first, _month_end(first))
                spells.append(self._spell(entry, first_exit_month=m + min_stay_months))
        return spells

    def _spell(self, entry: date, *, first_exit_month: int) -> _Spell:
        month = first_exit_month + _geometric(self.rng, self.profile.exit_hazard)
        if month >= MONTHS + FUTURE_MONTHS:
            return _Spell(entry, None, None)
        first = _add_months(DEMO_START, month)
        exit_on = max(_random_day(self.rng, first, _month_end(first)), entry + _days(MIN_STAY_DAYS))
        return _Spell(entry, exit_on, _pick(self.rng, EXIT_REASON_WEIGHTS))

    # -- one household --------------------------------------------------------------------

    def _household(self, spell: _Spell) -> None:
        rng, p = self.rng, self.profile
        # The opening stock went through on the normal timetable, so no review predates the
        # first standard (2019-07-01) that its entry assessment is measured against.
        entry = _review(rng, spell.entry, p.slow_review if spell.entry >= DEMO_START else 0.0)
        if entry.submitted > END_OF_DATA:
            return  # applies only after the data ends
        exit_review = None
        if spell.exit is not None and entry.effective is not None:
            exit_review = _review(rng, spell.exit, p.slow_review)
            if exit_review.submitted.date() <= entry.effective + _days(30):
                exit_review = _review(rng, spell.exit, 0.0)
        cause = _pick(rng, CAUSE_WEIGHTS)
        hh = _Household(
            id=self.writer.new_id(Household),
            town=self.town,
            village=self._pick_village(),
            cause=cause,
            members=self._members(cause),
            entry_on=entry.effective,
            exit_on=exit_review.effective if exit_review else None,
            gaps=frozenset(t for t in ("living", "medical", "education") if rng.random() < p.relief_gap),
        )
        income_exit_on = exit_review.submitted.date() if exit_review and spell.exit_reason == EXIT_INCOME else None
        hh.set_assessments(self._assessments(hh, entry.submitted.date(), spell.exit, income_exit_on))
        if hh.active_on(DEMO_END):
            self.active_at_end += 1

        self._write_household(hh)
        self._write_event(hh, "entry", ENTRY_REASONS[cause], entry)
        if exit_review is not None and exit_review.submitted <= END_OF_DATA:
            self._write_event(hh, "exit", spell.exit_reason or "其他", exit_review)
        for a in hh.assessments:
            self._write_assessment(hh, a)
        if hh.entry_on is not None:
            self._relief(hh)
            self._fumin(hh)
            self._cadre(hh)
            placements = {m.id: self._employment(hh, m) for m in hh.members if m.key_target}
        else:
            placements = {}
        self._insurance(hh, entry.submitted.date(), placements)

    def _pick_village(self) -> _Village:
        weights = self.town.village_weights
        return self.town.villages[bisect_right(weights, self.rng.random() * weights[-1])]

    # -- members --------------------------------------------------------------------------

    def _members(self, cause: str) -> list[_Member]:
        rng = self.rng
        size = rng.choices((1, 2, 3, 4, 5), weights=(20, 28, 27, 17, 8))[0]
        if cause == "schooling":
            size = max(size, 2)
        head_age = self._head_age(cause)
        head_gender = "男" if rng.random() < 0.66 else "女"
        people: list[tuple[str, str, int]] = [("户主", head_gender, head_age)]
        for slot in range(1, size):
            people.append(self._relative(slot, head_age, head_gender, cause, people))
        surnames = self._surnames(people)
        members = [
            self._member(relation, gender, age, surname)
            for (relation, gender, age), surname in zip(people, surnames, strict=True)
        ]
        self._ensure_cause(members, cause)
        return members

    def _surnames(self, people: list[tuple[str, str, int]]) -> list[str]:
        """Children and grandchildren take the father's surname, as is usual."""
        head = self.rng.choice(SURNAMES)
        spouse = self.rng.choice(SURNAMES)
        father = head if people[0][1] == "男" or all(r != "配偶" for r, _, _ in people) else spouse
        by_relation = {"户主": head, "配偶": spouse, "子女": father, "其他": father}
        return [
            by_relation.get(relation, head if gender == "男" else self.rng.choice(SURNAMES))
            for relation, gender, _ in people
        ]

    def _head_age(self, cause: str) -> int:
        rng = self.rng
        if cause == "schooling":
            return rng.randint(38, 55)
        roll = rng.random()
        if roll < 0.35:
            return rng.randint(60, 88)
        if roll < 0.80:
            return rng.randint(40, 59)
        return rng.randint(25, 39)

    def _relative(
        self, slot: int, head_age: int, head_gender: str, cause: str, people: list[tuple[str, str, int]]
    ) -> tuple[str, str, int]:
        rng = self.rng
        if slot == 1 and cause == "schooling":
            return ("子女", rng.choice("男女"), rng.randint(8, 20))
        if slot == 1 and head_age < 80 and rng.random() < 0.8:
            spouse = "女" if head_gender == "男" else "男"
            return ("配偶", spouse, max(20, min(95, head_age + rng.randint(-5, 5))))
        if head_age >= 58 and rng.random() < 0.4:
            return ("其他", rng.choice("男女"), max(0, head_age - rng.randint(45, 60)))  # a grandchild
        has_parent = any(r == "父母" for r, _, _ in people)
        if head_age < 55 and not has_parent and rng.random() < 0.25:
            return ("父母", rng.choice("男女"), min(95, head_age + rng.randint(22, 32)))
        return ("子女", rng.choice("男女"), max(0, head_age - rng.randint(20, 38)))

    def _member(self, relation: str, gender: str, age: int, surname: str) -> _Member:
        rng = self.rng
        birth = DEMO_END - _days(age * 365 + (age // 4) + rng.randint(0, 364))
        member = _Member(
            id=self.writer.new_id(Member),
            name=_person_name(rng, gender, surname),
            id_number=self._id_number(birth, gender),
            gender=gender,
            birth_date=birth,
            relation=relation,
        )
        age = _age_on(birth, DEMO_END)
        member.severe_disability = rng.random() < (0.035 if age >= 60 else 0.015)
        member.serious_illness = rng.random() < (0.04 if age >= 60 else 0.015)
        if rng.random() < 0.9:
            member.upper_track = "high_school" if rng.random() < 0.55 else "secondary_vocational"
            member.college = rng.random() < (0.7 if member.upper_track == "high_school" else 0.25)
        self._set_labour(member, age)
        return member

    def _set_labour(self, member: _Member, age: int) -> None:
        """About a third of adults 18-60 can and want to work: the key employment targets."""
        rng = self.rng
        healthy = not (member.severe_disability or member.serious_illness)
        if 18 <= age <= 60 and healthy and member.stage_on(DEMO_END) == "none":
            member.labour_capacity = rng.random() < 0.58
            member.willing_to_work = member.labour_capacity and rng.random() < 0.72
        elif 61 <= age <= 65 and healthy:
            member.labour_capacity = rng.random() < 0.2
        member.has_individual_plan = member.key_target and rng.random() < self.profile.plan

    def _ensure_cause(self, members: list[_Member], cause: str) -> None:
        """An illness or disability household has at least one such member."""
        rng = self.rng
        if cause == "disability" and not any(m.severe_disability for m in members):
            chosen = rng.choice(members)
            chosen.severe_disability = True
            chosen.labour_capacity = chosen.willing_to_work = chosen.has_individual_plan = False
        if cause == "illness" and not any(m.serious_illness for m in members):
            chosen = rng.choice(members)
            chosen.serious_illness = True
            chosen.labour_capacity = chosen.willing_to_work = chosen.has_individual_plan = False

    def _id_number(self, birth: date, gender: str) -> str:
        """An 18-digit ID: area 320583, the birth date, a sequence (odd for men), the check."""
        while True:
            sequence = 2 * self.rng.randrange(500) + 1 if gender == "男" else 2 * self.rng.randrange(1, 500)
            first17 = f"{ID_AREA}{birth:%Y%m%d}{sequence:03d}"
            number = first17 + id_check_digit(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    # -- income --------------------------------------------------------------------------

    def _assessments(
        self, hh: _Household, first_on: date, exit_on: date | None, income_exit_on: date | None
    ) -> list[_Assessment]:
        """At entry, then about every six months while on the register.

        A household leaving for income gets an assessment at or above the line M some
        weeks before its exit is submitted; a few others have a sharp drop near the end.
        """
        rng = self.rng
        floor_band = rng.random() < 0.41
        base = rng.uniform(0.30, 0.92) if floor_band else rng.uniform(1.08, 1.85)
        monthly_medical = self._monthly_medical(hh)
        last_day = min(DEMO_END, exit_on - _days(1)) if exit_on else DEMO_END
        dates = [first_on]
        while (following := dates[-1] + _days(rng.randint(162, 202))) <= last_day:
            dates.append(following)

        above_on = None
        if income_exit_on is not None:
            above_on = max(first_on + _days(30), income_exit_on - _days(rng.randint(5, 100)))
            above_on = min(above_on, income_exit_on - _days(1))
            dates = [d for d in dates if d < above_on]

        items: list[_Assessment] = []
        for i, on in enumerate(dates):
            ratio = base * rng.uniform(0.92, 1.08)
            if i > 0 and not floor_band and rng.random() < 0.02:
                ratio = rng.uniform(2.0, 2.25)  # briefly above the line: an exit candidate that stays
            items.append(self._assessment(on, ratio, monthly_medical))
        if above_on is not None and above_on > first_on and above_on <= DEMO_END:
            items.append(self._assessment(above_on, rng.uniform(2.02, 2.8), monthly_medical))
        elif exit_on is None or exit_on > DEMO_END:
            self._maybe_sharp_drop(items, monthly_medical)
        return items

    def _assessment(self, on: date, ratio: float, monthly_medical_fen: int) -> _Assessment:
        income = round(ratio * _standard_at(on).floor_fen)
        return _Assessment(on, income, self._medical_ytd(on, monthly_medical_fen))

    def _maybe_sharp_drop(self, items: list[_Assessment], monthly_medical_fen: int) -> None:
        """A few percent lose at least 30 % of income in the last three months (early warning)."""
        rng = self.rng
        if rng.random() >= 0.035:
            return
        on = _random_day(rng, DEMO_END - _days(91), DEMO_END)
        previous = items[-1]
        if on <= previous.on + _days(14):
            return
        income = int(previous.income_fen * rng.uniform(0.30, 0.68))
        items.append(_Assessment(on, income, self._medical_ytd(on, monthly_medical_fen), sharp_drop=True))

    def _monthly_medical(self, hh: _Household) -> int:
        rng = self.rng
        if hh.cause == "illness" or hh.has_ill:
            if rng.random() < 0.12:
                return _yuan(rng, 5000, 15000)
            return _yuan(rng, 600, 3500)
        return _yuan(rng, 50, 400) if rng.random() < 0.25 else 0

    def _medical_ytd(self, on: date, monthly_fen: int) -> int:
        """Medical spending from January to the assessment month (三.2)."""
        return round(monthly_fen * on.month * self.rng.uniform(0.85, 1.15) / 100) * 100

    # -- relief ----------------------------------------------------------------------------

    def _relief(self, hh: _Household) -> None:
        last = hh.last_active_day
        assert hh.entry_on is not None and last is not None
        self._living(hh, hh.entry_on, last)
        self._temporary(hh)
        self._medical(hh, hh.entry_on, last)
        self._education(hh, hh.entry_on, last)
        self._housing(hh, hh.entry_on, last)
        self._occasional(hh, "legal", 0.0028, lambda: _yuan(self.rng, 800, 3000))
        self._occasional(hh, "insurance", 0.0025, lambda: _yuan(self.rng, 2000, 20000, step=100))

    def _pay(self, hh: _Household, relief_type: str, day: date, amount_fen: int, persons: int) -> None:
        self.writer.add(
            ReliefPayment,
            {
                "id": self.writer.new_id(ReliefPayment),
                "household_id": hh.id,
                "town_code": hh.town.code,
                "relief_type": relief_type,
                "department": reference.RELIEF_TYPES[relief_type][1],
                "paid_on": day,
                "amount_fen": amount_fen,
                "persons_covered": persons,
            },
        )
        self.ledger.add(day.year, hh.town.code, relief_type, amount_fen)

    def _living(self, hh: _Household, first: date, last: date) -> None:
        """生活救助 (三.1) on the 10th: 低保补差 below S, monthly relief in the band for the disabled/ill."""
        if "living" in hh.gaps:
            return
        special = sum(1 for m in hh.members if m.severe_disability or m.serious_illness)
        for day in _days_within(LIVING_DAYS, first, last):
            current = hh.assessment_on(day)
            assert current is not None
            standard = _standard_at(day)
            case = rules.living_relief_case(
                per_capita_income_fen=current.income_fen,
                has_severe_disability=hh.has_disabled,
                has_serious_illness=hh.has_ill,
                standard=standard,
            )
            if case is rules.LivingRelief.DIBAO:
                self._pay(hh, "living", day, (standard.floor_fen - current.income_fen) * hh.size, hh.size)
            elif case is rules.LivingRelief.MONTHLY_LIVING:
                amount = round(standard.floor_fen * MONTHLY_LIVING_SHARE) * special
                self._pay(hh, "living", day, amount, special)

    def _temporary(self, hh: _Household) -> None:
        """临时救助 (三.2): one-off payments after a shock, only when the rule allows."""
        rng = self.rng
        until = feed_data_date(RELIEF_FEED["temporary"])
        for i, a in enumerate(hh.assessments):
            if a.sharp_drop:
                chance = 0.6
            elif hh.has_ill and a.medical_ytd_fen >= 1_000_000:
                chance = 0.35
            elif hh.cause == "disaster":
                chance = 0.2
            else:
                chance = 0.015
            if rng.random() >= chance:
                continue
            day = a.on + _days(rng.randint(7, 40))
            following = hh.assessments[i + 1].on if i + 1 < len(hh.assessments) else None
            if not (DEMO_START <= day <= until) or (following and day >= following) or not hh.active_on(day):
                continue
            eligible = rules.temporary_relief_eligible(
                per_capita_income_fen=a.income_fen,
                household_size=hh.size,
                months=a.on.month,  # medical spending runs from January to the assessment month
                medical_spending_fen=a.medical_ytd_fen,
                standard=_standard_at(day),
            )
            if not eligible:
                continue
            if a.medical_ytd_fen >= 500_000:
                amount = min(2_000_000, round(a.medical_ytd_fen * rng.uniform(0.2, 0.4) / 1000) * 1000)
                self._pay(hh, "temporary", day, amount, 1)
            else:
                self._pay(hh, "temporary", day, _yuan(rng, 1000, 5000, step=100), hh.size)

    def _medical(self, hh: _Household, first: date, last: date) -> None:
        """医疗救助 (三.3) each quarter for seriously ill members of households below M."""
        ill = sum(1 for m in hh.members if m.serious_illness)
        if not ill or "medical" in hh.gaps:
            return
        for day in _days_within(MEDICAL_DAYS, first, last):
            if hh.below_line_on(day):
                self._pay(hh, "medical", day, ill * _yuan(self.rng, 600, 2500), ill)

    def _education(self, hh: _Household, first: date, last: date) -> None:
        """教育资助 (三.4) each March and September per student, preschool to high school."""
        if "education" in hh.gaps:
            return
        for day in _days_within(EDUCATION_DAYS, first, last):
            current = hh.below_line_on(day)
            if current is None:
                continue
            for m in hh.members:
                stage = m.stage_on(day)
                if rules.education_aid_eligible(
                    per_capita_income_fen=current.income_fen, student_stage=stage, standard=_standard_at(day)
                ):
                    self._pay(hh, "education", day, EDUCATION_AID_YUAN[stage] * 100, 1)

    def _housing(self, hh: _Household, first: date, last: date) -> None:
        """住房保障 (三.5): a monthly rent subsidy for a few households below M."""
        rng = self.rng
        if rng.random() >= 0.05:
            return
        rent = _yuan(rng, 300, 900)
        for day in _days_within(HOUSING_DAYS, first, last):
            if hh.below_line_on(day):
                self._pay(hh, "housing", day, rent, hh.size)

    def _occasional(self, hh: _Household, relief_type: str, monthly_chance: float, amount: Callable[[], int]) -> None:
        """Rare cases (法律援助, 防贫保险 claims): a few a month per town, households below M."""
        rng = self.rng
        until = min(feed_data_date(RELIEF_FEED[relief_type]), hh.last_active_day or DEMO_END)
        month = _geometric(rng, monthly_chance)
        while (first := _add_months(DEMO_START, month)) <= until:
            day = _random_day(rng, first, min(_month_end(first), until))
            if hh.below_line_on(day):
                self._pay(hh, relief_type, day, amount(), 1)
            month += 1 + _geometric(rng, monthly_chance)

    def _fumin(self, hh: _Household) -> None:
        """富民合作社 干股 dividends each January to 低保 / 低保边缘 households (五.2)."""
        rng = self.rng
        for year in FUMIN_YEARS:
            day = date(year, 1, 12 + self.town.sort_order)
            if hh.below_line_on(day) and rng.random() < self.profile.fumin:
                self.writer.add(
                    FuminDividend,
                    {
                        "id": self.writer.new_id(FuminDividend),
                        "household_id": hh.id,
                        "town_code": hh.town.code,
                        "year": year - 1,
                        "paid_on": day,
                        "amount_fen": _yuan(rng, 500, 3000),
                    },
                )

    # -- employment -------------------------------------------------------------------------

    def _employment(self, hh: _Household, m: _Member) -> list[tuple[date, date | None]]:
        """Placement, training and entrepreneurship support for one key target.

        Returns the member's employer placements (start, end) for the pension records.
        """
        rng = self.rng
        assert hh.entry_on is not None and hh.last_active_day is not None
        first, last = max(hh.entry_on, EMPLOYMENT_FROM), hh.last_active_day
        if (last - first).days < 30:
            return []
        employer_spells: list[tuple[date, date | None]] = []
        # About 15 % of placements end without a new one: place more to land on the profile rate.
        if rng.random() < min(0.97, self.profile.placement / 0.85):
            start = _random_day(rng, first, last)
            while start is not None:
                channel = _pick(rng, CHANNEL_WEIGHTS)
                ended = start + _days(rng.randint(20, 330)) if rng.random() < 0.25 else None
                ended = ended if ended is not None and ended <= DEMO_END else None
                self._write_placement(hh, m, channel, start, ended)
                if channel == "employer":
                    employer_spells.append((start, ended))
                start = ended + _days(rng.randint(10, 90)) if ended and rng.random() < 0.4 else None
                start = start if start is not None and start <= DEMO_END else None
        if rng.random() < 0.5:
            self._write_training(m, hh, _random_day(rng, first, last))
        entrepreneur = rng.random() < 0.02
        if entrepreneur:
            self._write_subsidies(m, hh, _random_day(rng, first, last))
        if rng.random() < (0.35 if entrepreneur else 0.003):
            self._write_loan(m, hh, _random_day(rng, first, last))
        return employer_spells

    def _employer_name(self, hh: _Household, channel: str) -> str:
        rng = self.rng
        brand = rng.choice(EMPLOYER_BRANDS)
        if channel == "employer":
            return f"昆山{brand}{rng.choice(EMPLOYER_TRADES)}有限公司"
        if channel == "flexible":
            return rng.choice(
                (
                    f"{hh.town.ref.short_name}居家养老服务中心",
                    f"昆山{brand}物业管理有限公司",
                    f"昆山{brand}家政服务有限公司",
                )
            )
        if channel == "public_welfare":
            committee = "村民委员会" if hh.village.kind == "村" else "居民委员会"
            return f"{hh.village.name}{committee}"
        return f"{hh.town.ref.short_name}劳务合作社"

    def _write_placement(self, hh: _Household, m: _Member, channel: str, start: date, ended: date | None) -> None:
        self.writer.add(
            Placement,
            {
                "id": self.writer.new_id(Placement),
                "member_id": m.id,
                "town_code": hh.town.code,
                "channel": channel,
                "employer": self._employer_name(hh, channel),
                "started_on": start,
                "ended_on": ended,
            },
        )

    def _write_training(self, m: _Member, hh: _Household, start: date) -> None:
        rng = self.rng
        completed = start + _days(rng.randint(5, 60))
        completed = completed if completed <= DEMO_END and rng.random() > 0.07 else None
        self.writer.add(
            Training,
            {
                "id": self.writer.new_id(Training),
                "member_id": m.id,
                "town_code": hh.town.code,
                "course": rng.choice(COURSES),
                "started_on": start,
                "completed_on": completed,
                "certified": completed is not None and rng.random() < 0.7,
            },
        )

    def _write_subsidies(self, m: _Member, hh: _Household, opened: date) -> None:
        """一次性开业补贴, then possibly 带动就业, 租金 and 社保 subsidies."""
        rng = self.rng
        grants = [("opening", opened, _yuan(rng, 5000, 10000, step=1000))]
        for kind, low, high in (
            ("job_creation", 2000, 10000),
            ("rent", 1000, 6000),
            ("social_insurance", 3000, 8000),
        ):
            granted = opened + _days(rng.randint(30, 400))
            if rng.random() < 0.4 and granted <= DEMO_END:
                grants.append((kind, granted, _yuan(rng, low, high, step=100)))
        for kind, granted, amount in grants:
            self.writer.add(
                EntrepreneurshipSubsidy,
                {
                    "id": self.writer.new_id(EntrepreneurshipSubsidy),
                    "member_id": m.id,
                    "town_code": hh.town.code,
                    "kind": kind,
                    "granted_on": granted,
                    "amount_fen": amount,
                },
            )

    def _write_loan(self, m: _Member, hh: _Household, issued: date) -> None:
        """创业担保贷款 of 5-30 万元 with its 贴息 (interest subsidy at about the LPR)."""
        rng = self.rng
        principal = rng.randint(5, 30) * 1_000_000
        term = rng.choice((12, 24, 36))
        subsidy = round(principal * 0.0385 * term / 12 * rng.uniform(0.5, 1.0) / 100) * 100
        self.writer.add(
            GuaranteedLoan,
            {
                "id": self.writer.new_id(GuaranteedLoan),
                "member_id": m.id,
                "town_code": hh.town.code,
                "issued_on": issued,
                "principal_fen": principal,
                "interest_subsidy_fen": subsidy,
                "term_months": term,
            },
        )

    # -- social security and cadres ---------------------------------------------------------

    def _insurance(
        self, hh: _Household, anchor: date, employer_spells: dict[int, list[tuple[date, date | None]]]
    ) -> None:
        """Pension, 居民医保 and 长期护理 enrolments, mostly dated before the household's entry."""
        rng = self.rng
        last = hh.last_active_day
        last_assessment = hh.assessment_on(last) if last else None
        subsidised = last_assessment is not None and last_assessment.income_fen < _standard_at(last).monitoring_line_fen
        for m in hh.members:
            age = _age_on(m.birth_date, DEMO_END)
            around_entry = anchor + _days(rng.randint(-1500, 30))
            if rng.random() < 0.99:
                enrolled = min(DEMO_END, max(m.birth_date + _days(rng.randint(0, 60)), around_entry))
                self._enrol(m, "medical", enrolled, None, subsidised)
            if age >= 16 and m.stage_on(DEMO_END) == "none":
                of_age = min(DEMO_END, max(_years_after(m.birth_date, 16) + _days(rng.randint(0, 60)), around_entry))
                self._pension(m, of_age, employer_spells.get(m.id, []))
            # 四.3: every disabled (失能) member belongs in long-term care; a few are missed.
            if m.severe_disability and rng.random() < (0.95 if age >= 60 else 0.85):
                self._enrol(m, "ltc", min(DEMO_END, max(date(2017, 6, 1), around_entry)), None, False)

    def _pension(self, m: _Member, enrolled: date, employer_spells: list[tuple[date, date | None]]) -> None:
        """Resident pension, switching to employee pension while placed with an employer."""
        if employer_spells:
            start, ended = employer_spells[0]
            if enrolled < start:
                self._enrol(m, "pension", enrolled, start, False)
            self._enrol(m, "employee_pension", start, ended, False)
            if ended is not None:
                self._enrol(m, "pension", ended, None, False)
        elif self.rng.random() >= self.profile.pension_gap:
            self._enrol(m, "pension", enrolled, None, False)

    def _enrol(self, m: _Member, scheme: str, enrolled: date, ended: date | None, subsidised: bool) -> None:
        self.writer.add(
            InsuranceEnrolment,
            {
                "id": self.writer.new_id(InsuranceEnrolment),
                "member_id": m.id,
                "scheme": scheme,
                "enrolled_on": enrolled,
                "ended_on": ended,
                "premium_subsidised": subsidised,
            },
        )

    def _cadre(self, hh: _Household) -> None:
        """挂钩联系 for about 90 % of households on the register at DEMO_END."""
        rng = self.rng
        if not hh.active_on(DEMO_END) or rng.random() >= 0.9:
            return
        assert hh.entry_on is not None
        since = min(DEMO_END, hh.entry_on + _days(rng.randint(0, 45)))
        visited = None if rng.random() < 0.05 else max(since, DEMO_END - _days(rng.randint(0, 150)))
        self.writer.add(
            CadreLink,
            {
                "id": self.writer.new_id(CadreLink),
                "household_id": hh.id,
                "cadre_name": rng.choice(hh.village.cadres),
                "since": since,
                "last_visit_on": visited,
            },
        )

    # -- household rows ------------------------------------------------------------------

    def _write_household(self, hh: _Household) -> None:
        head = hh.members[0]
        self.writer.add(
            Household,
            {
                "id": hh.id,
                "town_code": hh.town.code,
                "village_code": hh.village.code,
                "head_name": head.name,
                "head_id_number": head.id_number,
                "phone": f"13{self.rng.randrange(10**9):09d}",
                "cause": hh.cause,
            },
        )
        for m in hh.members:
            self.writer.add(
                Member,
                {
                    "id": m.id,
                    "household_id": hh.id,
                    "name": m.name,
                    "id_number": m.id_number,
                    "gender": m.gender,
                    "birth_date": m.birth_date,
                    "relation": m.relation,
                    "labour_capacity": m.labour_capacity,
                    "willing_to_work": m.willing_to_work,
                    "severe_disability": m.severe_disability,
                    "serious_illness": m.serious_illness,
                    "student_stage": m.stage_on(DEMO_END),
                    "has_individual_plan": m.has_individual_plan,
                },
            )

    def _write_event(self, hh: _Household, kind: str, reason: str, review: _Review) -> None:
        self.writer.add(
            CaseEvent,
            {
                "id": self.writer.new_id(CaseEvent),
                "household_id": hh.id,
                "town_code": hh.town.code,
                "kind": kind,
                "reason": reason,
                "submitted_at": review.submitted,
                "village_reviewed_at": review.village,
                "town_approved_at": review.town,
                "city_filed_at": review.city,
                "effective_date": review.effective,
            },
        )

    def _write_assessment(self, hh: _Household, a: _Assessment) -> None:
        self.writer.add(
            IncomeAssessment,
            {
                "id": self.writer.new_id(IncomeAssessment),
                "household_id": hh.id,
                "assessed_on": a.on,
                "household_size": hh.size,
                "per_capita_income_fen": a.income_fen,
                "medical_spending_ytd_fen": a.medical_ytd_fen,
            },
        )


# --------------------------------------------------------------------------- city-level rows


def _village_scale(scale: float) -> float:
    # Tiny test stores get fewer villages so each still has a handful of households.
    return min(1.0, max(scale, 0.1))


def _build_towns(rng: random.Random, scale: float) -> list[_Town]:
    towns = []
    for order, ref in enumerate(reference.TOWNS):
        profile = PROFILES[ref.short_name]
        prefix = ref.code if ref.code_is_placeholder else ref.code[:9]
        taken: set[str] = set()
        villages = []
        for kind, count, seconds, first_number in (
            ("社区", profile.communities, COMMUNITY_SECOND, 1),
            ("村", profile.villages, VILLAGE_SECOND, 201),
        ):
            count = max(1, math.ceil(count * _village_scale(scale)))
            for i, name in enumerate(_place_names(rng, count, seconds, kind, taken)):
                cadres = tuple(_person_name(rng, rng.choice("男女")) for _ in range(rng.randint(3, 5)))
                villages.append(_Village(f"{prefix}{first_number + i:03d}", ref.code, name, kind, cadres))
        cumulative, total = [], 0.0
        for _ in villages:
            total += rng.lognormvariate(0.0, 0.5)  # unequal village sizes
            cumulative.append(total)
        towns.append(_Town(ref, order, profile, villages, cumulative))
    return towns


def _write_reference(writer: _Writer, towns: list[_Town]) -> None:
    for town in towns:
        writer.add(
            Town,
            {
                "code": town.code,
                "name": town.ref.name,
                "short_name": town.ref.short_name,
                "kind": town.ref.kind,
                "code_is_placeholder": town.ref.code_is_placeholder,
                "sort_order": town.sort_order,
            },
        )
        for v in town.villages:
            writer.add(Village, {"code": v.code, "town_code": v.town_code, "name": v.name, "kind": v.kind})
    for s in reference.STANDARDS:
        writer.add(
            LivingStandard,
            {
                "id": writer.new_id(LivingStandard),
                "effective_from": s.effective_from,
                "amount_fen": s.yuan * 100,
                "monitoring_multiplier": reference.DEFAULT_MONITORING_MULTIPLIER,
                "source": s.source,
            },
        )
    loaded = datetime.combine(DEMO_END + _days(1), time(8, 0))
    writer.add(Setting, {"key": "dataset", "value": "demo", "updated_at": loaded})
    for feed, (department, label) in reference.FEEDS.items():
        data_date = feed_data_date(feed)
        writer.add(
            FeedStatus,
            {
                "feed": feed,
                "department": department,
                "label": label,
                "data_date": data_date,
                "loaded_at": datetime.combine(data_date + _days(3), time(6, 30)),
                "source": SOURCE,
                "is_demo": True,
            },
        )


def _write_cooperatives(rng: random.Random, writer: _Writer, towns: list[_Town]) -> None:
    """One 股份合作社 per village with yearly net income and dividends (五.2)."""
    for town in towns:
        for village in town.villages:
            weak = rng.random() < (0.12 if village.kind == "村" else 0.05)
            cooperative_id = writer.new_id(Cooperative)
            writer.add(
                Cooperative,
                {
                    "id": cooperative_id,
                    "village_code": village.code,
                    "town_code": town.code,
                    "name": f"{village.name}股份合作社",
                    "economically_weak": weak,
                },
            )
            for year, net, dividends in _dividend_history(rng, weak, village.kind, town.profile.dividend_met):
                writer.add(
                    CooperativeYear,
                    {
                        "id": writer.new_id(CooperativeYear),
                        "cooperative_id": cooperative_id,
                        "year": year,
                        "net_income_fen": net,
                        "dividends_fen": dividends,
                    },
                )


def _dividend_history(rng: random.Random, weak: bool, kind: str, met_rate: float) -> list[tuple[int, int, int]]:
    low, high = (50, 200) if weak else ((300, 3000) if kind == "社区" else (200, 1500))
    net = round(rng.uniform(low, high) * 100) * 10_000  # 万元, kept to whole hundreds of yuan
    previous: int | None = None
    rows = []
    for year in COOPERATIVE_YEARS:
        if previous is not None:
            net = round(net * rng.uniform(0.94, 1.10) / 10_000) * 10_000
        if previous is None:
            dividends = math.ceil(net * rng.uniform(0.30, 0.40) / 100) * 100
        else:
            dividends = _dividends(rng, net, previous, meet=rng.random() < met_rate)
        rows.append((year, net, dividends))
        previous = dividends
    return rows


def _dividends(rng: random.Random, net: int, previous: int, *, meet: bool) -> int:
    """Dividends that meet (or miss) 五.2, with a few exactly on the 5 % or 30 % boundary."""
    if meet:
        roll = rng.random()
        if roll < 0.04 and previous * 105 % 100 == 0:
            dividends = previous * 105 // 100  # exactly +5 %
        elif roll < 0.08 and net * 30 % 100 == 0:
            dividends = net * 30 // 100  # exactly 30 % of net income
        elif roll < 0.55:
            dividends = math.ceil(previous * rng.uniform(1.05, 1.12) / 100) * 100
        else:
            dividends = math.ceil(net * rng.uniform(0.30, 0.36) / 100) * 100
    else:
        dividends = math.floor(min(previous * rng.uniform(0.85, 1.04), net * rng.uniform(0.18, 0.29)) / 100) * 100
    outcome = rules.dividend_target(dividends_fen=dividends, previous_dividends_fen=previous, net_income_fen=net)
    assert rules.dividend_target_met(outcome) == meet, (net, previous, dividends)
    return dividends


def _write_job_postings(rng: random.Random, writer: _Writer, towns: list[_Town], scale: float) -> None:
    """岗位储备库: a few postings per town and month."""
    for town in towns:
        for month in range(MONTHS):
            first = _add_months(DEMO_START, month)
            for _ in range(max(1, _poisson(rng, 5.5 * scale))):
                channel = _pick(rng, CHANNEL_WEIGHTS)
                posted = _random_day(rng, first, _month_end(first))
                closed = posted + _days(rng.randint(15, 120))
                closed = closed if closed <= DEMO_END else None
                vacancies = rng.randint(1, 5) if channel == "public_welfare" else rng.randint(1, 15)
                filled_share = rng.uniform(0.5, 1.0) if closed else rng.uniform(0.0, 0.7)
                writer.add(
                    JobPosting,
                    {
                        "id": writer.new_id(JobPosting),
                        "town_code": town.code,
                        "employer": _posting_employer(rng, town, channel),
                        "title": rng.choice(JOB_TITLES[channel]),
                        "channel": channel,
                        "posted_on": posted,
                        "closed_on": closed,
                        "vacancies": vacancies,
                        "filled": round(vacancies * filled_share),
                    },
                )


def _posting_employer(rng: random.Random, town: _Town, channel: str) -> str:
    brand = rng.choice(EMPLOYER_BRANDS)
    if channel == "employer":
        return f"昆山{brand}{rng.choice(EMPLOYER_TRADES)}有限公司"
    if channel == "flexible":
        return f"昆山{brand}物业管理有限公司"
    if channel == "public_welfare":
        return f"{town.ref.name}社会事业局"
    return f"{town.ref.short_name}劳务合作社"


def _write_budgets(rng: random.Random, writer: _Writer, towns: list[_Town], ledger: _Ledger) -> None:
    """Yearly budgets: expected spending times a town factor, so some towns run behind or ahead."""
    for year in BUDGET_YEARS:
        for town in towns:
            for relief_type in reference.RELIEF_TYPES:
                factor = min(1.25, max(0.85, town.profile.budget_factor * rng.uniform(0.95, 1.05)))
                expected = ledger.expected(year, town.code, relief_type)
                amount = max(100_000, round(expected * factor / 100_000) * 100_000)  # whole thousands of yuan
                writer.add(
                    ReliefBudget,
                    {
                        "id": writer.new_id(ReliefBudget),
                        "year": year,
                        "town_code": town.code,
                        "relief_type": relief_type,
                        "amount_fen": amount,
                    },
                )


def _reset_sequences(connection: Connection, tables: list[str]) -> None:
    """PostgreSQL: explicit ids leave the serial sequences behind; move them past max(id)."""
    for name in tables:
        sequence = f"pg_get_serial_sequence('{name}', 'id')"
        connection.execute(text(f"SELECT setval({sequence}, COALESCE(MAX(id), 0) + 1, false) FROM {name}"))


# --------------------------------------------------------------------------- public API


class DemoStoreNotEmptyError(RuntimeError):
    """The demo city is only ever written into an empty store."""


def _town_count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(Town.__table__)).scalar_one())


def generate(
    engine: Engine,
    *,
    scale: float = 1.0,
    seed: int = DEFAULT_SEED,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Fill an empty, migrated store with the demo city; returns rows written per table.

    scale multiplies households and everything per household (1 is about 8,000 households
    on the register at DEMO_END); the same seed and scale always give the same rows.
    """
    if not scale > 0:
        raise ValueError("规模必须为正数")
    report = progress or (lambda _message: None)
    rng = random.Random(seed)
    with engine.begin() as connection:
        if _town_count(connection) > 0:
            raise DemoStoreNotEmptyError("数据库中已有区镇数据，演示数据只能写入空库")
        writer = _Writer(connection)
        towns = _build_towns(rng, scale)
        _write_reference(writer, towns)
        _write_cooperatives(rng, writer, towns)
        ledger, used_ids = _Ledger(), set[str]()
        for town in towns:
            # One stream per town, seeded from the master stream: retuning one town's profile
            # leaves the other towns' households largely as they were (only ids shift).
            town_rng = random.Random(rng.getrandbits(64))
            generator = _TownGenerator(town_rng, town, scale=scale, writer=writer, ledger=ledger, used_ids=used_ids)
            active = generator.run()
            report(f"{town.ref.name}：在册 {active:,} 户")
        _write_job_postings(rng, writer, towns, scale)
        _write_budgets(rng, writer, towns, ledger)
        writer.flush()
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection, writer.tables_with_ids())
    return {name: writer.counts.get(name, 0) for name in TABLE_LABELS}  # parents first, stable order


def seed_if_empty(engine: Engine, *, scale: float = 1.0) -> bool:
    """Generate the demo city only when the store has no towns yet; True when it did."""
    with engine.connect() as connection:
        if _town_count(connection) > 0:
            return False
    generate(engine, scale=scale)
    return True


def main(argv: list[str] | None = None) -> int:
    from data_access.db import database_url, describe_url, get_engine
    from data_access.migrate import upgrade

    parser = argparse.ArgumentParser(description="生成演示数据（演示城市）")
    parser.add_argument("--scale", type=float, default=1.0, help="规模：1 约 8,000 户在册监测对象")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子：相同种子与规模生成相同数据")
    parser.add_argument("--if-empty", action="store_true", help="库中已有数据时跳过")
    args = parser.parse_args(argv)
    url = database_url()
    engine = get_engine(url)
    started = perf_counter()
    try:
        print(f"正在迁移数据库结构：{describe_url(url)}")
        upgrade(engine)
        if args.if_empty:
            with engine.connect() as connection:
                if _town_count(connection) > 0:
                    print("数据库已有数据，未生成演示数据。")
                    return 0
        print(f"正在生成演示数据（规模 {args.scale:g}，种子 {args.seed}）……")
        counts = generate(engine, scale=args.scale, seed=args.seed, progress=lambda m: print(f"  {m}"))
    except Exception as exc:  # any failure becomes one Chinese line for the operator
        print(f"生成演示数据失败：{exc}", file=sys.stderr)
        return 1
    for name, n in counts.items():
        print(f"  {TABLE_LABELS.get(name, name)}（{name}）：{n:,} 行")
    print(f"演示数据已写入：共 {sum(counts.values()):,} 行，用时 {perf_counter() - started:.1f} 秒。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
