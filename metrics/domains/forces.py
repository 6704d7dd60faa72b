"""/social-forces content (六.2—六.4, 组织保障.2) and the 乡村振兴 tables of /dividends (五.1,
五.3): KPI values per unit, and where funds came from and went (来源、用途、领域)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from data_access.access import Principal
from data_access.queries import assistance
from data_access.reference import ASSISTANCE_KINDS
from metrics.evaluate import Evaluator
from metrics.kpis.facts import FEN_TO_WAN
from metrics.registry import KPI_BY_KEY

RURAL_KPIS = ("village_project_funds", "industry_link_rate")


@dataclass(frozen=True)
class ForcesDetail:
    # funds by source / use (万元); the per-unit KPI values are the page's league table
    categories: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class RuralDetail:
    per_unit: list[dict[str, Any]]  # 项目投入, 投向薄弱村, 联农带农 per unit
    categories: list[dict[str, Any]] = field(default_factory=list)  # projects by field (万元)


def kpi_rows(evaluator: Evaluator, units: list[tuple[str, str]], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """One row per unit: each KPI's value, headed “short label（unit）”; None where it has none."""
    kpis = [KPI_BY_KEY[k] for k in keys]
    return [
        {"单位": name, **{f"{k.short}（{k.unit}）": evaluator.value(k, code) for k in kpis}} for code, name in units
    ]


def category_rows(evaluator: Evaluator, kinds: tuple[str, ...], feed_kpi: str) -> list[dict[str, Any]]:
    """Funds of the given kinds by category over the period, in 万元, with each one's share of its kind."""
    ctx = evaluator.context(KPI_BY_KEY[feed_kpi])
    if ctx is None:
        return []
    rows = assistance.by_category(ctx.conn, towns=ctx.towns, kinds=kinds, start=ctx.start, as_of=ctx.as_of)
    totals: dict[str, int] = {}
    for r in rows:
        totals[r["kind"]] = totals.get(r["kind"], 0) + r["fen"]
    return [
        {
            "类别": ASSISTANCE_KINDS[r["kind"]][0],
            "来源、用途或领域": r["category"] or "未分类",
            "金额（万元）": round(r["fen"] * FEN_TO_WAN, 2),
            "笔数（笔）": r["rows"],
            "占该类比例（%）": round(r["fen"] / totals[r["kind"]] * 100, 1) if totals[r["kind"]] else None,
        }
        for r in rows
    ]


def forces_detail(
    evaluator: Evaluator,
    units: list[tuple[str, str]],
    village: str | None,
    principal: Principal,
    unmask: bool = False,
) -> ForcesDetail:
    categories = category_rows(evaluator, ("charity_raised", "charity_spent"), "charity_raised")
    categories += category_rows(evaluator, ("pooled_fund",), "pooled_funds")
    return ForcesDetail(categories)


def rural_detail(
    evaluator: Evaluator,
    units: list[tuple[str, str]],
    village: str | None,
    principal: Principal,
    unmask: bool = False,
) -> RuralDetail:
    """/dividends' 乡村振兴 tables: per unit the 五.1/五.3 KPIs; at town level also the part of
    project funds that went to economically weak villages."""
    per_unit = kpi_rows(evaluator, units, RURAL_KPIS)
    ctx = evaluator.context(KPI_BY_KEY["village_project_funds"])
    if ctx is not None and evaluator.level == "town":
        weak = assistance.weak_village_projects(ctx.conn, towns=ctx.towns, start=ctx.start, as_of=ctx.as_of)
        for (code, _), row in zip(units, per_unit, strict=True):
            w = weak.get(code, {})
            total = w.get("weak_fen", 0) + w.get("other_fen", 0)
            row["投向薄弱村（万元）"] = round(w.get("weak_fen", 0) * FEN_TO_WAN, 2)
            row["薄弱村占比（%）"] = round(w.get("weak_fen", 0) / total * 100, 1) if total else None
    return RuralDetail(per_unit, category_rows(evaluator, ("village_project",), "village_project_funds"))
