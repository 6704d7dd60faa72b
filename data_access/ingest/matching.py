"""The file's rows against the store: which exist (update) or are new (add), what changed,
and members moving between households."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Date, and_, bindparam, select
from sqlalchemy.engine import Connection

from data_access import text as text_rule
from data_access.ingest.kinds import FeedKind
from data_access.ingest.planned import FIELD_LABELS, SAMPLES_PER_FIELD, FieldChange, Move, Plan, Update
from data_access.ingest.refs import CHUNK, Row, select_in
from data_access.ingest.rows import _key
from data_access.masking import mask_id_number


def existing_rows(
    conn: Connection, kind: FeedKind, rows: list[Row]
) -> dict[tuple[Any, ...], list[tuple[Any, dict[str, Any]]]]:
    """Stored rows sharing a natural key with the file's rows, oldest first, in bulk."""
    table = kind.table
    pk = next(iter(table.primary_key.columns))
    columns = [table.c[f] for f in kind.stored]
    first = kind.natural_key[0]
    firsts = {r.values[first] for r in rows}
    if not firsts:
        return {}
    conditions = [table.c[first].in_(bindparam("keys", expanding=True))]
    params: dict[str, Any] = {}
    for f in kind.natural_key[1:]:
        if isinstance(table.c[f].type, Date):
            # Payments are looked up only within the file's dates, not over all history.
            days = [r.values[f] for r in rows]
            conditions.append(table.c[f].between(bindparam("lo"), bindparam("hi")))
            params = {"lo": min(days), "hi": max(days)}
            break
    stmt = select(pk, *columns).where(and_(*conditions)).order_by(pk)
    out: dict[tuple[Any, ...], list[tuple[Any, dict[str, Any]]]] = defaultdict(list)
    ordered = sorted(firsts, key=str)
    for i in range(0, len(ordered), CHUNK):
        for record in conn.execute(stmt, {"keys": ordered[i : i + CHUNK], **params}):
            stored = dict(zip(kind.stored, record[1:], strict=True))
            out[_key(kind, stored)].append((record[0], stored))
    return out


def match_store(conn: Connection, kind: FeedKind, rows: list[Row], plan: Plan, absent: set[str]) -> None:
    """Pair file rows with stored rows by natural key (in order, for repeatable kinds).

    A field whose column is absent from the file keeps its stored value in an update (a
    households file without 联系电话 leaves the phone numbers alone), unless something in the
    row derived it (sex and birth date from the ID number)."""
    valid = [r for r in rows if r.ok]
    existing = existing_rows(conn, kind, valid)
    used: dict[tuple[Any, ...], int] = defaultdict(int)
    defaults = {f: column.default for f in absent if (column := kind.column(f)) is not None}
    pending: list[tuple[Row, Update]] = []
    for row in valid:
        key = _key(kind, row.values)
        new = {f: row.values.get(f) for f in kind.stored}
        bucket = existing.get(key, [])
        if used[key] < len(bucket):
            row_id, old = bucket[used[key]]
            used[key] += 1
            for f, default in defaults.items():
                if new[f] == default:
                    new[f] = old[f]
            update = Update(row_id, new, old, row.number)
            if update.changed:
                pending.append((row, update))
            else:
                plan.unchanged += 1
        else:
            plan.adds.append(new)
            plan.add_numbers.append(row.number)
    moves = find_moves(conn, kind, rows, pending)
    for row, update in pending:
        if not row.ok:
            continue
        plan.updates.append(update)
        move = moves.get(row.number)
        if move is not None:
            plan.moves.append(move)
        for f in update.changed:
            if move is not None and f == "household_id":
                continue  # listed under 家庭变动, not as an ordinary change
            label = _field_label(kind, f)
            plan.field_changes[label] = plan.field_changes.get(label, 0) + 1
            if plan.field_changes[label] <= SAMPLES_PER_FIELD:
                shown_old, shown_new = _shown(kind, f, update.old[f]), _shown(kind, f, update.new[f])
                plan.samples.append(FieldChange(row.number, label, shown_old, shown_new))


def _field_label(kind: FeedKind, name: str) -> str:
    column = kind.column(name)
    return column.header if column is not None else FIELD_LABELS.get(name, name)


def _shown(kind: FeedKind, name: str, value: Any) -> str:
    column = kind.column(name)
    text_ = column.type.format(value) if column is not None else ("" if value is None else str(value))
    return text_rule.show_invisible(text_) if text_ else "（空）"


def _household_name(head: tuple[str, str] | None) -> str:
    if head is None:
        return "（已不存在的家庭）"
    number, name = head
    return f"户主{text_rule.show_invisible(name)}（{mask_id_number(number)}）"


def find_moves(conn: Connection, kind: FeedKind, rows: list[Row], pending: list[tuple[Row, Update]]) -> dict[int, Move]:
    """Updates that put a member into another household: each becomes an explicit move.

    Rule: moving the registered head of a household (家庭档案's 户主身份证号) is refused, unless
    the same file also lists every other current member of that household (the clerk has dealt
    with the whole household, e.g. two households merged); other members may move, and every
    move is listed on its own in the dry run."""
    if "household_id" not in kind.stored or "household_id" in kind.natural_key:
        return {}
    moving = [(row, u) for row, u in pending if u.old["household_id"] != u.new["household_id"]]
    if not moving:
        return {}
    ids = {u.old["household_id"] for _, u in moving} | {u.new["household_id"] for _, u in moving}
    households = {
        int(i): (str(n), str(name))
        for i, n, name in select_in(conn, "SELECT id, head_id_number, head_name FROM household WHERE id IN :keys", ids)
    }
    heads_leaving = {
        u.old["household_id"]
        for _, u in moving
        if households.get(u.old["household_id"], ("",))[0] == u.new["id_number"]
    }
    members_of: dict[int, set[str]] = defaultdict(set)
    for household, number in select_in(
        conn, "SELECT household_id, id_number FROM member WHERE household_id IN :keys", heads_leaving
    ):
        members_of[int(household)].add(str(number))
    in_file = {r.values.get("id_number") for r in rows}
    out: dict[int, Move] = {}
    for row, update in moving:
        old_id, number = update.old["household_id"], update.new["id_number"]
        was_head = households.get(old_id, ("",))[0] == number
        if was_head:
            others = members_of[old_id] - {number}
            missing = others - in_file
            if missing:
                row.fail(
                    "household_id_number",
                    f"此人是另一户（{_household_name(households.get(old_id))}）的户主，不能单独移到别的家庭："
                    f"如两户合并，请在同一文件中列出原家庭的其他 {len(others)} 名成员（还缺 {len(missing)} 名）；"
                    "如是户主身份证号填错，请改正",
                )
                continue
            row.warnings.append(
                ("household_id_number", "此人原为户主：原家庭在“家庭档案”中的户主身份证号仍是此人，请同时核对家庭档案")
            )
        out[row.number] = Move(
            row=row.number,
            name=text_rule.show_invisible(str(update.new.get("name") or "")),
            id_number=mask_id_number(str(number)),
            old_household=_household_name(households.get(old_id)),
            new_household=_household_name(households.get(update.new["household_id"])),
            was_head=was_head,
        )
    return out
