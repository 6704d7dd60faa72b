"""Demo 帮扶服务记录 (assistance_record) and 防贫保险 (insurance scheme anti_poverty): elderly
visits, home retrofits and mutual-aid care for members aged 60 and over (四.4), pairing and
volunteer service (六.2, 六.4), industry links of village households (五.3) and 防贫保险 (三.7),
all only on days the household is on the register in the floor or monitored group; per town
charity raised and spent (六.3) and pooled funds (组织保障.2); per village projects (五.1).

Every draw comes from a stream of its own (per household, town or village), never from a town's
main stream, so the rest of the demo city is exactly what it was without these rows; the
防贫保险 enrolments get their ids after all other enrolments for the same reason."""

from __future__ import annotations

import random
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.engine import Connection

from data_access.demo.base import (
    DEMO_END,
    STANDARDS,
    _add_months,
    _days,
    _month_end,
    _poisson,
    _random_day,
    _standard_at,
    _Town,
    _years_after,
    _yuan,
    feed_data_date,
)
from data_access.demo.households import _GeneratorState, _Household, _Member
from data_access.demo.names import EMPLOYER_BRANDS, EMPLOYER_TRADES, _person_name
from data_access.demo.writer import _Writer
from data_access.models import AssistanceRecord, Cooperative, InsuranceEnrolment
from data_access.reference import ASSISTANCE_CATEGORIES, ASSISTANCE_KINDS
from data_access.tables import table_of

ASSISTANCE_FROM = date(2022, 1, 1)  # the services are recorded from 2022
ANTI_POVERTY_FROM = date(2023, 1, 1)  # 防贫保险 from 2023
_ONE_DAY = _days(1)
_Segment = tuple[date, date]  # first and last day (inclusive) of an unbroken run of eligibility


class _Lag(NamedTuple):
    visit_stretch: float  # multiplies the 45-120 days between elderly visits
    pairing: float  # share of households paired with an enterprise or organisation
    insurance_miss: float  # share of members left out of 防贫保险
    disclosed: float  # share of charity spending made public
    charity_wan: float  # charity raised a month at scale 1, 万元


# Per town (short name): 花桥, 淀山湖, 锦溪 visit less often; 周市, 花桥, 周庄 pair few households;
# 淀山湖, 花桥, 锦溪 miss members in 防贫保险; 周市 and 张浦 disclose only ~60 % of charity spending.
_LAGS: dict[str, _Lag] = {
    "开发区": _Lag(1.00, 0.45, 0.03, 0.97, 8.0),
    "高新区": _Lag(1.00, 0.40, 0.04, 0.95, 6.0),
    "花桥": _Lag(1.60, 0.18, 0.16, 0.92, 5.0),
    "巴城": _Lag(1.00, 0.50, 0.04, 0.96, 4.0),
    "周市": _Lag(1.00, 0.15, 0.06, 0.60, 4.5),
    "陆家": _Lag(1.00, 0.55, 0.03, 0.98, 3.5),
    "淀山湖": _Lag(1.45, 0.35, 0.20, 0.90, 2.5),
    "张浦": _Lag(1.00, 0.42, 0.05, 0.62, 4.0),
    "周庄": _Lag(1.10, 0.20, 0.08, 0.94, 2.5),
    "千灯": _Lag(1.00, 0.48, 0.04, 0.97, 3.0),
    "锦溪": _Lag(1.70, 0.30, 0.12, 0.93, 2.5),
}
_DEFAULT_LAG = _Lag(1.0, 0.35, 0.05, 0.95, 3.5)

_COMPANIES = tuple(f"昆山{b}{t}有限公司" for b, t in zip(EMPLOYER_BRANDS[:8], EMPLOYER_TRADES, strict=False))
_AGRI_FIRMS = ("昆山稻香农业发展有限公司", "昆山水乡生态农业有限公司", "昆山田园农产品有限公司", "昆山湖滨水产有限公司")
_PRODUCTS = ("稻米", "水产养殖", "蔬菜", "葡萄", "大闸蟹", "茭白", "果品")
_PROJECTS: dict[str, tuple[str, ...]] = {
    "基础设施": ("高标准农田建设", "农村道路提档升级", "农村生活污水治理", "河道综合整治", "农桥改造"),
    "产业发展": ("集体标准厂房建设", "特色田园乡村建设", "稻米加工中心建设", "农产品冷链仓储", "集体物业用房建设"),
    "社区改造": ("老旧小区改造", "背街小巷环境整治", "人居环境整治"),
    "公共服务": ("居家养老服务站建设", "综合服务中心提升", "卫生服务室标准化建设", "农家书屋与文体设施"),
}
_SPENT_PROJECTS = {"生活帮扶": "困难家庭节日慰问", "助医": "大病救助", "助学": "金秋助学", "助残": "残疾人康复辅具"}
_BATCHES = "一二三四"
_UNTIL = {kind: feed_data_date(feed) for kind, (_, _, _, feed, _, _) in ASSISTANCE_KINDS.items()}  # no row after
_EMPTY_ROW: dict[str, Any] = {
    "village_code": None,
    "household_id": None,
    "member_id": None,
    "ended_on": None,
    "amount_fen": 0,
    "quantity": 1.0,
    "partner": "",
    "category": "",
    "disclosed": False,
}


def _segments(hh: _Household, first: date, last: date) -> list[_Segment]:
    """Runs of days between first and last on which the household is on the register with
    I < M (floor or monitored group). The group only changes at an assessment, a new standard,
    the entry or the exit, so one check per stretch between those days is enough."""
    if hh.entry_on is None or hh.last_active_day is None:
        return []
    first, last = max(first, hh.entry_on), min(last, hh.last_active_day)
    if first > last:
        return []
    assessments = hh.assessments  # by date
    cuts = sorted(
        {first}
        | {a.on for a in assessments if first < a.on <= last}
        | {s.effective_from for s in STANDARDS if first < s.effective_from <= last}
    )
    out: list[_Segment] = []
    since: date | None = None  # first day of the run being walked
    j = -1  # the assessment in force at the cut (the cuts go forward: no search needed)
    for start in cuts:
        while j + 1 < len(assessments) and assessments[j + 1].on <= start:
            j += 1
        eligible = j >= 0 and assessments[j].income_fen < _standard_at(start).monitoring_line_fen
        if eligible and since is None:
            since = start
        elif not eligible and since is not None:  # I >= M (应退未退) from this cut
            out.append((since, start - _ONE_DAY))
            since = None
    if since is not None:
        out.append((since, last))
    return out


def _clip(segments: list[_Segment], first: date, last: date) -> list[_Segment]:
    return [(max(a, first), min(b, last)) for a, b in segments if b >= first and a <= last]


def _span(rng: random.Random, segments: list[_Segment], until: date, end_share: float) -> tuple[date, date | None]:
    """A running arrangement inside one run of eligibility: it ends when the run ends before the
    data does (exit, or income above the line), else sometimes earlier, else it is still running."""
    first, last = rng.choices(segments, weights=[(b - a).days + 1 for a, b in segments])[0]
    start = min(last, first + _days(rng.randint(0, 90)))
    if last < until:
        return start, last
    return start, (_random_day(rng, start, last) if rng.random() < end_share else None)


class _AssistanceMixin(_GeneratorState):
    anti_poverty: list[tuple[int, date, date | None]]  # (member, enrolled, ended): written last

    def _assistance(self, hh: _Household) -> None:
        """One household's 帮扶服务记录 and 防贫保险, from a stream of its own."""
        segments = _segments(hh, ASSISTANCE_FROM, DEMO_END)
        if not segments:
            return
        rng = random.Random(f"assistance-{self.town.code}-{hh.id}")
        lag = _LAGS.get(self.town.ref.short_name, _DEFAULT_LAG)
        writer, town = self.writer, self.town.code
        ids = {"household_id": hh.id, "village_code": hh.village.code}
        self._elderly(rng, hh, segments, lag)
        social = _clip(segments, ASSISTANCE_FROM, _UNTIL["pairing"])
        if social and rng.random() < lag.pairing:
            category = rng.choices(ASSISTANCE_CATEGORIES["pairing"], weights=(55, 25, 10, 10))[0]
            start, ended = _span(rng, social, _UNTIL["pairing"], 0.2)
            partner = self._pairing_partner(rng, category)
            _add(writer, "pairing", town, start, **ids, ended_on=ended, partner=partner, category=category)
        volunteer = _clip(segments, ASSISTANCE_FROM, _UNTIL["volunteer_service"])
        if volunteer and rng.random() < 0.30:
            team = rng.choice(
                (
                    f"{hh.village.name}志愿服务队",
                    f"{self.town.ref.name}新时代文明实践志愿服务队",
                    "昆山市青年志愿者协会",
                )
            )
            for first, last in volunteer:
                day = first + _days(rng.randint(0, 150))
                while day <= last:
                    hours = rng.choice((1.0, 1.5, 2.0, 2.0, 3.0, 4.0))
                    _add(writer, "volunteer_service", town, day, **ids, partner=team, quantity=hours)
                    day += _days(rng.randint(90, 240))
        rural = _clip(segments, ASSISTANCE_FROM, _UNTIL["industry_link"])
        if rural and hh.village.kind == "村" and rng.random() < 0.20:
            category = rng.choices(ASSISTANCE_CATEGORIES["industry_link"], weights=(30, 45, 25))[0]
            start, ended = _span(rng, rural, _UNTIL["industry_link"], 0.25)
            partner = self._industry_partner(rng, hh, category)
            _add(writer, "industry_link", town, start, **ids, ended_on=ended, partner=partner, category=category)
        until = feed_data_date("rural")
        insured = _clip(segments, ANTI_POVERTY_FROM, until)
        if insured:
            ended = hh.exit_on if hh.exit_on is not None and hh.exit_on <= until else None
            for m in hh.members:
                if rng.random() >= lag.insurance_miss:
                    self.anti_poverty.append((m.id, insured[0][0], ended))

    def _elderly(self, rng: random.Random, hh: _Household, segments: list[_Segment], lag: _Lag) -> None:
        """Visits every 45-120 days (stretched in a lagging town), mutual-aid care for about
        one in ten, a home retrofit for about 8 % of households with someone aged 60 or over."""
        writer, town = self.writer, self.town.code
        elderly: list[tuple[_Member, list[_Segment]]] = []
        for m in hh.members:
            own = _clip(segments, max(ASSISTANCE_FROM, _years_after(m.birth_date, 60)), _UNTIL["elderly_visit"])
            if not own:
                continue
            elderly.append((m, own))
            ids = {"household_id": hh.id, "member_id": m.id, "village_code": hh.village.code}
            for first, last in own:
                day = first + _days(rng.randint(0, 60))
                while day <= last:
                    _add(writer, "elderly_visit", town, day, **ids)
                    day += _days(round(rng.randint(45, 120) * lag.visit_stretch))
            care = _clip(own, ASSISTANCE_FROM, _UNTIL["mutual_aid_care"])
            if care and rng.random() < 0.10:
                start, ended = _span(rng, care, _UNTIL["mutual_aid_care"], 0.15)
                _add(writer, "mutual_aid_care", town, start, **ids, ended_on=ended)
        if elderly and rng.random() < 0.08:
            m, own = rng.choice(elderly)
            retrofit = _clip(own, ASSISTANCE_FROM, _UNTIL["home_retrofit"])
            if retrofit:
                first, last = rng.choice(retrofit)
                amount = _yuan(rng, 3_000, 20_000, 100)
                day = _random_day(rng, first, last)
                _add(
                    writer,
                    "home_retrofit",
                    town,
                    day,
                    household_id=hh.id,
                    member_id=m.id,
                    village_code=hh.village.code,
                    amount_fen=amount,
                )

    def _pairing_partner(self, rng: random.Random, category: str) -> str:
        short = self.town.ref.short_name
        return rng.choice(
            {
                "企业": _COMPANIES,
                "社会组织": (f"{short}商会", "昆山市社会工作协会", "昆山市青年企业家协会"),
                "慈善机构": (f"昆山市慈善总会{short}分会", "昆山市红十字会"),
                "事业单位": (f"{short}社区卫生服务中心", "昆山市人民医院", "昆山开放大学"),
            }[category]
        )

    def _industry_partner(self, rng: random.Random, hh: _Household, category: str) -> str:
        if category == "龙头企业":
            return rng.choice(_AGRI_FIRMS)
        if category == "农民专业合作社":
            return f"昆山市{hh.village.name.removesuffix('村')}{rng.choice(_PRODUCTS)}专业合作社"
        return f"{self.town.ref.name}{_person_name(rng, '男')}家庭农场"


def _add(writer: _Writer, kind: str, town_code: str, served_on: date, **fields: Any) -> None:
    row = {**_EMPTY_ROW, "id": writer.new_id(AssistanceRecord), "kind": kind, "town_code": town_code, **fields}
    row["served_on"] = served_on
    writer.add(AssistanceRecord, row)


def _write_anti_poverty(writer: _Writer, rows: list[tuple[int, date, date | None]]) -> None:
    """防贫保险 enrolments (premium paid by the programme), after every other enrolment."""
    for member_id, enrolled, ended in rows:
        writer.add(
            InsuranceEnrolment,
            {
                "id": writer.new_id(InsuranceEnrolment),
                "member_id": member_id,
                "scheme": "anti_poverty",
                "enrolled_on": enrolled,
                "ended_on": ended,
                "premium_subsidised": True,
            },
        )


def _write_town_assistance(
    connection: Connection, writer: _Writer, towns: list[_Town], scale: float, seed: int
) -> None:
    """Charity raised and spent, pooled funds per town and projects per village; row counts of
    the town kinds follow the scale (at least one a month or quarter), amounts per row do not."""
    writer.flush()  # the cooperatives are in the store: read which villages are economically weak
    table = table_of(Cooperative)
    weak = set(connection.execute(select(table.c.village_code).where(table.c.economically_weak)).scalars())
    for town in towns:
        lag = _LAGS.get(town.ref.short_name, _DEFAULT_LAG)
        _charity(random.Random(f"charity-{seed}-{town.code}"), writer, town, scale, lag)
        _pooled(random.Random(f"pooled-{seed}-{town.code}"), writer, town, scale)
        for village in town.villages:
            _projects(random.Random(f"project-{seed}-{village.code}"), writer, town, village.code, village.kind, weak)


def _months(last: date, months: tuple[int, ...] = tuple(range(1, 13))) -> list[date]:
    out, first = [], ASSISTANCE_FROM
    while first <= last:
        out += [first] if first.month in months else []
        first = _add_months(first, 1)
    return out


def _counts(rng: random.Random, periods: int, low: int, high: int, scale: float) -> list[int]:
    """Rows per period: low to high at scale 1, scaled and rounded at random, but never none, so
    every town has a figure for every period even in a small test store."""
    return [
        max(1, int(mean) + (rng.random() < mean % 1))
        for mean in (rng.randint(low, high) * scale for _ in range(periods))
    ]


def _charity(rng: random.Random, writer: _Writer, town: _Town, scale: float, lag: _Lag) -> None:
    """Tens of thousands of yuan raised a month; about 85 % of it spent, mostly made public."""
    for kind, low, high, share, weights in (
        ("charity_raised", 2, 6, 1.0, (45, 25, 20, 10)),
        ("charity_spent", 2, 5, 0.85, (35, 30, 20, 10, 5)),
    ):
        until = _UNTIL[kind]
        months = _months(until)
        for first, n in zip(months, _counts(rng, len(months), low, high, scale), strict=True):
            for _ in range(n):
                category = rng.choices(ASSISTANCE_CATEGORIES[kind], weights=weights)[0]
                fen = round(lag.charity_wan * share * 10_000 / 3.5 * rng.lognormvariate(0, 0.45) / 10) * 1000
                day = _random_day(rng, first, min(until, _month_end(first)))
                if kind == "charity_raised":
                    extra: dict[str, Any] = {"partner": _donor(rng, town, category)}
                else:
                    extra = {"partner": _SPENT_PROJECTS.get(category, ""), "disclosed": rng.random() < lag.disclosed}
                _add(writer, kind, town.code, day, amount_fen=fen, category=category, **extra)


def _donor(rng: random.Random, town: _Town, category: str) -> str:
    if category == "企业捐赠":
        return rng.choice(_COMPANIES)
    if category == "社会组织":
        return rng.choice((f"{town.ref.short_name}商会", "昆山市青年企业家协会", "昆山市台商协会"))
    return "慈善一日捐" if category == "其他" else ""  # individual donors stay anonymous


def _pooled(rng: random.Random, writer: _Writer, town: _Town, scale: float) -> None:
    """Quarterly batches of 统筹整合涉农资金: a few million yuan a year, more for rural towns."""
    until, rural = _UNTIL["pooled_fund"], 0.6 + town.profile.villages / 20
    quarters = _months(until, (1, 4, 7, 10))
    for first, n in zip(quarters, _counts(rng, len(quarters), 1, 1, scale), strict=True):
        for _ in range(n):
            category = rng.choices(ASSISTANCE_CATEGORIES["pooled_fund"], weights=(20, 50, 30))[0]
            day = min(until, first + _days(rng.randint(10, 50)))
            fen = round(_yuan(rng, 500_000, 1_500_000, 10_000) * rural / 1_000_000) * 1_000_000
            partner = f"{first.year}年第{_BATCHES[(first.month - 1) // 3]}批涉农资金"
            _add(writer, "pooled_fund", town.code, day, amount_fen=fen, category=category, partner=partner)


def _projects(rng: random.Random, writer: _Writer, town: _Town, code: str, kind: str, weak: set[str]) -> None:
    """0-3 乡村振兴 projects a year; economically weak villages get more and bigger ones."""
    until, is_weak = _UNTIL["village_project"], code in weak
    weights = (35, 40, 10, 15) if kind == "村" else (15, 15, 40, 30)  # 基础设施, 产业发展, 社区改造, 公共服务
    low, high = (1_000_000, 3_000_000) if is_weak else (200_000, 1_500_000)
    for year in range(ASSISTANCE_FROM.year, until.year + 1):
        for _ in range(min(3, _poisson(rng, 1.6 if is_weak else (0.6 if kind == "村" else 0.35)))):
            category = rng.choices(ASSISTANCE_CATEGORIES["village_project"], weights=weights)[0]
            day = _random_day(rng, date(year, 1, 1), min(until, date(year, 12, 31)))
            name, fen = f"{year}年{rng.choice(_PROJECTS[category])}", _yuan(rng, low, high, 10_000)
            _add(
                writer,
                "village_project",
                town.code,
                day,
                village_code=code,
                partner=name,
                category=category,
                amount_fen=fen,
            )
