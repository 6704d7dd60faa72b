"""帮扶服务记录 (assistance_record) by town or village: elderly care (四.4), 防贫保险 is in
queries.social; social help (六.2, 六.4), charity and pooled funds (六.3, 组织保障.2), village
projects and industry links (五.1, 五.3)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from data_access.queries.caseload import ACTIVE_HOUSEHOLDS, active_params, from_active
from data_access.queries.common import run, unit_column

# A span (结对, 联农带农, 互助养老) runs at as_of when it started on or before and has not ended before.
_RUNNING = "r.served_on <= :as_of AND (r.ended_on IS NULL OR r.ended_on >= :as_of)"


def elderly_visits(
    conn: Connection,
    *,
    towns: Collection[str],
    as_of: date,
    visited_from: date,
    born_before: date,
    floor_fen: int,
    line_fen: int,
    by: str = "town",
    active: str | None = None,
) -> dict[str, tuple[int, int]]:
    """Per unit: (elderly members of floor-group and monitored households at as_of, born on or
    before born_before; of them visited at home between visited_from and as_of, both inclusive)."""
    col = unit_column(by, "a")
    sql = f"""
    SELECT {col}, COUNT(*),
           SUM(CASE WHEN EXISTS (SELECT 1 FROM assistance_record r
                 WHERE r.member_id = m.id AND r.kind = 'elderly_visit'
                   AND r.served_on >= :visited_from AND r.served_on <= :as_of) THEN 1 ELSE 0 END)
    FROM ({ACTIVE_HOUSEHOLDS}) a JOIN member m ON m.household_id = a.household_id
    WHERE a.grp IN ('floor', 'monitored') AND m.birth_date <= :born_before
    GROUP BY {col}
    """
    params = {
        **active_params(as_of=as_of, floor_fen=floor_fen, line_fen=line_fen),
        "visited_from": visited_from,
        "born_before": born_before,
    }
    rows = run(conn, from_active(sql, active), towns=towns, params=params)
    return {str(u): (int(n), int(v or 0)) for u, n, v in rows}


def running_share(
    conn: Connection,
    *,
    towns: Collection[str],
    kind: str,
    as_of: date,
    floor_fen: int,
    line_fen: int,
    by: str = "town",
    active: str | None = None,
) -> dict[str, tuple[int, int]]:
    """Per unit: (floor-group and monitored households at as_of; of them with a `kind` span
    running at as_of), for 结对帮扶 and 联农带农."""
    col = unit_column(by, "a")
    sql = f"""
    SELECT {col}, COUNT(*),
           SUM(CASE WHEN EXISTS (SELECT 1 FROM assistance_record r
                 WHERE r.household_id = a.household_id AND r.kind = :kind AND {_RUNNING}) THEN 1 ELSE 0 END)
    FROM ({ACTIVE_HOUSEHOLDS}) a
    WHERE a.grp IN ('floor', 'monitored')
    GROUP BY {col}
    """
    params = {**active_params(as_of=as_of, floor_fen=floor_fen, line_fen=line_fen), "kind": kind}
    rows = run(conn, from_active(sql, active), towns=towns, params=params)
    return {str(u): (int(n), int(c or 0)) for u, n, c in rows}


def served_households(
    conn: Connection, *, towns: Collection[str], kind: str, start: date, as_of: date, by: str = "town"
) -> dict[str, int]:
    """Per unit: distinct households with a `kind` event between start and as_of, both inclusive
    (适老化改造, 志愿服务), wherever the household stands now. Rows carry their household's
    village, so no register table is read."""
    col = unit_column(by, "r")
    sql = f"""
    SELECT {col}, COUNT(DISTINCT r.household_id)
    FROM assistance_record r
    WHERE r.kind = :kind AND r.town_code IN :towns AND r.served_on >= :start AND r.served_on <= :as_of
      AND {col} IS NOT NULL
    GROUP BY {col}
    """
    rows = run(conn, sql, towns=towns, params={"kind": kind, "start": start, "as_of": as_of})
    return {str(u): int(n) for u, n in rows}


def amounts(
    conn: Connection, *, towns: Collection[str], kinds: Collection[str], start: date, as_of: date, by: str = "town"
) -> dict[str, dict[str, dict[str, int]]]:
    """Per unit and kind: `fen` (amount), `disclosed_fen` (of it made public), `rows`, between
    start and as_of inclusive. By village only kinds that name a village (乡村振兴项目)."""
    col = "r.town_code" if by == "town" else unit_column(by, "r")
    kind_list = ", ".join(f"'{k}'" for k in kinds)  # keys from ASSISTANCE_KINDS, never user text
    sql = f"""
    SELECT {col} AS unit, r.kind, SUM(r.amount_fen) AS fen,
           SUM(CASE WHEN r.disclosed THEN r.amount_fen ELSE 0 END) AS disclosed_fen, COUNT(*) AS n
    FROM assistance_record r
    WHERE r.kind IN ({kind_list}) AND r.town_code IN :towns AND r.served_on >= :start AND r.served_on <= :as_of
      {"AND r.village_code IS NOT NULL" if by == "village" else ""}
    GROUP BY {col}, r.kind
    """
    out: dict[str, dict[str, dict[str, int]]] = {}
    for r in run(conn, sql, towns=towns, params={"start": start, "as_of": as_of}):
        out.setdefault(str(r.unit), {})[str(r.kind)] = {
            "fen": int(r.fen or 0),
            "disclosed_fen": int(r.disclosed_fen or 0),
            "rows": int(r.n),
        }
    return out


def by_category(
    conn: Connection, *, towns: Collection[str], kinds: Collection[str], start: date, as_of: date
) -> list[dict[str, Any]]:
    """(kind, category, amount in fen, rows, distinct towns) between start and as_of: where funds
    came from and went (六.3 募集来源与使用用途, 组织保障.2 资金来源, 五.1 项目领域)."""
    kind_list = ", ".join(f"'{k}'" for k in kinds)
    sql = f"""
    SELECT r.kind, r.category, SUM(r.amount_fen) AS fen, COUNT(*) AS n,
           SUM(CASE WHEN r.disclosed THEN r.amount_fen ELSE 0 END) AS disclosed_fen
    FROM assistance_record r
    WHERE r.kind IN ({kind_list}) AND r.town_code IN :towns AND r.served_on >= :start AND r.served_on <= :as_of
    GROUP BY r.kind, r.category
    ORDER BY r.kind, SUM(r.amount_fen) DESC
    """
    return [
        {"kind": str(k), "category": str(c), "fen": int(f or 0), "rows": int(n), "disclosed_fen": int(d or 0)}
        for k, c, f, n, d in run(conn, sql, towns=towns, params={"start": start, "as_of": as_of})
    ]


def weak_village_projects(
    conn: Connection, *, towns: Collection[str], start: date, as_of: date
) -> dict[str, dict[str, int]]:
    """Per town: 乡村振兴项目 between start and as_of in economically weak villages and in the
    others (`weak_fen`, `weak_rows`, `other_fen`, `other_rows`) — 五.1: resources tilted to
    the villages that need them."""
    sql = """
    SELECT r.town_code,
           SUM(CASE WHEN w.weak = 1 THEN r.amount_fen ELSE 0 END), SUM(CASE WHEN w.weak = 1 THEN 1 ELSE 0 END),
           SUM(CASE WHEN w.weak = 1 THEN 0 ELSE r.amount_fen END), SUM(CASE WHEN w.weak = 1 THEN 0 ELSE 1 END)
    FROM assistance_record r
    LEFT JOIN (SELECT c.village_code, MAX(CASE WHEN c.economically_weak THEN 1 ELSE 0 END) AS weak
               FROM cooperative c GROUP BY c.village_code) w ON w.village_code = r.village_code
    WHERE r.kind = 'village_project' AND r.town_code IN :towns AND r.served_on >= :start AND r.served_on <= :as_of
    GROUP BY r.town_code
    """
    return {
        str(t): {
            "weak_fen": int(wf or 0),
            "weak_rows": int(wr or 0),
            "other_fen": int(of or 0),
            "other_rows": int(o or 0),
        }
        for t, wf, wr, of, o in run(conn, sql, towns=towns, params={"start": start, "as_of": as_of})
    }
