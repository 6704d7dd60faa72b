"""Compare the stored facts with a fresh computation from raw rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from data_access.analytics import build
from data_access.analytics.params import BuildParams
from data_access.analytics.refresh import MONTH_FACTS, YEAR_FACTS, _all_towns, built_months, complete

_KEYS = {
    "fact_caseload_month": ("month", "town_code", "village_code"),
    "fact_cause_month": ("month", "town_code", "village_code", "cause"),
    "fact_review_wait_month": ("month", "town_code", "village_code", "kind", "stage", "days"),
    "fact_return_month": ("month", "town_code", "village_code", "cause", "cohort"),
    "fact_relief_month": ("month", "town_code", "village_code", "relief_type"),
    "fact_employment_month": ("month", "town_code", "village_code"),
    "fact_medical_month": ("month", "town_code", "village_code"),
    "fact_placement_span": ("month", "span", "town_code", "village_code"),
    "fact_housing_span": ("month", "span", "town_code", "village_code"),
    "fact_dividend_year": ("year", "town_code", "village_code"),
}


def _keyed(name: str, rows: list[dict[str, Any]]) -> dict[tuple[Any, ...], dict[str, Any]]:
    keys = _KEYS[name]
    return {tuple(r[k] for k in keys): {k: v for k, v in r.items() if k not in keys} for r in rows}


def stored(conn: Connection) -> dict[str, dict[tuple[Any, ...], dict[str, Any]]]:
    out = {}
    for name, table in (*MONTH_FACTS.items(), ("fact_dividend_year", YEAR_FACTS)):
        out[name] = _keyed(name, [dict(r) for r in conn.execute(select(table)).mappings()])
    return out


def fresh(conn: Connection) -> dict[str, dict[tuple[Any, ...], dict[str, Any]]]:
    """What the facts of the built months (and every year) should hold now."""
    p, towns = BuildParams.from_store(conn), _all_towns(conn)
    collected: dict[str, list[dict[str, Any]]] = {name: [] for name in _KEYS}
    build.open_active(conn)
    for month in sorted(built_months(conn)):
        for name, rows in build.month_rows(conn, month, towns, p).items():
            collected[name] += rows
    build.close_active(conn)
    for year in build.dividend_years(conn):
        collected["fact_dividend_year"] += build.year_rows(conn, year, towns)
    tables = {**MONTH_FACTS, "fact_dividend_year": YEAR_FACTS}
    return {name: _keyed(name, complete(tables[name], rows)) for name, rows in collected.items()}


def differences(conn: Connection, *, limit: int = 50) -> list[str]:
    """Each difference as a line of text (empty: the facts are right)."""
    have, want = stored(conn), fresh(conn)
    out: list[str] = []
    for name in _KEYS:
        for key in sorted(set(have[name]) | set(want[name]), key=str):
            a, b = have[name].get(key), want[name].get(key)
            if a != b:
                out.append(f"{name} {key}: 存储 {a}，应为 {b}")
                if len(out) >= limit:
                    return out
    return out
