"""Independent computations for the tests: plain SELECTs of raw rows, then Python with the
rules module. Deliberately shares no SQL with data_access.queries, so a wrong GROUP BY,
join or date bound in the code under test shows up as a mismatch."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection

from metrics.rules import Group, Standard, classify, dividend_target, dividend_target_met, standard_in_force


def _d(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def standards(conn: Connection) -> list[Standard]:
    rows = conn.execute(text("SELECT effective_from, amount_fen, monitoring_multiplier FROM living_standard"))
    return [Standard(_d(a), int(b), float(c)) for a, b, c in rows]


def active_households(conn: Connection, as_of: date) -> dict[int, tuple[str, int | None, int]]:
    """household id -> (town, income fen or None, persons) for households on the register."""
    last_event: dict[int, tuple[date, int, str]] = {}
    for hid, eid, kind, eff in conn.execute(text("SELECT household_id, id, kind, effective_date FROM case_event")):
        if eff is None or _d(eff) > as_of:
            continue
        key = (_d(eff), int(eid))
        if hid not in last_event or key > last_event[hid][:2]:
            last_event[hid] = (key[0], key[1], kind)
    latest: dict[int, tuple[date, int, int, int]] = {}
    rows = conn.execute(
        text("SELECT household_id, id, assessed_on, per_capita_income_fen, household_size FROM income_assessment")
    )
    for hid, aid, on, income, size in rows:
        if _d(on) > as_of:
            continue
        key = (_d(on), int(aid))
        if hid not in latest or key > latest[hid][:2]:
            latest[hid] = (key[0], key[1], int(income), int(size))
    towns = dict(conn.execute(text("SELECT id, town_code FROM household")).all())
    out = {}
    for hid, (_, _, kind) in last_event.items():
        if kind != "entry":
            continue
        assessment = latest.get(hid)
        out[hid] = (towns[hid], assessment[2] if assessment else None, assessment[3] if assessment else 0)
    return out


def caseload(conn: Connection, as_of: date) -> dict[str, dict[str, int]]:
    """Per town: households and persons below the line, and floor-group households."""
    standard = standard_in_force(standards(conn), as_of)
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for town, income, persons in active_households(conn, as_of).values():
        if income is None:
            continue
        group = classify(income, standard)
        if group is Group.ABOVE:
            continue
        out[town]["households"] += 1
        out[town]["persons"] += persons
        if group is Group.FLOOR:
            out[town]["floor"] += 1
    return out


def relief_fen(conn: Connection, start: date, end: date) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for town, paid_on, amount in conn.execute(text("SELECT town_code, paid_on, amount_fen FROM relief_payment")):
        if start <= _d(paid_on) <= end:
            out[town] += int(amount)
    return out


def placement_rate(conn: Connection, as_of: date) -> dict[str, tuple[int, int]]:
    standard = standard_in_force(standards(conn), as_of)
    below = {
        hid: town
        for hid, (town, income, _) in active_households(conn, as_of).items()
        if income is not None and classify(income, standard) is not Group.ABOVE
    }
    employed_members = set()
    for mid, started, ended in conn.execute(text("SELECT member_id, started_on, ended_on FROM placement")):
        if _d(started) <= as_of and (ended is None or _d(ended) > as_of):
            employed_members.add(mid)
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    rows = conn.execute(text("SELECT id, household_id, labour_capacity, willing_to_work FROM member"))
    for mid, hid, capacity, willing in rows:
        if hid in below and capacity and willing:
            out[below[hid]][1] += 1
            out[below[hid]][0] += mid in employed_members
    return {t: (v[0], v[1]) for t, v in out.items()}


def dividend_compliance(conn: Connection, year: int) -> dict[str, tuple[int, int]]:
    towns = dict(conn.execute(text("SELECT id, town_code FROM cooperative")).all())
    years = {
        (cid, y): (int(net), int(div))
        for cid, y, net, div in conn.execute(
            text("SELECT cooperative_id, year, net_income_fen, dividends_fen FROM cooperative_year")
        )
    }
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (cid, y), (net, div) in years.items():
        if y != year:
            continue
        previous = years.get((cid, y - 1))
        outcome = dividend_target(
            dividends_fen=div, previous_dividends_fen=previous[1] if previous else None, net_income_fen=net
        )
        out[towns[cid]][1] += 1
        out[towns[cid]][0] += dividend_target_met(outcome)
    return {t: (v[0], v[1]) for t, v in out.items()}


def town_codes(conn: Connection) -> tuple[str, ...]:
    return tuple(r[0] for r in conn.execute(text("SELECT code FROM town ORDER BY sort_order, code")))
