"""Per-page content beyond the KPI cards and league table: breakdowns, flows, lists.

DETAILS maps a page's name to its builder: (evaluator, units, village) -> content.
"""

from collections.abc import Callable
from typing import Any

from metrics.domains.caseload import caseload_detail
from metrics.domains.dividends import dividend_detail
from metrics.domains.employment import employment_detail
from metrics.domains.forces import forces_detail, rural_detail
from metrics.domains.relief import relief_detail
from metrics.domains.social import social_detail

DETAILS: dict[str, Callable[..., Any]] = {
    "caseload": caseload_detail,
    "relief": relief_detail,
    "employment": employment_detail,
    "dividends": dividend_detail,
    "social": social_detail,
    "forces": forces_detail,
    "rural": rural_detail,
}
