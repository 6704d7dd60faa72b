"""The dated history of the 低保标准 (clause 二(一).1). Rows are never overwritten."""

from datetime import date

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel


class LivingStandard(SQLModel, table=True):
    __tablename__ = "living_standard"

    id: int | None = Field(default=None, primary_key=True)
    effective_from: date = Field(unique=True, index=True)
    # Yuan per person per month, in fen (1/100 yuan) so comparisons are exact.
    amount_fen: int = Field(sa_type=BigInteger)
    # Monitoring line = multiplier x standard; policy, stored, default 2.
    monitoring_multiplier: float = 2.0
    source: str = Field(default="", max_length=200)
