"""Relief spending, recipients, budgets and 应助尽助 gaps (clause 三). Keyed by town or village."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy.engine import Connection

from data_access.queries.caseload import ACTIVE_HOUSEHOLDS, active_params, from_active
from data_access.queries.common import month_key, month_of, run, unit_column


def _from(by: str) -> tuple[str, str]:
    """FROM clause and grouping column: a village needs the household join, a town does not."""
    if by == "village":
        return "relief_payment r JOIN household h ON h.id = r.household_id", unit_column(by, "h")
    return "relief_payment r", unit_column(by, "r")


def spending(
    conn: Connection, *, towns: Collection[str], start: date, end: date, by: str = "town"
) -> dict[str, dict[str, int]]:
    """Amount (fen), payments (户次) and persons (人次) paid between start and end, by unit."""
    source, col = _from(by)
    sql = f"""
    SELECT {col}, SUM(r.amount_fen), COUNT(*), SUM(r.persons_covered)
    FROM {source}
    WHERE r.town_code IN :towns AND r.paid_on BETWEEN :start AND :end
    GROUP BY {col}
    """
    return {
        t: {"amount_fen": int(a or 0), "payments": int(n), "persons": int(p or 0)}
        for t, a, n, p in run(conn, sql, towns=towns, params={"start": start, "end": end})
    }


def spending_by_type(
    conn: Connection, *, towns: Collection[str], start: date, end: date, by: str = "town"
) -> dict[tuple[str, str], dict[str, int]]:
    """(unit, relief type) -> amount, payments, persons."""
    source, col = _from(by)
    sql = f"""
    SELECT {col}, r.relief_type, SUM(r.amount_fen), COUNT(*), SUM(r.persons_covered)
    FROM {source}
    WHERE r.town_code IN :towns AND r.paid_on BETWEEN :start AND :end
    GROUP BY {col}, r.relief_type
    """
    return {
        (t, k): {"amount_fen": int(a or 0), "payments": int(n), "persons": int(p or 0)}
        for t, k, a, n, p in run(conn, sql, towns=towns, params={"start": start, "end": end})
    }


def spending_by_month_and_type(
    conn: Connection, *, towns: Collection[str], start: date, end: date
) -> dict[tuple[str, str], int]:
    """('YYYY-MM', relief type) -> amount (fen)."""
    sql = f"""
    SELECT {month_key(conn, "r.paid_on")} AS month, r.relief_type, SUM(r.amount_fen)
    FROM relief_payment r
    WHERE r.town_code IN :towns AND r.paid_on BETWEEN :start AND :end
    GROUP BY 1, r.relief_type
    """
    return {(m, k): int(a or 0) for m, k, a in run(conn, sql, towns=towns, params={"start": start, "end": end})}


def budget(conn: Connection, *, towns: Collection[str], year: int) -> dict[tuple[str, str], int]:
    """(town, relief type) -> budget (fen) for a year."""
    sql = """
    SELECT b.town_code, b.relief_type, SUM(b.amount_fen) FROM relief_budget b
    WHERE b.town_code IN :towns AND b.year = :year
    GROUP BY b.town_code, b.relief_type
    """
    return {(t, k): int(a or 0) for t, k, a in run(conn, sql, towns=towns, params={"year": year})}


def budget_by_town(conn: Connection, *, towns: Collection[str], year: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for (town, _), amount in budget(conn, towns=towns, year=year).items():
        out[town] = out.get(town, 0) + amount
    return out


# 应助尽助 rules: who meets a relief rule at :as_of. Each mirrors a function of metrics.domain.rules
# (tests check them against it household by household).
# The monitoring line in force on the assessment date (the standard changes on July 1).
_LINE_AT_ASSESSMENT = (
    "(SELECT ROUND(ls.amount_fen * ls.monitoring_multiplier) FROM living_standard ls "
    "WHERE ls.effective_from <= a.assessed_on ORDER BY ls.effective_from DESC LIMIT 1)"
)
_HAS_MEMBER = "EXISTS (SELECT 1 FROM member m WHERE m.household_id = a.household_id AND {cond})"
GAP_RULES: dict[str, str] = {
    # 三.1: I < S, or S <= I < M with a severely disabled or seriously ill member.
    "living": "(a.grp = 'floor' OR (a.grp = 'monitored' AND "
    + _HAS_MEMBER.format(cond="(m.severe_disability OR m.serious_illness)")
    + "))",
    # 三.3: I < S (低保 households, as such), or S <= I < M with a seriously ill member.
    "medical": "(a.grp = 'floor' OR (a.grp = 'monitored' AND " + _HAS_MEMBER.format(cond="m.serious_illness") + "))",
    # 三.4: I < M with a student from preschool to high school / secondary vocational.
    "education": "a.grp IN ('floor', 'monitored') AND "
    + _HAS_MEMBER.format(cond="m.student_stage IN ('preschool', 'compulsory', 'high_school', 'secondary_vocational')"),
    # 三.2: expenditure-type poverty. (Income - medical spending) per person-month from
    # January to the application (assessment) month below the line in force in that month;
    # any registered household with medical spending, already below M or not.
    "temporary": "a.medical_fen > 0 AND a.persons > 0 AND "
    "a.income_fen * a.persons * {months} - a.medical_fen < " + _LINE_AT_ASSESSMENT + " * a.persons * {months}",
}


def _gap_sql(conn: Connection, rule: str) -> str:
    condition = GAP_RULES[rule].format(months=month_of(conn, "a.assessed_on"))
    return f"""
    SELECT a.household_id, a.town_code, a.village_code,
           CASE WHEN EXISTS (SELECT 1 FROM relief_payment r
                             WHERE r.household_id = a.household_id AND r.relief_type = :relief_type
                               AND r.paid_on BETWEEN :since AND :as_of) THEN 0 ELSE 1 END AS unpaid
    FROM ({ACTIVE_HOUSEHOLDS}) a
    WHERE {condition}
    """


def gaps(
    conn: Connection,
    *,
    towns: Collection[str],
    rule: str,
    as_of: date,
    since: date,
    floor_fen: int,
    line_fen: int,
    by: str = "town",
    active: str | None = None,
) -> dict[str, tuple[int, int]]:
    """Per unit: (households meeting the rule, of them with no payment of that type since `since`)."""
    col = unit_column(by, "g")
    sql = from_active(f"SELECT {col}, COUNT(*), SUM(g.unpaid) FROM ({_gap_sql(conn, rule)}) g GROUP BY {col}", active)
    params = {**active_params(as_of=as_of, floor_fen=floor_fen, line_fen=line_fen), "since": since, "relief_type": rule}
    return {c: (int(n), int(u or 0)) for c, n, u in run(conn, sql, towns=towns, params=params)}


def gap_households(
    conn: Connection,
    *,
    towns: Collection[str],
    village: str,
    rule: str,
    as_of: date,
    since: date,
    floor_fen: int,
    line_fen: int,
) -> list[int]:
    """Ids of households in one village that meet the rule and received nothing."""
    sql = f"SELECT g.household_id FROM ({_gap_sql(conn, rule)}) g WHERE g.unpaid = 1 AND g.village_code = :village"
    params = {
        **active_params(as_of=as_of, floor_fen=floor_fen, line_fen=line_fen),
        "since": since,
        "relief_type": rule,
        "village": village,
    }
    return [int(r[0]) for r in run(conn, sql, towns=towns, params=params)]


def housing_split(
    conn: Connection, *, towns: Collection[str], start: date, end: date, by: str = "town"
) -> dict[str, dict[str, tuple[int, int]]]:
    """住房保障 (三.5) per unit and form of support (rent / purchase / "" unclassified): (distinct
    households paid, amount in fen) between start and end inclusive."""
    source, col = _from(by)
    sql = f"""
    SELECT {col} AS unit, r.item, COUNT(DISTINCT r.household_id), SUM(r.amount_fen) FROM {source}
    WHERE r.relief_type = 'housing' AND r.town_code IN :towns AND r.paid_on >= :start AND r.paid_on <= :end
    GROUP BY {col}, r.item
    """
    out: dict[str, dict[str, tuple[int, int]]] = {}
    for unit, item, households, fen in run(conn, sql, towns=towns, params={"start": start, "end": end}):
        out.setdefault(str(unit), {})[str(item or "")] = (int(households), int(fen or 0))
    return out


def housing_candidates(
    conn: Connection,
    *,
    towns: Collection[str],
    causes: Collection[str],
    start: date,
    as_of: date,
    floor_fen: int,
    line_fen: int,
    by: str = "town",
    active: str | None = None,
) -> dict[str, tuple[int, int]]:
    """Per unit: (floor-group and monitored households at as_of impoverished by one of `causes`
    — 三.5's first condition; the housing standard itself is in no feed —, of them with any
    housing support paid between start and as_of)."""
    col = unit_column(by, "a")
    cause_list = ", ".join(f"'{c}'" for c in causes)  # keys from data_access.reference, never user text
    sql = f"""
    SELECT {col}, COUNT(*),
           SUM(CASE WHEN EXISTS (SELECT 1 FROM relief_payment p WHERE p.household_id = a.household_id
                 AND p.relief_type = 'housing' AND p.paid_on >= :start AND p.paid_on <= :as_of) THEN 1 ELSE 0 END)
    FROM ({ACTIVE_HOUSEHOLDS}) a
    WHERE a.grp IN ('floor', 'monitored') AND a.cause IN ({cause_list})
    GROUP BY {col}
    """
    params = {**active_params(as_of=as_of, floor_fen=floor_fen, line_fen=line_fen), "start": start}
    rows = run(conn, from_active(sql, active), towns=towns, params=params)
    return {str(u): (int(n), int(paid or 0)) for u, n, paid in rows}
