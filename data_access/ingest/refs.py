"""References from a file to rows already in the store, resolved in bulk: households and
members by ID number, towns, villages and cooperatives by code, goal scopes by name.

Each lookup is one query per 2,000 distinct keys, never one per row.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from data_access.models.governance import CITY_SCOPE
from data_access.reference import CITY_CODE, CITY_NAME

CHUNK = 2_000


def select_in(conn: Connection, sql: str, values: Collection[Any], **params: Any) -> list[Any]:
    """Rows of `sql` whose :keys IN-list covers `values`, queried in chunks."""
    ordered = sorted(values, key=str)
    stmt = text(sql).bindparams(bindparam("keys", expanding=True))
    out: list[Any] = []
    for start in range(0, len(ordered), CHUNK):
        out.extend(conn.execute(stmt, {"keys": ordered[start : start + CHUNK], **params}).all())
    return out


class Lookups:
    """Store look-ups for one validation, cached so each table is read once."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._towns: dict[str, tuple[str, str]] | None = None
        self._villages: dict[str, str] | None = None
        self._cooperatives: dict[str, int] | None = None

    def towns(self) -> dict[str, tuple[str, str]]:
        """code -> (name, short name)."""
        if self._towns is None:
            rows = self.conn.execute(text("SELECT code, name, short_name FROM town"))
            self._towns = {str(c): (str(n), str(s)) for c, n, s in rows}
        return self._towns

    def villages(self) -> dict[str, str]:
        """village code -> town code."""
        if self._villages is None:
            self._villages = {str(c): str(t) for c, t in self.conn.execute(text("SELECT code, town_code FROM village"))}
        return self._villages

    def cooperatives(self) -> dict[str, int]:
        """village code -> cooperative id (the first, if a village had two)."""
        if self._cooperatives is None:
            rows = self.conn.execute(text("SELECT village_code, id FROM cooperative ORDER BY id DESC"))
            self._cooperatives = {str(v): int(i) for v, i in rows}
        return self._cooperatives

    def households(self, numbers: Collection[str]) -> dict[str, tuple[int, str]]:
        """ID number -> (household id, town code), by the head's or any member's number."""
        if not numbers:
            return {}
        out = {
            str(n): (int(h), str(t))
            for n, h, t in select_in(
                self.conn,
                "SELECT m.id_number, h.id, h.town_code FROM member m JOIN household h ON h.id = m.household_id "
                "WHERE m.id_number IN :keys",
                numbers,
            )
        }
        # The head's own number wins where a member row says otherwise.
        heads = select_in(
            self.conn, "SELECT head_id_number, id, town_code FROM household WHERE head_id_number IN :keys", numbers
        )
        out.update({str(n): (int(h), str(t)) for n, h, t in heads})
        return out

    def members(self, numbers: Collection[str]) -> dict[str, tuple[int, int, str]]:
        """ID number -> (member id, household id, town code)."""
        if not numbers:
            return {}
        rows = select_in(
            self.conn,
            "SELECT m.id_number, m.id, m.household_id, h.town_code FROM member m "
            "JOIN household h ON h.id = m.household_id WHERE m.id_number IN :keys",
            numbers,
        )
        return {str(n): (int(m), int(h), str(t)) for n, m, h, t in rows}


@dataclass
class Row:
    """One data row of a file on its way to the store."""

    number: int  # as in Excel
    values: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)  # field -> cell as read, for messages
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field, message)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def fail(self, field_name: str, message: str) -> None:
        self.errors.append((field_name, message))


Resolver = Callable[[list[Row], Lookups], None]


def _present(rows: Iterable[Row], name: str) -> list[Row]:
    return [r for r in rows if r.values.get(name) not in (None, "")]


@dataclass(frozen=True)
class HouseholdRef:
    """An ID number naming a household (its head or any member) -> household_id, town_code."""

    source: str

    def __call__(self, rows: list[Row], lookups: Lookups) -> None:
        rows = _present(rows, self.source)
        found = lookups.households({r.values[self.source] for r in rows})
        for row in rows:
            hit = found.get(row.values[self.source])
            if hit is None:
                row.fail(self.source, "系统中没有该身份证号对应的家庭：请先导入家庭档案和家庭成员")
            else:
                row.values["household_id"], row.values["town_code"] = hit


@dataclass(frozen=True)
class MemberRef:
    """A member's ID number -> member_id, household_id, town_code."""

    source: str

    def __call__(self, rows: list[Row], lookups: Lookups) -> None:
        rows = _present(rows, self.source)
        found = lookups.members({r.values[self.source] for r in rows})
        for row in rows:
            hit = found.get(row.values[self.source])
            if hit is None:
                row.fail(self.source, "系统中没有该身份证号的家庭成员：请先导入家庭成员")
            else:
                row.values["member_id"], row.values["household_id"], row.values["town_code"] = hit


@dataclass(frozen=True)
class HouseholdVillage:
    """After a household or member reference: the household's village (rows that name no
    village of their own still count per village)."""

    def __call__(self, rows: list[Row], lookups: Lookups) -> None:
        ids = {r.values["household_id"] for r in rows if r.values.get("household_id") is not None}
        if not ids:
            return
        found = dict(select_in(lookups.conn, "SELECT id, village_code FROM household WHERE id IN :keys", ids))
        for row in rows:
            if row.values.get("household_id") in found:
                row.values["village_code"] = str(found[row.values["household_id"]])


@dataclass(frozen=True)
class TownRef:
    source: str = "town_code"

    def __call__(self, rows: list[Row], lookups: Lookups) -> None:
        towns = lookups.towns()
        for row in _present(rows, self.source):
            if row.values[self.source] not in towns:
                row.fail(self.source, "不是系统中的区镇代码（见模板“填写说明”中的区镇代码表）")


@dataclass(frozen=True)
class VillageRef:
    """A village code; fills the town from it, or checks the town given beside it."""

    source: str = "village_code"
    town_field: str = "town_code"

    def __call__(self, rows: list[Row], lookups: Lookups) -> None:
        villages, towns = lookups.villages(), lookups.towns()
        for row in _present(rows, self.source):
            town = villages.get(row.values[self.source])
            if town is None:
                row.fail(self.source, "不是系统中的村(社区)代码：请先导入村(社区)名录")
                continue
            given = row.values.get(self.town_field)
            if given in (None, ""):
                row.values[self.town_field] = town
            elif given != town:
                name = towns.get(town, (town, town))[0]
                row.fail(self.source, f"该村(社区)属于{name}（{town}），与所填区镇代码 {given} 不一致")


@dataclass(frozen=True)
class CooperativeRef:
    source: str = "village_code"

    def __call__(self, rows: list[Row], lookups: Lookups) -> None:
        cooperatives = lookups.cooperatives()
        for row in _present(rows, self.source):
            found = cooperatives.get(row.values[self.source])
            if found is None:
                row.fail(self.source, "该村(社区)在系统中没有股份合作社：请先导入股份合作社名录")
            else:
                row.values["cooperative_id"] = found


CITY_WORDS = frozenset({CITY_SCOPE, "全市", CITY_NAME, CITY_CODE, "CITY"})


@dataclass(frozen=True)
class ScopeRef:
    """A goal's scope: 全市 or a town by code, full name or short name -> scope_code."""

    source: str = "scope_code"

    def __call__(self, rows: list[Row], lookups: Lookups) -> None:
        towns = lookups.towns()
        names = {}
        for code, (name, short) in towns.items():
            names[name] = names[short] = names[code] = code
        for row in _present(rows, self.source):
            value = str(row.values[self.source]).strip()
            if value in CITY_WORDS or value.upper() in CITY_WORDS:
                row.values[self.source] = CITY_SCOPE
            elif value in names:
                row.values[self.source] = names[value]
            else:
                row.fail(self.source, "范围应为“全市”或区镇名称、区镇代码")
