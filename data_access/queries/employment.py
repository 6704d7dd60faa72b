"""Employment of key targets (clause 二(二)): placements, training, entrepreneurship, the job
reserve pool. Keyed by town or village code (`by`)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy.engine import Connection

from data_access.queries.caseload import ACTIVE_HOUSEHOLDS, active_params, from_active
from data_access.queries.common import add_months, run, unit_column

# Key targets (就业重点帮扶对象, 二(二).1): members with labour capacity and willingness to
# work in households on the register below the monitoring line.
KEY_TARGETS = f"""
SELECT m.id AS member_id, a.town_code, a.village_code, m.has_individual_plan
FROM ({ACTIVE_HOUSEHOLDS}) a JOIN member m ON m.household_id = a.household_id
WHERE a.grp IN ('floor', 'monitored') AND m.labour_capacity AND m.willing_to_work
"""
_EMPLOYED = """EXISTS (SELECT 1 FROM placement p WHERE p.member_id = k.member_id AND p.started_on <= :as_of
                 AND (p.ended_on IS NULL OR p.ended_on > :as_of))"""


def funnel(
    conn: Connection,
    *,
    towns: Collection[str],
    as_of: date,
    floor_fen: int,
    line_fen: int,
    retention_months: int = 6,
    by: str = "town",
    active: str | None = None,
) -> dict[str, dict[str, int]]:
    """Per unit: targets -> trained -> ever placed -> employed now; and retention.

    retained: of the targets placed at least `retention_months` before as_of, those whose
    placement lasted that long.
    """
    col = unit_column(by, "k")
    kept = add_months(conn, "p.started_on", retention_months)
    sql = f"""
    SELECT {col},
      COUNT(*) AS targets,
      SUM(CASE WHEN EXISTS (SELECT 1 FROM training t WHERE t.member_id = k.member_id
                            AND t.started_on <= :as_of) THEN 1 ELSE 0 END) AS trained,
      SUM(CASE WHEN EXISTS (SELECT 1 FROM placement p WHERE p.member_id = k.member_id
                            AND p.started_on <= :as_of) THEN 1 ELSE 0 END) AS placed,
      SUM(CASE WHEN {_EMPLOYED} THEN 1 ELSE 0 END) AS employed,
      SUM(CASE WHEN EXISTS (SELECT 1 FROM placement p WHERE p.member_id = k.member_id
                            AND {kept} <= :as_of) THEN 1 ELSE 0 END) AS retention_base,
      SUM(CASE WHEN EXISTS (SELECT 1 FROM placement p WHERE p.member_id = k.member_id
                            AND {kept} <= :as_of
                            AND (p.ended_on IS NULL OR p.ended_on >= {kept})) THEN 1 ELSE 0 END) AS retained,
      SUM(CASE WHEN k.has_individual_plan THEN 1 ELSE 0 END) AS with_plan
    FROM ({KEY_TARGETS}) k
    GROUP BY {col}
    """
    sql = from_active(sql, active)
    params = active_params(as_of=as_of, floor_fen=floor_fen, line_fen=line_fen)
    keys = ("targets", "trained", "placed", "employed", "retention_base", "retained", "with_plan")
    return {
        row[0]: {k: int(v or 0) for k, v in zip(keys, row[1:], strict=True)}
        for row in run(conn, sql, towns=towns, params=params)
    }


def placement_rate_by_town(
    conn: Connection, *, towns: Collection[str], as_of: date, floor_fen: int, line_fen: int, by: str = "town"
) -> dict[str, tuple[int, int]]:
    """(employed, key targets) at as_of, by unit."""
    col = unit_column(by, "k")
    sql = f"""
    SELECT {col}, SUM(CASE WHEN {_EMPLOYED} THEN 1 ELSE 0 END), COUNT(*)
    FROM ({KEY_TARGETS}) k
    GROUP BY {col}
    """
    params = active_params(as_of=as_of, floor_fen=floor_fen, line_fen=line_fen)
    return {t: (int(e or 0), int(n)) for t, e, n in run(conn, sql, towns=towns, params=params)}


def _member_source(table: str, by: str) -> tuple[str, str]:
    if by == "village":
        return (
            f"{table} p JOIN member m ON m.id = p.member_id JOIN household h ON h.id = m.household_id",
            "h.village_code",
        )
    return f"{table} p", "p.town_code"


def new_placements(
    conn: Connection, *, towns: Collection[str], start: date, end: date, by: str = "town"
) -> dict[tuple[str, str], int]:
    """(unit, channel) -> placements that started in the range."""
    source, col = _member_source("placement", by)
    sql = f"""
    SELECT {col}, p.channel, COUNT(*) FROM {source}
    WHERE p.town_code IN :towns AND p.started_on BETWEEN :start AND :end
    GROUP BY {col}, p.channel
    """
    return {(t, c): int(n) for t, c, n in run(conn, sql, towns=towns, params={"start": start, "end": end})}


def new_placements_by_town(
    conn: Connection, *, towns: Collection[str], start: date, end: date, by: str = "town"
) -> dict[str, int]:
    out: dict[str, int] = {}
    for (unit, _), n in new_placements(conn, towns=towns, start=start, end=end, by=by).items():
        out[unit] = out.get(unit, 0) + n
    return out


def trainings(
    conn: Connection, *, towns: Collection[str], start: date, end: date, by: str = "town"
) -> dict[str, dict[str, int]]:
    """Per unit: trainings started in the range, of them completed and certified."""
    source, col = _member_source("training", by)
    sql = f"""
    SELECT {col}, COUNT(*),
           SUM(CASE WHEN p.completed_on IS NOT NULL AND p.completed_on <= :end THEN 1 ELSE 0 END),
           SUM(CASE WHEN p.certified THEN 1 ELSE 0 END)
    FROM {source}
    WHERE p.town_code IN :towns AND p.started_on BETWEEN :start AND :end
    GROUP BY {col}
    """
    return {
        t: {"started": int(n), "completed": int(c or 0), "certified": int(x or 0)}
        for t, n, c, x in run(conn, sql, towns=towns, params={"start": start, "end": end})
    }


def subsidies(
    conn: Connection, *, towns: Collection[str], start: date, end: date
) -> dict[tuple[str, str], tuple[int, int]]:
    """(town, kind) -> (grants, amount fen) of entrepreneurship subsidies in the range."""
    sql = """
    SELECT s.town_code, s.kind, COUNT(*), SUM(s.amount_fen) FROM entrepreneurship_subsidy s
    WHERE s.town_code IN :towns AND s.granted_on BETWEEN :start AND :end
    GROUP BY s.town_code, s.kind
    """
    return {
        (t, k): (int(n), int(a or 0)) for t, k, n, a in run(conn, sql, towns=towns, params={"start": start, "end": end})
    }


def loans(conn: Connection, *, towns: Collection[str], start: date, end: date) -> dict[str, tuple[int, int, int]]:
    """town -> (loans, principal fen, interest subsidy fen) issued in the range."""
    sql = """
    SELECT l.town_code, COUNT(*), SUM(l.principal_fen), SUM(l.interest_subsidy_fen) FROM guaranteed_loan l
    WHERE l.town_code IN :towns AND l.issued_on BETWEEN :start AND :end
    GROUP BY l.town_code
    """
    return {
        t: (int(n), int(p or 0), int(i or 0))
        for t, n, p, i in run(conn, sql, towns=towns, params={"start": start, "end": end})
    }


def job_pool(conn: Connection, *, towns: Collection[str], as_of: date) -> dict[str, tuple[int, int]]:
    """town -> (open postings, open vacancies) in the 岗位储备库 at as_of."""
    sql = """
    SELECT j.town_code, COUNT(*), SUM(j.vacancies - j.filled) FROM job_posting j
    WHERE j.town_code IN :towns AND j.posted_on <= :as_of AND (j.closed_on IS NULL OR j.closed_on > :as_of)
    GROUP BY j.town_code
    """
    return {t: (int(n), int(v or 0)) for t, n, v in run(conn, sql, towns=towns, params={"as_of": as_of})}


def placed_persons(
    conn: Connection, *, towns: Collection[str], start: date, end: date, by: str = "town"
) -> dict[str, int]:
    """Per unit: distinct persons with a placement starting in the range (新增就业安置, 人)."""
    source, col = _member_source("placement", by)
    sql = f"""
    SELECT {col}, COUNT(DISTINCT p.member_id) FROM {source}
    WHERE p.town_code IN :towns AND p.started_on BETWEEN :start AND :end
    GROUP BY {col}
    """
    return {t: int(n) for t, n in run(conn, sql, towns=towns, params={"start": start, "end": end})}
