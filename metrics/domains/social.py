"""/social-security content: who should be covered and is not, listed at village level."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from data_access.access import Principal
from data_access.queries import households, social
from metrics.evaluate import Evaluator
from metrics.registry import KPI_BY_KEY

SCHEME_KPIS = {"pension": "pension_coverage", "medical": "medical_coverage", "ltc": "ltc_coverage"}
SCHEME_LABELS = {"pension": "养老保险", "medical": "居民医保", "ltc": "长期护理保险"}


@dataclass(frozen=True)
class SocialDetail:
    uncovered: list[dict[str, Any]]  # village level: masked members and the scheme missing


SCHEME_DEPARTMENTS = {"pension": "人社局", "medical": "医保局", "ltc": "医保局"}


def social_detail(
    evaluator: Evaluator,
    units: list[tuple[str, str]],
    village: str | None,
    principal: Principal,
    unmask: bool = False,
) -> SocialDetail | None:
    del units
    if not village:
        return SocialDetail([])
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
    return SocialDetail(listing)
