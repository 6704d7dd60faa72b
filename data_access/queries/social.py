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
