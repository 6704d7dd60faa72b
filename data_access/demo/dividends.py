"""Demo collective economy: one cooperative per village with net income and dividends against
五.2, and 富民 dividends to households."""

from __future__ import annotations

import math
import random
from datetime import date

from data_access.demo.base import COOPERATIVE_YEARS, FUMIN_YEARS, _Town, _yuan
from data_access.demo.households import _GeneratorState, _Household
from data_access.demo.writer import _Writer
from data_access.models import Cooperative, CooperativeYear, FuminDividend
from metrics.domain import rules


class _DividendsMixin(_GeneratorState):
    def _fumin(self, hh: _Household) -> None:
        """富民合作社 干股 dividends each January to 低保 / 低保边缘 households (五.2)."""
        rng = self.rng
        for year in FUMIN_YEARS:
            day = date(year, 1, 12 + self.town.sort_order)
            if hh.below_line_on(day) and rng.random() < self.profile.fumin:
                self.writer.add(
                    FuminDividend,
                    {
                        "id": self.writer.new_id(FuminDividend),
                        "household_id": hh.id,
                        "town_code": hh.town.code,
                        "year": year - 1,
                        "paid_on": day,
                        "amount_fen": _yuan(rng, 500, 3000),
                    },
                )

    # -- employment -------------------------------------------------------------------------


def _write_cooperatives(rng: random.Random, writer: _Writer, towns: list[_Town]) -> None:
    """One 股份合作社 per village with yearly net income and dividends (五.2)."""
    for town in towns:
        for village in town.villages:
            weak = rng.random() < (0.12 if village.kind == "村" else 0.05)
            cooperative_id = writer.new_id(Cooperative)
            writer.add(
                Cooperative,
                {
                    "id": cooperative_id,
                    "village_code": village.code,
                    "town_code": town.code,
                    "name": f"{village.name}股份合作社",
                    "economically_weak": weak,
                },
            )
            for year, net, dividends in _dividend_history(rng, weak, village.kind, town.profile.dividend_met):
                writer.add(
                    CooperativeYear,
                    {
                        "id": writer.new_id(CooperativeYear),
                        "cooperative_id": cooperative_id,
                        "year": year,
                        "net_income_fen": net,
                        "dividends_fen": dividends,
                    },
                )


def _dividend_history(rng: random.Random, weak: bool, kind: str, met_rate: float) -> list[tuple[int, int, int]]:
    low, high = (50, 200) if weak else ((300, 3000) if kind == "社区" else (200, 1500))
    net = round(rng.uniform(low, high) * 100) * 10_000  # 万元, kept to whole hundreds of yuan
    previous: int | None = None
    rows = []
    for year in COOPERATIVE_YEARS:
        if previous is not None:
            net = round(net * rng.uniform(0.94, 1.10) / 10_000) * 10_000
        if previous is None:
            dividends = math.ceil(net * rng.uniform(0.30, 0.40) / 100) * 100
        else:
            dividends = _dividends(rng, net, previous, meet=rng.random() < met_rate)
        rows.append((year, net, dividends))
        previous = dividends
    return rows


def _dividends(rng: random.Random, net: int, previous: int, *, meet: bool) -> int:
    """Dividends that meet (or miss) 五.2, with a few exactly on the 5 % or 30 % boundary."""
    if meet:
        roll = rng.random()
        if roll < 0.04 and previous * 105 % 100 == 0:
            dividends = previous * 105 // 100  # exactly +5 %
        elif roll < 0.08 and net * 30 % 100 == 0:
            dividends = net * 30 // 100  # exactly 30 % of net income
        elif roll < 0.55:
            dividends = math.ceil(previous * rng.uniform(1.05, 1.12) / 100) * 100
        else:
            dividends = math.ceil(net * rng.uniform(0.30, 0.36) / 100) * 100
    else:
        dividends = math.floor(min(previous * rng.uniform(0.85, 1.04), net * rng.uniform(0.18, 0.29)) / 100) * 100
    outcome = rules.dividend_target(dividends_fen=dividends, previous_dividends_fen=previous, net_income_fen=net)
    assert rules.dividend_target_met(outcome) == meet, (net, previous, dividends)
    return dividends
