"""Social-security coverage of the monitored population (clause 四), by town or village."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy.engine import Connection

from data_access.queries.caseload import ACTIVE_HOUSEHOLDS, active_params, from_active
from data_access.queries.common import run, unit_column

_COVERED = """EXISTS (SELECT 1 FROM insurance_enrolment i
      WHERE i.member_id = m.id AND i.scheme IN ({schemes}) AND i.enrolled_on <= :as_of
        AND (i.ended_on IS NULL OR i.ended_on > :as_of))"""

# scheme -> (schemes that count as covered, who must be covered)
SCHEMES: dict[str, tuple[str, str]] = {
    # 四.1: 16+ (a setting), not in school, resident or employee pension.
    "pension": ("'pension', 'employee_pension'", "m.birth_date <= :born_before AND m.student_stage = 'none'"),
    # 四.3: every member of floor-group and monitored households.
    "medical": ("'medical'", "1 = 1"),
    # 四.3: disabled members (失能) in long-term care insurance.
    "ltc": ("'ltc'", "m.severe_disability"),
    # 三.7: every member of floor-group and monitored households in 防贫保险.
    "anti_poverty": ("'anti_poverty'", "1 = 1"),
}


def _sql(scheme: str, select: str, group: str = "") -> str:
    schemes, who = SCHEMES[scheme]
    return f"""
    SELECT {select}
    FROM ({ACTIVE_HOUSEHOLDS}) a JOIN member m ON m.household_id = a.household_id
    WHERE a.grp IN ('floor', 'monitored') AND {who}
    {group}
    """.replace("{covered}", _COVERED.format(schemes=schemes))


def coverage(
    conn: Connection,
    *,
    towns: Collection[str],
    scheme: str,
    as_of: date,
    floor_fen: int,
    line_fen: int,
    born_before: date,
    by: str = "town",
    active: str | None = None,
) -> dict[str, tuple[int, int]]:
    """(covered, eligible) per unit for one scheme."""
    col = unit_column(by, "a")
    sql = _sql(scheme, f"{col}, SUM(CASE WHEN {{covered}} THEN 1 ELSE 0 END), COUNT(*)", f"GROUP BY {col}")
    sql = from_active(sql, active)
    params = {**active_params(as_of=as_of, floor_fen=floor_fen, line_fen=line_fen), "born_before": born_before}
    return {t: (int(c or 0), int(n)) for t, c, n in run(conn, sql, towns=towns, params=params)}


def uncovered_members(
    conn: Connection,
    *,
    towns: Collection[str],
    village: str,
    scheme: str,
    as_of: date,
    floor_fen: int,
    line_fen: int,
    born_before: date,
) -> list[int]:
    """Member ids in one village who should be covered by the scheme and are not."""
    sql = _sql(scheme, "m.id") + " AND a.village_code = :village AND NOT {covered}"
    sql = sql.replace("{covered}", _COVERED.format(schemes=SCHEMES[scheme][0]))
    params = {
        **active_params(as_of=as_of, floor_fen=floor_fen, line_fen=line_fen),
        "born_before": born_before,
        "village": village,
    }
    return [int(r[0]) for r in run(conn, sql, towns=towns, params=params)]


# 四.2 / 四.3 资助参保: an enrolment in force at as_of, optionally one whose premium the government paid.
_IN_FORCE = """EXISTS (SELECT 1 FROM insurance_enrolment i
      WHERE i.member_id = m.id AND i.scheme = '{scheme}' AND i.enrolled_on <= :as_of
        AND (i.ended_on IS NULL OR i.ended_on > :as_of){subsidised})"""
SUBSIDY_SCHEMES = ("pension", "medical")  # resident pension (城乡居民养老) and 居民医保


def _in_force(scheme: str, subsidised: bool) -> str:
    return _IN_FORCE.format(scheme=scheme, subsidised=" AND i.premium_subsidised" if subsidised else "")


def premium_subsidy(
    conn: Connection,
    *,
    towns: Collection[str],
    as_of: date,
    floor_fen: int,
    line_fen: int,
    by: str = "town",
    active: str | None = None,
) -> dict[str, dict[str, int]]:
    """Per unit, members (distinct persons) of floor-group and monitored households at as_of:
    `<scheme>_enrolled` (in the scheme at as_of), `<scheme>_subsidised` (and its premium
    subsidised) for resident pension and 居民医保, and `any_subsidised` (either)."""
    col = unit_column(by, "a")
    cases = []
    for scheme in SUBSIDY_SCHEMES:
        cases.append(f"SUM(CASE WHEN {_in_force(scheme, False)} THEN 1 ELSE 0 END) AS {scheme}_enrolled")
        cases.append(f"SUM(CASE WHEN {_in_force(scheme, True)} THEN 1 ELSE 0 END) AS {scheme}_subsidised")
    either = " OR ".join(_in_force(s, True) for s in SUBSIDY_SCHEMES)
    cases.append(f"SUM(CASE WHEN {either} THEN 1 ELSE 0 END) AS any_subsidised")
    sql = f"""
    SELECT {col} AS unit, {", ".join(cases)}
    FROM ({ACTIVE_HOUSEHOLDS}) a JOIN member m ON m.household_id = a.household_id
    WHERE a.grp IN ('floor', 'monitored')
    GROUP BY {col}
    """
    sql = from_active(sql, active)
    params = active_params(as_of=as_of, floor_fen=floor_fen, line_fen=line_fen)
    return {
        r.unit: {k: int(v or 0) for k, v in r._mapping.items() if k != "unit"}
        for r in run(conn, sql, towns=towns, params=params)
    }


def coverage_all(
    conn: Connection,
    *,
    towns: Collection[str],
    as_of: date,
    floor_fen: int,
    line_fen: int,
    born_before: date,
    by: str = "town",
    active: str | None = None,
) -> dict[str, dict[str, int]]:
    """Every scheme's coverage() and premium_subsidy()'s enrolled/subsidised counts, per unit,
    from one pass: each member's enrolments in force are read once, instead of once per scheme
    (the fact builder runs this for every town and month). Keys: `<scheme>_covered`,
    `<scheme>_eligible` for SCHEMES, `<scheme>_enrolled`, `<scheme>_subsidised` for
    SUBSIDY_SCHEMES."""
    flags = [
        f"MAX(CASE WHEN i.scheme IN ({schemes}) THEN 1 ELSE 0 END) AS has_{key}"
        for key, (schemes, _) in SCHEMES.items()
    ]
    for scheme in SUBSIDY_SCHEMES:
        flags.append(f"MAX(CASE WHEN i.scheme = '{scheme}' THEN 1 ELSE 0 END) AS in_{scheme}")
        flags.append(f"MAX(CASE WHEN i.scheme = '{scheme}' AND i.premium_subsidised THEN 1 ELSE 0 END) AS sub_{scheme}")
    sums = []
    for key, (_, who) in SCHEMES.items():
        sums.append(f"SUM(CASE WHEN {who} THEN m.has_{key} ELSE 0 END) AS {key}_covered")
        sums.append(f"SUM(CASE WHEN {who} THEN 1 ELSE 0 END) AS {key}_eligible")
    for scheme in SUBSIDY_SCHEMES:
        sums.append(f"SUM(m.in_{scheme}) AS {scheme}_enrolled")
        sums.append(f"SUM(m.sub_{scheme}) AS {scheme}_subsidised")
    col = unit_column(by, "a")
    sql = f"""
    SELECT m.unit, {", ".join(sums)}
    FROM (
        SELECT {col} AS unit, m.id, m.birth_date, m.student_stage, m.severe_disability, {", ".join(flags)}
        FROM ({ACTIVE_HOUSEHOLDS}) a JOIN member m ON m.household_id = a.household_id
        LEFT JOIN insurance_enrolment i ON i.member_id = m.id AND i.enrolled_on <= :as_of
             AND (i.ended_on IS NULL OR i.ended_on > :as_of)
        WHERE a.grp IN ('floor', 'monitored')
        GROUP BY {col}, m.id, m.birth_date, m.student_stage, m.severe_disability
    ) m
    GROUP BY m.unit
    """
    sql = from_active(sql, active)
    params = {**active_params(as_of=as_of, floor_fen=floor_fen, line_fen=line_fen), "born_before": born_before}
    return {
        r.unit: {k: int(v or 0) for k, v in r._mapping.items() if k != "unit"}
        for r in run(conn, sql, towns=towns, params=params)
    }


# 六.2 挂钩联系: a cadre linked by as_of; visited when the latest visit falls in [since_day, as_of].
_LINKED = "EXISTS (SELECT 1 FROM cadre_link c WHERE c.household_id = a.household_id AND c.since <= :as_of)"
_VISITED = """EXISTS (SELECT 1 FROM cadre_link c WHERE c.household_id = a.household_id AND c.since <= :as_of
      AND c.last_visit_on >= :visited_from AND c.last_visit_on <= :as_of)"""


def cadre_linkage(
    conn: Connection,
    *,
    towns: Collection[str],
    as_of: date,
    visited_from: date,
    floor_fen: int,
    line_fen: int,
    by: str = "town",
    active: str | None = None,
) -> dict[str, dict[str, int]]:
    """Per unit, floor-group and monitored households at as_of (`households`), those with a
    linked cadre (`linked`) and those whose cadre's latest visit is between visited_from and
    as_of, both inclusive (`visited`)."""
    col = unit_column(by, "a")
    sql = f"""
    SELECT {col} AS unit, COUNT(*) AS households,
           SUM(CASE WHEN {_LINKED} THEN 1 ELSE 0 END) AS linked,
           SUM(CASE WHEN {_VISITED} THEN 1 ELSE 0 END) AS visited
    FROM ({ACTIVE_HOUSEHOLDS}) a
    WHERE a.grp IN ('floor', 'monitored')
    GROUP BY {col}
    """
    sql = from_active(sql, active)
    params = {**active_params(as_of=as_of, floor_fen=floor_fen, line_fen=line_fen), "visited_from": visited_from}
    return {
        r.unit: {"households": int(r.households), "linked": int(r.linked or 0), "visited": int(r.visited or 0)}
        for r in run(conn, sql, towns=towns, params=params)
    }


def unvisited_households(
    conn: Connection,
    *,
    towns: Collection[str],
    village: str,
    as_of: date,
    visited_from: date,
    floor_fen: int,
    line_fen: int,
) -> list[tuple[int, bool, date | None]]:
    """One village's floor-group and monitored households without a linked cadre or not
    visited since visited_from: (household id, linked, latest visit on or before as_of)."""
    sql = f"""
    SELECT a.household_id,
           CASE WHEN {_LINKED} THEN 1 ELSE 0 END AS linked,
           (SELECT MAX(c.last_visit_on) FROM cadre_link c
             WHERE c.household_id = a.household_id AND c.since <= :as_of AND c.last_visit_on <= :as_of) AS last_visit
    FROM ({ACTIVE_HOUSEHOLDS}) a
    WHERE a.grp IN ('floor', 'monitored') AND a.village_code = :village AND NOT {_VISITED}
    ORDER BY a.household_id
    """
    params = {
        **active_params(as_of=as_of, floor_fen=floor_fen, line_fen=line_fen),
        "visited_from": visited_from,
        "village": village,
    }
    out = []
    for hid, linked, last in run(conn, sql, towns=towns, params=params):
        if isinstance(last, str):
            last = date.fromisoformat(last[:10])
        out.append((int(hid), bool(linked), last))
    return out
