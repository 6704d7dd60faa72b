"""The declarative registry of feed kinds: one record per table family a department sends.

A kind says which table it fills, its columns (template header, accepted header variants,
field, type, whether required, example), the natural key that recognises a row already in
the store (for duplicates and updates), how references resolve, and which department feed
(data_access.reference.FEEDS) its dates move. A new feed is one record in its department's
module here (civil_register, civil_cases, relief, employment, agriculture, social, assistance, goals),
plus its key in LOAD_ORDER below.
"""

from __future__ import annotations

from data_access.ingest.kinds import (
    agriculture,
    assistance,
    civil_cases,
    civil_register,
    employment,
    goals,
    relief,
    social,
)
from data_access.ingest.kinds.base import HEAD_ID, MEMBER_ID, Column, FeedKind, example_id

__all__ = [
    "HEAD_ID",
    "KINDS",
    "KINDS_LIST",
    "LOAD_ORDER",
    "MEMBER_ID",
    "Column",
    "FeedKind",
    "example_id",
    "kind_choices",
]

# The order a whole city is loaded in: parents before the rows that refer to them.
LOAD_ORDER: tuple[str, ...] = (
    "villages",
    "cooperatives",
    "households",
    "members",
    "income_assessments",
    "case_events",
    "relief_payments",
    "relief_budgets",
    "placements",
    "trainings",
    "entrepreneurship_subsidies",
    "guaranteed_loans",
    "job_postings",
    "cooperative_years",
    "fumin_dividends",
    "insurance_enrolments",
    "cadre_links",
    "elderly_care",
    "social_help",
    "charity_funds",
    "village_projects",
    "industry_links",
    "pooled_funds",
    "goals",
)

_BY_DEPARTMENT = (civil_register, civil_cases, relief, employment, agriculture, social, assistance, goals)
KINDS: dict[str, FeedKind] = {k.key: k for module in _BY_DEPARTMENT for k in module.DEPARTMENT_KINDS}
assert set(KINDS) == set(LOAD_ORDER), "every feed kind needs its place in LOAD_ORDER"
KINDS = {key: KINDS[key] for key in LOAD_ORDER}
KINDS_LIST: tuple[FeedKind, ...] = tuple(KINDS.values())


def kind_choices() -> dict[str, str]:
    """kind key -> “label（department）” for selectors."""
    return {k.key: f"{k.label}（{k.department}）" for k in KINDS_LIST}
