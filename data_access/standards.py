"""Adding a 低保标准: a new dated row, never an overwrite (二(一).1).

A standard may only take effect after the latest one, so no month already reported
changes its standard; months from the new date on are computed with it.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from data_access import analytics, audit
from data_access.models import LivingStandard
from data_access.queries import reference
from data_access.tables import table_of
from metrics.domain.rules import Standard

MAX_STANDARD_FEN = 10_000_000  # 100,000 yuan a month: anything above is a typing error
MULTIPLIER_RANGE = (1.0, 5.0)
MAX_DAYS_AHEAD = 400  # standards are announced a few months before July 1


class StandardError(ValueError):
    """A standard that cannot be saved; the message says why in Chinese."""


def history(engine: Engine) -> list[Standard]:
    with engine.connect() as conn:
        return [Standard(d, a, m) for d, a, m, _ in reference.standards(conn)]


def validate(*, effective_from: date, amount_fen: int, multiplier: float, latest: date | None, today: date) -> None:
    if not 0 < amount_fen <= MAX_STANDARD_FEN:
        raise StandardError("低保标准应大于 0 且不超过 100,000 元/人/月")
    if not (math.isfinite(multiplier) and MULTIPLIER_RANGE[0] <= multiplier <= MULTIPLIER_RANGE[1]):
        raise StandardError(f"监测线倍数应在 {MULTIPLIER_RANGE[0]:g} 到 {MULTIPLIER_RANGE[1]:g} 之间")
    if latest is not None and effective_from <= latest:
        raise StandardError(
            f"生效日期必须晚于现行标准的生效日期 {latest:%Y-%m-%d}：标准只增不改，不能插入或覆盖已有的历史标准"
        )
    if effective_from > today + timedelta(days=MAX_DAYS_AHEAD):
        raise StandardError("生效日期过远，请核对")


def add_standard(
    engine: Engine,
    *,
    effective_from: date,
    amount_fen: int,
    multiplier: float,
    source: str,
    user: str,
    now: datetime | None = None,
) -> int:
    """Insert the new standard in one transaction; returns its id."""
    moment = (now or datetime.now()).replace(microsecond=0)
    user = (user or "").strip()
    if not user:
        raise StandardError("请填写录入人")
    table = table_of(LivingStandard)
    note = f"{(source or '').strip() or '新标准'}（{user} {moment:%Y-%m-%d %H:%M} 录入）"[:200]
    try:
        with engine.begin() as conn:
            latest = conn.execute(select(table.c.effective_from).order_by(table.c.effective_from.desc()).limit(1))
            latest_day = latest.scalar()
            validate(
                effective_from=effective_from,
                amount_fen=amount_fen,
                multiplier=multiplier,
                latest=latest_day,
                today=moment.date(),
            )
            new_id = int(
                conn.execute(
                    table.insert().returning(table.c.id),
                    {
                        "effective_from": effective_from,
                        "amount_fen": amount_fen,
                        "monitoring_multiplier": multiplier,
                        "source": note,
                    },
                ).scalar_one()
            )
            # Months from the new date on change groups: their facts follow in this transaction.
            analytics.refresh_standard(conn, effective_from)
    except IntegrityError as exc:
        raise StandardError(f"{effective_from:%Y-%m-%d} 已有标准，标准不可覆盖") from exc
    audit.record(
        engine,
        username=user,
        action="standard_change",
        target=f"{effective_from:%Y-%m-%d}",
        detail=f"低保标准 {amount_fen / 100:.2f} 元/人/月，倍数 {multiplier:g}",
    )
    return new_id
