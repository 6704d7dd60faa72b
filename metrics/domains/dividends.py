"""/dividends content: every cooperative against 五.2, town totals, 富民 dividends, weak villages."""

from __future__ import annotations

from dataclasses import dataclass

from data_access.queries import dividends
from metrics.domain.rules import DIVIDEND_OUTCOME_LABELS, DividendOutcome, dividend_target, dividend_target_met
from metrics.evaluate import Evaluator
from metrics.registry import KPI_BY_KEY


@dataclass(frozen=True)
class CooperativeRow:
    name: str
    town_code: str
    village_code: str
    weak: bool
    net_income_fen: int
    dividends_fen: int
    previous_fen: int | None
    outcome: DividendOutcome

    @property
    def growth(self) -> float | None:
        if not self.previous_fen:
            return None
        return (self.dividends_fen / self.previous_fen - 1) * 100

    @property
    def share(self) -> float | None:
        return self.dividends_fen / self.net_income_fen * 100 if self.net_income_fen > 0 else None

    @property
    def met(self) -> bool:
        return dividend_target_met(self.outcome)

    @property
    def outcome_label(self) -> str:
        return DIVIDEND_OUTCOME_LABELS[self.outcome]


@dataclass(frozen=True)
class DividendDetail:
    year: int | None
    cooperatives: list[CooperativeRow]
    town_totals: dict[str, dict[str, int]]
    fumin: dict[str, tuple[int, int]]  # unit -> (households, fen)


def dividend_detail(
    evaluator: Evaluator,
    units: list[tuple[str, str]],
    village: str | None,
    principal: object = None,
    unmask: bool = False,
) -> DividendDetail | None:
    del units
    ctx = evaluator.context(KPI_BY_KEY["dividend_compliance"])
    if ctx is None:
        return None
    year = dividends.latest_year(ctx.conn, towns=ctx.towns, up_to=ctx.as_of.year)
    if year is None:
        return DividendDetail(None, [], {}, {})
    rows = []
    for r in dividends.cooperatives(ctx.conn, towns=ctx.towns, year=year):
        if village and r["village_code"] != village:
            continue
        previous = None if r["previous_fen"] is None else int(r["previous_fen"])
        outcome = dividend_target(
            dividends_fen=int(r["dividends_fen"]),
            previous_dividends_fen=previous,
            net_income_fen=int(r["net_income_fen"]),
        )
        rows.append(
            CooperativeRow(
                name=str(r["name"]),
                town_code=str(r["town_code"]),
                village_code=str(r["village_code"]),
                weak=bool(r["economically_weak"]),
                net_income_fen=int(r["net_income_fen"]),
                dividends_fen=int(r["dividends_fen"]),
                previous_fen=previous,
                outcome=outcome,
            )
        )
    return DividendDetail(
        year=year,
        cooperatives=rows,
        town_totals=dividends.town_totals(ctx.conn, towns=ctx.towns, year=year, by=ctx.level),
        fumin=dividends.fumin(ctx.conn, towns=ctx.towns, year=year, by=ctx.level),
    )
