"""What stock facts depend on besides raw rows: the 低保标准 in force at each month end and the
settings (thresholds, windows). A month's facts record both; a reader whose own differ reads
raw rows instead, so a fact is never served for rules it was not built with.

The setting defaults live in metrics.domain.settings (the plan's rules side); this is the fact
builder's one import from metrics (noted for the layering issue: pass them in instead).
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Connection

from data_access.queries import reference

# The settings stock facts are computed with (the others only colour figures).
FACT_SETTINGS = (
    "review_overdue_days",
    "warning_near_line_ratio",
    "warning_income_drop_ratio",
    "warning_medical_share",
    "pension_min_age",
    "retention_months",
    "gap_window_monthly_days",
    "gap_window_yearly_days",
    "cadre_visit_days",
    "return_window_months",
    "elderly_min_age",
    "elderly_visit_days",
)


# Raised when a migration adds fact columns: months built before it hold zeros there, and
# their params text no longer matches, so they count as stale and readers use raw rows.
FACT_LAYOUT = 16


def params_json(settings: Mapping[str, float]) -> str:
    """The canonical text of the settings facts depend on, and the fact layout (compared as text)."""
    values = {k: float(settings[k]) for k in FACT_SETTINGS} | {"fact_layout": float(FACT_LAYOUT)}
    return json.dumps(values, sort_keys=True)


@dataclass(frozen=True)
class BuildParams:
    settings: Mapping[str, float]
    standards: tuple[tuple[date, int, float], ...]  # (effective from, amount fen, multiplier), ordered

    @classmethod
    def from_store(cls, conn: Connection) -> BuildParams:
        from metrics.domain.settings import Settings

        settings = Settings.from_store(reference.settings(conn))
        rows = sorted((_as_date(d), int(a), float(m)) for d, a, m, _ in reference.standards(conn))
        return cls({k: settings[k] for k in FACT_SETTINGS}, tuple(rows))

    @property
    def text(self) -> str:
        return params_json(self.settings)

    def lines(self, day: date) -> tuple[int, int] | None:
        """(floor, monitoring line) in fen in force on a day; None before the first standard."""
        idx = bisect_right([s[0] for s in self.standards], day)
        if idx == 0:
            return None
        _, amount, multiplier = self.standards[idx - 1]
        # Same arithmetic as metrics.domain.rules.Standard.monitoring_line_fen.
        return amount, round(amount * multiplier)


def _as_date(value: object) -> date:
    return reference._as_date(value)
