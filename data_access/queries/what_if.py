"""政策测算: the register at a date under today's lines and under a scenario's lines, side by side.

No second classification: today's group is ACTIVE_HOUSEHOLDS' own `grp` (the caseload stock's
SQL), the scenario's group is the very same CASE expression of ACTIVE_HOUSEHOLDS bound to the
scenario's lines, and the 三.1 / 三.2 tests are the 应助尽助 rules of data_access.queries.relief
(GAP_RULES), the scenario's with its lines. One row per (town, group today, group in the
scenario, 三.1 today/scenario, 三.2 today/scenario): households, persons and the monthly
低保补差 (S − I) × persons of each side, summed in SQL.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Connection

from data_access.queries.caseload import ACTIVE_HOUSEHOLDS, active_params
from data_access.queries.common import month_of, run
from data_access.queries.relief import _LINE_AT_ASSESSMENT, GAP_RULES

_CASE_START = "CASE WHEN ia.per_capita_income_fen IS NULL"
# The group expression of ACTIVE_HOUSEHOLDS, as written there.
GROUP_CASE = ACTIVE_HOUSEHOLDS[ACTIVE_HOUSEHOLDS.index(_CASE_START) : ACTIVE_HOUSEHOLDS.index(" AS grp")]


def scenario_group_sql(income: str = "a.income_fen") -> str:
    """ACTIVE_HOUSEHOLDS' group expression over `income`, bound to :scenario_floor_fen and
    :scenario_line_fen instead of today's lines."""
    return (
        GROUP_CASE.replace("ia.per_capita_income_fen", income)
        .replace(":floor_fen", ":scenario_floor_fen")
        .replace(":line_fen", ":scenario_line_fen")
    )


def _living(grp: str) -> str:
    """三.1 生活救助 (GAP_RULES['living']) on the given group column."""
    return GAP_RULES["living"].replace("a.grp", grp)


def _temporary(conn: Connection, line: str | None) -> str:
    """三.2 临时救助 (GAP_RULES['temporary']); `line` replaces the line in force at assessment."""
    rule = GAP_RULES["temporary"].format(months=month_of(conn, "a.assessed_on"))
    return rule if line is None else rule.replace(_LINE_AT_ASSESSMENT, line)


@dataclass(frozen=True)
class WhatIfRow:
    town_code: str
    group_today: str  # floor / monitored / above / unknown (no income assessment)
    group_scenario: str
    living_today: bool  # meets 三.1 生活救助 today
    living_scenario: bool
    temporary_today: bool  # meets 三.2 临时救助 today
    temporary_scenario: bool
    households: int
    persons: int
    special_members: int  # severely disabled or seriously ill members (三.1 按月生活救助)
    floor_gap_today_fen: int  # monthly Σ (S − I) × persons over the floor group today
    floor_gap_scenario_fen: int  # the same with the scenario's S over its floor group


def what_if_rows(
    conn: Connection,
    *,
    towns: Collection[str],
    as_of: date,
    floor_fen: int,
    line_fen: int,
    scenario_floor_fen: int,
    scenario_line_fen: int,
    temporary_line_fen: int,
    scenario_from: date,
) -> list[WhatIfRow]:
    """The register at as_of grouped by today's and the scenario's group and rules.

    floor_fen / line_fen: the lines in force at as_of (what every caseload figure uses).
    scenario_*: the lines if the standard in force since `scenario_from` were the scenario's.
    temporary_line_fen: the 三.2 threshold for applications (assessments) since
    `scenario_from`; earlier ones keep the line in force in their month, as today.
    """
    scenario_line = (
        f"(CASE WHEN a.assessed_on >= :scenario_from THEN :temporary_line_fen ELSE {_LINE_AT_ASSESSMENT} END)"
    )
    sql = f"""
    SELECT w.town_code, w.grp, w.sgrp, w.living_now, w.living_new, w.temp_now, w.temp_new,
           COUNT(*), SUM(w.persons), SUM(w.special),
           SUM(CASE WHEN w.grp = 'floor' THEN (:floor_fen - w.income_fen) * w.persons ELSE 0 END),
           SUM(CASE WHEN w.sgrp = 'floor' THEN (:scenario_floor_fen - w.income_fen) * w.persons ELSE 0 END)
    FROM (
      SELECT a.town_code, a.grp, a.sgrp, a.income_fen, a.persons,
             CASE WHEN {_living("a.grp")} THEN 1 ELSE 0 END AS living_now,
             CASE WHEN {_living("a.sgrp")} THEN 1 ELSE 0 END AS living_new,
             CASE WHEN {_temporary(conn, None)} THEN 1 ELSE 0 END AS temp_now,
             CASE WHEN {_temporary(conn, scenario_line)} THEN 1 ELSE 0 END AS temp_new,
             (SELECT COUNT(*) FROM member m
              WHERE m.household_id = a.household_id AND (m.severe_disability OR m.serious_illness)) AS special
      FROM (SELECT r.*, {scenario_group_sql("r.income_fen")} AS sgrp FROM ({ACTIVE_HOUSEHOLDS}) r) a
    ) w
    GROUP BY w.town_code, w.grp, w.sgrp, w.living_now, w.living_new, w.temp_now, w.temp_new
    """
    params = {
        **active_params(as_of=as_of, floor_fen=floor_fen, line_fen=line_fen),
        "scenario_floor_fen": scenario_floor_fen,
        "scenario_line_fen": scenario_line_fen,
        "temporary_line_fen": temporary_line_fen,
        "scenario_from": scenario_from,
    }
    return [
        WhatIfRow(
            town_code=str(t),
            group_today=str(g),
            group_scenario=str(s),
            living_today=bool(ln),
            living_scenario=bool(lw),
            temporary_today=bool(tn),
            temporary_scenario=bool(tw),
            households=int(h),
            persons=int(p or 0),
            special_members=int(sp or 0),
            floor_gap_today_fen=int(gn or 0),
            floor_gap_scenario_fen=int(gw or 0),
        )
        for t, g, s, ln, lw, tn, tw, h, p, sp, gn, gw in run(conn, sql, towns=towns, params=params)
    ]
