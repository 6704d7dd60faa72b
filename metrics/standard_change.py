"""What a new 低保标准 would change, before it is saved (二(一).1).

Each household on the register keeps its latest income assessment I; it is classified with
metrics.domain.rules.classify under the standard in force and under the proposed one. The store
aggregates households and persons per town and income in SQL (one row per distinct I, not
per household); classification and the 低保补差 (S − I) × persons run on those groups.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.engine import Connection

from data_access.queries.caseload import ACTIVE_HOUSEHOLDS, active_params
from data_access.queries.common import run
from metrics.domain.rules import Group, Standard, classify

GROUPS = (Group.FLOOR, Group.MONITORED, Group.ABOVE)


@dataclass
class TownChange:
    town_code: str
    households: int = 0
    before: dict[Group, int] = field(default_factory=lambda: dict.fromkeys(GROUPS, 0))
    after: dict[Group, int] = field(default_factory=lambda: dict.fromkeys(GROUPS, 0))
    moves: dict[tuple[Group, Group], int] = field(default_factory=lambda: defaultdict(int))
    floor_relief_before_fen: int = 0  # monthly 低保补差 (S − I) × persons over the floor group
    floor_relief_after_fen: int = 0

    @property
    def floor_relief_change_fen(self) -> int:
        return self.floor_relief_after_fen - self.floor_relief_before_fen

    @property
    def moved(self) -> int:
        return sum(n for (a, b), n in self.moves.items() if a != b)

    def add(self, other: TownChange) -> None:
        self.households += other.households
        for g in GROUPS:
            self.before[g] += other.before[g]
            self.after[g] += other.after[g]
        for key, n in other.moves.items():
            self.moves[key] += n
        self.floor_relief_before_fen += other.floor_relief_before_fen
        self.floor_relief_after_fen += other.floor_relief_after_fen


@dataclass(frozen=True)
class StandardPreview:
    as_of: date  # the register and assessments the preview is computed on
    current: Standard
    proposed: Standard
    towns: list[TownChange]
    total: TownChange


def income_groups(conn: Connection, *, towns: tuple[str, ...], as_of: date) -> list[tuple[str, int, int, int]]:
    """(town, income fen, households, persons) for households on the register at as_of."""
    sql = f"""
    SELECT a.town_code, a.income_fen, COUNT(*), SUM(a.persons)
    FROM ({ACTIVE_HOUSEHOLDS}) a
    WHERE a.income_fen IS NOT NULL
    GROUP BY a.town_code, a.income_fen
    """
    # The grp column of the shared query is not used here: classify() decides the groups.
    params = active_params(as_of=as_of, floor_fen=0, line_fen=0)
    return [(str(t), int(i), int(h), int(p or 0)) for t, i, h, p in run(conn, sql, towns=towns, params=params)]


def preview(
    conn: Connection, *, towns: tuple[str, ...], as_of: date, current: Standard, proposed: Standard
) -> StandardPreview:
    by_town: dict[str, TownChange] = {t: TownChange(t) for t in towns}
    for town, income, households, persons in income_groups(conn, towns=towns, as_of=as_of):
        change = by_town.setdefault(town, TownChange(town))
        before, after = classify(income, current), classify(income, proposed)
        change.households += households
        change.before[before] += households
        change.after[after] += households
        change.moves[(before, after)] += households
        if before is Group.FLOOR:
            change.floor_relief_before_fen += (current.floor_fen - income) * persons
        if after is Group.FLOOR:
            change.floor_relief_after_fen += (proposed.floor_fen - income) * persons
    total = TownChange("city")
    for change in by_town.values():
        total.add(change)
    return StandardPreview(as_of, current, proposed, [by_town[t] for t in towns], total)
