"""Independent computations for the tests: plain SELECTs of raw rows, then Python with the
rules module. Deliberately shares no SQL with data_access.queries, so a wrong GROUP BY,
join or date bound in the code under test shows up as a mismatch."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection

from metrics.domain.rules import Group, Standard, classify, dividend_target, dividend_target_met, standard_in_force


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


def register_count(conn: Connection, as_of: date) -> dict[str, int]:
    """Households on the register at as_of, by town: last effective event is an entry."""
    out: dict[str, int] = defaultdict(int)
    towns = dict(conn.execute(text("SELECT id, town_code FROM household")).all())
    last: dict[int, tuple[date, int, str]] = {}
    for hid, eid, kind, eff in conn.execute(text("SELECT household_id, id, kind, effective_date FROM case_event")):
        if eff is None or _d(eff) > as_of:
            continue
        if hid not in last or (_d(eff), eid) > last[hid][:2]:
            last[hid] = (_d(eff), eid, kind)
    for hid, (_, _, kind) in last.items():
        out[towns[hid]] += kind == "entry"
    return out


def events(conn: Connection, start: date, end: date) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for town, kind, eff in conn.execute(text("SELECT town_code, kind, effective_date FROM case_event")):
        if eff is not None and start <= _d(eff) <= end:
            out[town][kind] += 1
    return out


def waiting(conn: Connection, as_of: datetime) -> dict[str, dict[str, int]]:
    """Cases waiting at each stage at as_of, by town."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = conn.execute(
        text("SELECT town_code, submitted_at, village_reviewed_at, town_approved_at, city_filed_at FROM case_event")
    )

    def t(v: object) -> datetime | None:
        return None if v is None else (v if isinstance(v, datetime) else datetime.fromisoformat(str(v)))

    for town, submitted, village, approved, filed in rows:
        submitted, village, approved, filed = t(submitted), t(village), t(approved), t(filed)
        if submitted > as_of or (filed is not None and filed <= as_of):
            continue
        if village is None or village > as_of:
            out[town]["village"] += 1
        elif approved is None or approved > as_of:
            out[town]["town"] += 1
        else:
            out[town]["city"] += 1
    return out


def relief_by_type(conn: Connection, start: date, end: date) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for kind, paid_on, amount in conn.execute(text("SELECT relief_type, paid_on, amount_fen FROM relief_payment")):
        if start <= _d(paid_on) <= end:
            out[kind] += int(amount)
    return out


def living_gaps(conn: Connection, as_of: date, since: date) -> dict[str, tuple[int, int]]:
    """三.1 with rules.living_relief_case: (households meeting it, of them unpaid since `since`)."""
    from metrics.domain.rules import LivingRelief, living_relief_case

    standard = standard_in_force(standards(conn), as_of)
    flags: dict[int, list[bool]] = defaultdict(lambda: [False, False])
    for hid, disabled, ill in conn.execute(text("SELECT household_id, severe_disability, serious_illness FROM member")):
        flags[hid][0] |= bool(disabled)
        flags[hid][1] |= bool(ill)
    paid = {
        hid
        for hid, kind, on in conn.execute(text("SELECT household_id, relief_type, paid_on FROM relief_payment"))
        if kind == "living" and since <= _d(on) <= as_of
    }
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for hid, (town, income, _) in active_households(conn, as_of).items():
        if income is None:
            continue
        case = living_relief_case(
            per_capita_income_fen=income,
            has_severe_disability=flags[hid][0],
            has_serious_illness=flags[hid][1],
            standard=standard,
        )
        if case is LivingRelief.NONE:
            continue
        out[town][0] += 1
        out[town][1] += hid not in paid
    return {t: (v[0], v[1]) for t, v in out.items()}


def pension_coverage(conn: Connection, as_of: date, min_age: int = 16) -> dict[str, tuple[int, int]]:
    standard = standard_in_force(standards(conn), as_of)
    below = {
        hid: town
        for hid, (town, income, _) in active_households(conn, as_of).items()
        if income is not None and classify(income, standard) is not Group.ABOVE
    }
    covered = set()
    rows = conn.execute(text("SELECT member_id, scheme, enrolled_on, ended_on FROM insurance_enrolment"))
    for mid, scheme, start, end in rows:
        if scheme in ("pension", "employee_pension") and _d(start) <= as_of and (end is None or _d(end) > as_of):
            covered.add(mid)
    cutoff = as_of.replace(year=as_of.year - min_age)
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for mid, hid, born, stage in conn.execute(text("SELECT id, household_id, birth_date, student_stage FROM member")):
        if hid in below and _d(born) <= cutoff and stage == "none":
            out[below[hid]][1] += 1
            out[below[hid]][0] += mid in covered
    return {t: (v[0], v[1]) for t, v in out.items()}


def rule_gaps(conn: Connection, rule: str, as_of: date, since: date) -> dict[str, tuple[int, int]]:
    """三.2 / 三.3 with the rule functions, household by household: (meeting it, of them unpaid).

    三.2 uses the standard in force on the assessment date and the months January → that month."""
    from metrics.domain.rules import medical_relief_eligible, temporary_relief_eligible

    history = standards(conn)
    at_as_of = standard_in_force(history, as_of)
    ill: dict[int, bool] = defaultdict(bool)
    for hid, sick in conn.execute(text("SELECT household_id, serious_illness FROM member")):
        ill[hid] |= bool(sick)
    latest: dict[int, tuple[date, int, int, int]] = {}
    rows = conn.execute(
        text(
            "SELECT household_id, id, assessed_on, per_capita_income_fen, medical_spending_ytd_fen "
            "FROM income_assessment"
        )
    )
    for hid, aid, on, income, medical in rows:
        if _d(on) > as_of:
            continue
        if hid not in latest or (_d(on), int(aid)) > latest[hid][:2]:
            latest[hid] = (_d(on), int(aid), int(income), int(medical or 0))
    paid = {
        hid
        for hid, kind, on in conn.execute(text("SELECT household_id, relief_type, paid_on FROM relief_payment"))
        if kind == rule and since <= _d(on) <= as_of
    }
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for hid, (town, income, persons) in active_households(conn, as_of).items():
        if income is None:
            continue
        if rule == "medical":
            meets = medical_relief_eligible(
                per_capita_income_fen=income, has_serious_illness=ill[hid], standard=at_as_of
            )
        else:
            on, _, _, medical = latest[hid]
            meets = (
                medical > 0
                and persons > 0
                and temporary_relief_eligible(
                    per_capita_income_fen=income,
                    household_size=persons,
                    months=on.month,
                    medical_spending_fen=medical,
                    standard=standard_in_force(history, on),
                )
            )
        if meets:
            out[town][0] += 1
            out[town][1] += hid not in paid
    return {t: (v[0], v[1]) for t, v in out.items()}
