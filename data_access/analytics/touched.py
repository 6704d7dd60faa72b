"""Which towns and from which day a change to raw rows affects the facts.

Stocks at a month end depend on every earlier row (a household stays on the register, an
income assessment stays in force), so a change dated D touches every month from D's on; a
row with no date of its own (a household, a member's circumstances) touches every month.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

# Tables no fact is computed from: their changes refresh nothing.
UNRELATED = {
    "goal",
    "job_posting",
    "entrepreneurship_subsidy",
    "guaranteed_loan",
    "relief_budget",
    "town",
}
# Rows whose dates bound the months they affect; the others affect every month.
DATED = {
    "case_event",
    "income_assessment",
    "relief_payment",
    "placement",
    "training",
    "insurance_enrolment",
    "assistance_record",
}
YEARLY = {"cooperative", "cooperative_year", "fumin_dividend", "village", "household"}
# How to find the town of a row that does not name one.
_TOWN_OF = {
    "household_id": "SELECT id, town_code FROM household WHERE id IN :ids",
    "member_id": "SELECT m.id, h.town_code FROM member m JOIN household h ON h.id = m.household_id WHERE m.id IN :ids",
    "cooperative_id": "SELECT id, town_code FROM cooperative WHERE id IN :ids",
}


@dataclass(frozen=True)
class Touch:
    towns: frozenset[str] | None  # None: every town (rows whose town cannot be told)
    since: date | None  # None: every month
    yearly: bool  # the yearly (dividend) facts too
    monthly: bool = True

    @property
    def empty(self) -> bool:
        return self.towns is not None and not self.towns


NOTHING = Touch(frozenset(), None, False, False)


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def touched(conn: Connection, table: str, rows: Iterable[dict[str, Any] | None]) -> Touch:
    """The towns and first day affected by these rows (old and new versions alike)."""
    if table in UNRELATED:
        return NOTHING
    present = [r for r in rows if r]
    towns: set[str] = set()
    lookups: dict[str, set[Any]] = {}
    days: list[date] = []
    for row in present:
        if row.get("town_code"):
            towns.add(str(row["town_code"]))
        else:
            for col in _TOWN_OF:
                if row.get(col) is not None:
                    lookups.setdefault(col, set()).add(row[col])
                    break
        days += [d for d in map(_day, row.values()) if d is not None]
    for col, ids in lookups.items():
        stmt = text(_TOWN_OF[col]).bindparams(bindparam("ids", expanding=True))
        id_list = sorted(ids)
        for i in range(0, len(id_list), 2000):
            towns.update(t for _, t in conn.execute(stmt, {"ids": id_list[i : i + 2000]}))
    since = min(days) if table in DATED and days else None
    monthly = table not in {"cooperative", "cooperative_year", "fumin_dividend"}
    if rows and not towns and not lookups:
        # A table this module does not know how to place: refresh every town, to be safe.
        return Touch(None, since, True, True)
    return Touch(frozenset(towns), since, table in YEARLY, monthly)
