"""/social-security content: who should be covered and is not, listed at village level;
premium subsidies (四.2, 四.3) and cadre linkage (六.2) by unit, with the households a village
has not linked or visited listed (masked)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from data_access.access import Principal
from data_access.queries import households, social
from metrics.domains.forces import kpi_rows
from metrics.evaluate import Evaluator
from metrics.kpis.core import QueryContext
from metrics.kpis.social import cadre_rows, premium_subsidy_rows, visited_from
from metrics.registry import KPI_BY_KEY

SCHEME_KPIS = {"pension": "pension_coverage", "medical": "medical_coverage", "ltc": "ltc_coverage"}
SCHEME_LABELS = {"pension": "养老保险", "medical": "居民医保", "ltc": "长期护理保险"}


@dataclass(frozen=True)
class SocialDetail:
    uncovered: list[dict[str, Any]]  # village level: masked members and the scheme missing
    subsidy: list[dict[str, Any]] = field(default_factory=list)  # per unit: 资助参保 (人, %)
    linkage: list[dict[str, Any]] = field(default_factory=list)  # per unit: 挂钩、走访 (户, %)
    visit_days: int = 90
    # village level: households not linked or not visited lately (masked); None: not allowed
    unvisited: list[dict[str, Any]] | None = field(default_factory=list)
    # per unit: 防贫保险 (三.7) and elderly care (四.4) KPI values
    welfare: list[dict[str, Any]] = field(default_factory=list)
    elderly_age: int = 60
    elderly_visit_days: int = 90


WELFARE_KPIS = ("anti_poverty_insurance_coverage", "elderly_visit_rate", "home_retrofits")


SCHEME_DEPARTMENTS = {"pension": "人社局", "medical": "医保局", "ltc": "医保局"}
# 六.2 names 农业农村局 as lead; the link lists are reported by 民政局 (the 干部挂钩联系 import).
CADRE_DEPARTMENTS = ("农业农村局", "民政局")


def _pct(num: int, den: int) -> float | None:
    return round(num / den * 100, 1) if den else None


def subsidy_rows(evaluator: Evaluator, units: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Per unit, for resident pension (人社局 feed date) and 居民医保 (医保局 feed date):
    members enrolled, subsidised (人) and the share (%); distinct persons subsidised in either."""
    per_scheme: dict[str, dict[str, dict[str, int]]] = {}
    for scheme, key in (("pension", "pension_premium_subsidy"), ("medical", "medical_premium_subsidy")):
        ctx = evaluator.context(KPI_BY_KEY[key])
        per_scheme[scheme] = premium_subsidy_rows(ctx) if ctx is not None else {}
    out = []
    for code, name in units:
        p = per_scheme["pension"].get(code, {})
        m = per_scheme["medical"].get(code, {})
        out.append(
            {
                "单位": name,
                "居民养老参保（人）": p.get("pension_enrolled", 0),
                "养老资助参保（人）": p.get("pension_subsidised", 0),
                "养老资助参保率（%）": _pct(p.get("pension_subsidised", 0), p.get("pension_enrolled", 0)),
                "居民医保参保（人）": m.get("medical_enrolled", 0),
                "医保资助参保（人）": m.get("medical_subsidised", 0),
                "医保资助参保率（%）": _pct(m.get("medical_subsidised", 0), m.get("medical_enrolled", 0)),
            }
        )
    return out


def linkage_rows(ctx: QueryContext, units: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Per unit: monitored households, linked and visited lately (户) with their shares (%)."""
    rows = cadre_rows(ctx)
    days = int(ctx.settings["cadre_visit_days"])
    out = []
    for code, name in units:
        r = rows.get(code, {})
        n, linked, visited = r.get("households", 0), r.get("linked", 0), r.get("visited", 0)
        out.append(
            {
                "单位": name,
                "监测户（户）": n,
                "已挂钩（户）": linked,
                "挂钩率（%）": _pct(linked, n),
                f"近{days}天走访（户）": visited,
                "走访率（%）": _pct(visited, n),
                "未挂钩或未走访（户）": n - visited,
            }
        )
    return out


def unvisited_list(ctx: QueryContext, village: str, principal: Principal, unmask: bool) -> list[dict[str, Any]]:
    """One village's monitored households without a linked cadre or a recent visit (masked by default)."""
    found = social.unvisited_households(
        ctx.conn,
        towns=ctx.towns,
        village=village,
        as_of=ctx.as_of,
        visited_from=visited_from(ctx),
        floor_fen=ctx.standard.floor_fen,
        line_fen=ctx.standard.monitoring_line_fen,
    )
    state = {hid: (linked, last) for hid, linked, last in found}
    rows = households.households(
        ctx.conn, towns=ctx.towns, ids=list(state), principal=principal, departments=CADRE_DEPARTMENTS, unmask=unmask
    )
    out = []
    for row in rows:
        linked, last = state[int(row["id"])]
        out.append(
            {
                "户主": row["head_name"],
                "身份证号": row["id_number"],
                "联系电话": row["phone"],
                "情况": "已挂钩，近期未走访" if linked else "未挂钩干部",
                "最近走访日期": last.isoformat() if last else "—",
            }
        )
    return out


def social_detail(
    evaluator: Evaluator,
    units: list[tuple[str, str]],
    village: str | None,
    principal: Principal,
    unmask: bool = False,
) -> SocialDetail | None:
    subsidy = subsidy_rows(evaluator, units)
    cadre_ctx = evaluator.context(KPI_BY_KEY["cadre_link_rate"])
    linkage = linkage_rows(cadre_ctx, units) if cadre_ctx is not None else []
    visit_days = int(cadre_ctx.settings["cadre_visit_days"]) if cadre_ctx is not None else 90
    welfare = kpi_rows(evaluator, units, WELFARE_KPIS)
    age, days = int(evaluator.settings["elderly_min_age"]), int(evaluator.settings["elderly_visit_days"])
    if not village:
        return SocialDetail([], subsidy, linkage, visit_days, welfare=welfare, elderly_age=age, elderly_visit_days=days)
    unvisited: list[dict[str, Any]] | None = None
    if cadre_ctx is not None and principal.may_list(town=cadre_ctx.towns[0], departments=CADRE_DEPARTMENTS):
        unvisited = unvisited_list(cadre_ctx, village, principal, unmask)
    listing: list[dict[str, Any]] = []
    for scheme, key in SCHEME_KPIS.items():
        ctx = evaluator.context(KPI_BY_KEY[key])
        departments = (SCHEME_DEPARTMENTS[scheme],)
        if ctx is None or not principal.may_list(town=ctx.towns[0], departments=departments):
            continue
        min_age = int(ctx.settings["pension_min_age"])
        born_before = ctx.as_of.replace(year=ctx.as_of.year - min_age, day=min(ctx.as_of.day, 28))
        ids = social.uncovered_members(
            ctx.conn,
            towns=ctx.towns,
            village=village,
            scheme=scheme,
            as_of=ctx.as_of,
            floor_fen=ctx.standard.floor_fen,
            line_fen=ctx.standard.monitoring_line_fen,
            born_before=born_before,
        )
        rows = households.members(
            ctx.conn, towns=ctx.towns, ids=ids, principal=principal, departments=departments, unmask=unmask
        )
        for row in rows:
            listing.append(
                {
                    "姓名": row["name"],
                    "身份证号": row["id_number"],
                    "性别": row["gender"],
                    "出生年份": row["birth_year"],
                    "户主": row["head_name"],
                    "未参加": SCHEME_LABELS[scheme],
                }
            )
    return SocialDetail(listing, subsidy, linkage, visit_days, unvisited, welfare, age, days)
