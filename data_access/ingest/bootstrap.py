"""A real store starts empty: before any department file it needs the public reference data,
the towns (official codes) and the 低保标准 history from data_access.reference. This fills in
what is missing and never changes a row that is there."""

from __future__ import annotations

from sqlalchemy import Engine, select

from data_access.models import LivingStandard, Town
from data_access.reference import DEFAULT_MONITORING_MULTIPLIER, STANDARDS, TOWNS
from data_access.tables import table_of


def ensure_reference(engine: Engine) -> dict[str, int]:
    """Rows added per table (0 when the store already had them)."""
    towns, standards = table_of(Town), table_of(LivingStandard)
    with engine.begin() as conn:
        present = set(conn.execute(select(towns.c.code)).scalars())
        new_towns = [
            {
                "code": t.code,
                "name": t.name,
                "short_name": t.short_name,
                "kind": t.kind,
                "code_is_placeholder": t.code_is_placeholder,
                "sort_order": order,
            }
            for order, t in enumerate(TOWNS)
            if t.code not in present
        ]
        if new_towns:
            conn.execute(towns.insert(), new_towns)
        has_standards = conn.execute(select(standards.c.id).limit(1)).first() is not None
        new_standards = (
            []
            if has_standards
            else [
                {
                    "effective_from": s.effective_from,
                    "amount_fen": s.yuan * 100,
                    "monitoring_multiplier": DEFAULT_MONITORING_MULTIPLIER,
                    "source": s.source,
                }
                for s in STANDARDS
            ]
        )
        if new_standards:
            conn.execute(standards.insert(), new_standards)
    return {"town": len(new_towns), "living_standard": len(new_standards)}
