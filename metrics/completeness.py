"""Which department feeds each KPI needs, and whether they reach the end of a period.

A figure whose feeds stop before the period's last counted day is incomplete: it carries a
note ("医保局、教育局数据截至9月30日，本期不完整") and the status 数据不全, never 落后
(组织保障.4: each department reports on its own schedule, e.g. medical relief quarterly).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from data_access.reference import FEEDS
from metrics.domain.periods import Period
from metrics.registry import Kpi

# Relief is paid by several departments; every type counts in the relief totals (三.1—三.7).
RELIEF_FEEDS = ("relief_civil", "medical", "education", "housing", "legal", "agriculture")
# 应助尽助 checks 三.1—三.4: living and temporary relief (民政局), medical (医保局), education (教育局).
GAP_FEEDS = ("caseload", "relief_civil", "medical", "education")

# KPIs that read more than their own dating feed; the others need only Kpi.feed.
KPI_FEEDS: dict[str, tuple[str, ...]] = {
    "relief_spending": RELIEF_FEEDS,
    "relief_payments": RELIEF_FEEDS,
    "relief_persons": RELIEF_FEEDS,
    "relief_average": RELIEF_FEEDS,
    "relief_budget_execution": RELIEF_FEEDS,
    "relief_gaps": GAP_FEEDS,
}

# Feeds that report once a year, at the year's end (防贫保险 claims and collective dividends
# with the agriculture bureau's annual report): they are due only once a year has closed.
YEARLY_FEEDS: frozenset[str] = frozenset({"agriculture"})

# Figures that exist only for whole towns (budgets are set per town): not shown per village.
# KPI -> why it has no village figure.
TOWN_ONLY_NOTES: dict[str, str] = {
    "relief_budget_execution": "预算按区镇下达，村(社区)不单列预算执行率",
    "charity_raised": "慈善资金按区镇统计，村(社区)不单列",
    "charity_spent": "慈善资金按区镇统计，村(社区)不单列",
    "charity_disclosure_rate": "慈善资金按区镇统计，村(社区)不单列",
    "pooled_funds": "统筹整合资金按区镇下达，村(社区)不单列",
    "job_supply_ratio": "岗位储备库按区镇建立，村(社区)不单列供需比",
}
TOWN_ONLY: frozenset[str] = frozenset(TOWN_ONLY_NOTES)


def town_only_note(keys: list[str] | tuple[str, ...]) -> str:
    """One note for the town-only KPIs among keys, each reason once."""
    return "；".join(dict.fromkeys(TOWN_ONLY_NOTES[k] for k in keys if k in TOWN_ONLY_NOTES))


def feeds_of(kpi: Kpi) -> tuple[str, ...]:
    return KPI_FEEDS.get(kpi.key, (kpi.feed,))


@dataclass(frozen=True)
class Gap:
    feed: str
    department: str
    data_date: date | None  # None: the feed has never reported


def lagging_feeds(kpi: Kpi, period: Period, feed_dates: dict[str, date]) -> list[Gap]:
    """The feeds of a KPI that stop before the period's last counted day.

    Yearly reports (dividends) say which year they show instead; they are not flagged.
    """
    if kpi.reported_yearly:
        return []
    out = []
    for feed in feeds_of(kpi):
        reached = feed_dates.get(feed)
        if reached is None or reached < due_date(feed, period):
            out.append(Gap(feed, FEEDS.get(feed, (feed, ""))[0], reached))
    return out


def due_date(feed: str, period: Period) -> date:
    """How far a feed must have reported for the period to be complete."""
    if feed in YEARLY_FEEDS:
        year = period.end.year if period.end.month == 12 and period.end.day == 31 else period.end.year - 1
        return date(year, 12, 31)
    return period.end


def gap_note(gaps: list[Gap], *, year: int | None = None) -> str | None:
    """ "医保局、教育局数据截至9月30日，本期不完整" (departments grouped by their date)."""
    if not gaps:
        return None
    by_date: dict[date | None, list[str]] = {}
    for gap in gaps:
        names = by_date.setdefault(gap.data_date, [])
        if gap.department not in names:
            names.append(gap.department)
    parts = []
    for day, names in sorted(by_date.items(), key=lambda kv: kv[0] or date.min):
        if day is None:
            when = "尚未报送"
        elif day.year == year:
            when = f"数据截至{day.month}月{day.day}日"
        else:
            when = f"数据截至{day.year}年{day.month}月{day.day}日"
        parts.append(f"{'、'.join(names)}{when}")
    return "；".join(parts) + "，本期不完整"
