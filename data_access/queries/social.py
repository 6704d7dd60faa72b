"""Social-security coverage of the monitored population (clause 四)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy.engine import Connection

from data_access.queries.caseload import ACTIVE_HOUSEHOLDS, active_params
from data_access.queries.common import run

_COVERED = """EXISTS (SELECT 1 FROM insurance_enrolment i
      WHERE i.member_id = m.id AND i.scheme IN ({schemes}) AND i.enrolled_on <= :as_of
        AND (i.ended_on IS NULL OR i.ended_on > :as_of))"""


def pension_coverage_by_town(
    conn: Connection, *, towns: Collection[str], as_of: date, floor_fen: int, line_fen: int, born_before: date
) -> dict[str, tuple[int, int]]:
    """(covered, eligible): members aged 16+ (born on or before born_before), not in school,
    of households on the register below the line, with a resident or employee pension."""
    covered = _COVERED.format(schemes="'pension', 'employee_pension'")
    sql = f"""
    SELECT a.town_code, SUM(CASE WHEN {covered} THEN 1 ELSE 0 END), COUNT(*)
    FROM ({ACTIVE_HOUSEHOLDS}) a JOIN member m ON m.household_id = a.household_id
    WHERE a.grp IN ('floor', 'monitored') AND m.birth_date <= :born_before AND m.student_stage = 'none'
    GROUP BY a.town_code
    """
    params = {**active_params(as_of=as_of, floor_fen=floor_fen, line_fen=line_fen), "born_before": born_before}
    return {t: (int(c or 0), int(n)) for t, c, n in run(conn, sql, towns=towns, params=params)}


def medical_coverage_by_town(
    conn: Connection, *, towns: Collection[str], as_of: date, floor_fen: int, line_fen: int
) -> dict[str, tuple[int, int]]:
    """(covered, members) of floor-group and monitored-band households in 居民医保 (四.3)."""
    covered = _COVERED.format(schemes="'medical'")
    sql = f"""
    SELECT a.town_code, SUM(CASE WHEN {covered} THEN 1 ELSE 0 END), COUNT(*)
    FROM ({ACTIVE_HOUSEHOLDS}) a JOIN member m ON m.household_id = a.household_id
    WHERE a.grp IN ('floor', 'monitored')
    GROUP BY a.town_code
    """
    params = active_params(as_of=as_of, floor_fen=floor_fen, line_fen=line_fen)
    return {t: (int(c or 0), int(n)) for t, c, n in run(conn, sql, towns=towns, params=params)}
