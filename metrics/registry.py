"""The declarative KPI registry: one record per KPI, read by every page, export and the
指标说明 page. A new KPI is one entry in its domain's module under metrics/kpis/ (caseload,
relief, employment, dividends, social; plus, if needed, one SQL function in
data_access/queries) and, for a headline figure, its key in that module's CARDS. This module
assembles the domains and is the import path the rest of the code uses."""

from __future__ import annotations

from metrics.kpis import caseload, dividends, employment, forces, relief, social
from metrics.kpis.caseload import warning_params
from metrics.kpis.core import Kpi, KpiValues, Measure, QueryContext
from metrics.kpis.facts import FEN_TO_WAN, prefetch_months
from metrics.kpis.relief import gap_since

__all__ = [
    "DOMAINS",
    "DOMAIN_CARDS",
    "DOMAIN_CHART_KPI",
    "FEN_TO_WAN",
    "KPIS",
    "KPI_BY_KEY",
    "OVERVIEW_KPIS",
    "Kpi",
    "KpiValues",
    "Measure",
    "QueryContext",
    "gap_since",
    "get",
    "prefetch_months",
    "warning_params",
]

DOMAINS = {
    "caseload": "监测对象",
    "relief": "救助支出",
    "employment": "就业帮扶",
    "dividends": "集体经济分红",
    "social": "社会保障衔接",
    "forces": "社会力量",
}

KPIS: tuple[Kpi, ...] = (
    *caseload.DOMAIN_KPIS,
    *relief.DOMAIN_KPIS,
    *employment.DOMAIN_KPIS,
    *dividends.DOMAIN_KPIS,
    *forces.RURAL_KPIS,
    *social.DOMAIN_KPIS,
    *forces.DOMAIN_KPIS,
)

KPI_BY_KEY: dict[str, Kpi] = {k.key: k for k in KPIS}

# The four figures the overview leads with (issue: caseload, relief, placements, dividends).
OVERVIEW_KPIS: tuple[str, ...] = ("caseload_households", "relief_spending", "placement_rate", "dividend_compliance")


def get(key: str) -> Kpi:
    return KPI_BY_KEY[key]


# Per domain: the headline KPIs (page cards, briefing figures; each domain module's CARDS) and
# the KPI its town chart shows.
DOMAIN_CARDS: dict[str, tuple[str, ...]] = {
    "caseload": caseload.CARDS,
    "relief": relief.CARDS,
    "employment": employment.CARDS,
    "dividends": dividends.CARDS,
    "social": social.CARDS,
    "forces": forces.CARDS,
}
DOMAIN_CHART_KPI: dict[str, str] = {
    "caseload": "caseload_households",
    "relief": "relief_spending",
    "employment": "placement_rate",
    "dividends": "dividend_compliance",
    "social": "pension_coverage",
    "forces": "pairing_rate",
}
