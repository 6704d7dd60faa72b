"""社区股份合作社 yearly results and 富民合作社 dividends (clause 五.2)."""

from datetime import date

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel, UniqueConstraint


class Cooperative(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    village_code: str = Field(foreign_key="village.code", index=True, max_length=20)
    town_code: str = Field(foreign_key="town.code", index=True, max_length=20)
    name: str = Field(max_length=80)
    economically_weak: bool = False  # 经济相对薄弱村


class CooperativeYear(SQLModel, table=True):
    __tablename__ = "cooperative_year"
    __table_args__ = (UniqueConstraint("cooperative_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    year: int = Field(index=True)
    net_income_fen: int = Field(sa_type=BigInteger)  # 净收益
    dividends_fen: int = Field(sa_type=BigInteger)  # 红利分配总额


class FuminDividend(SQLModel, table=True):
    """富民合作社 干股 dividend paid to a 低保 / 低保边缘 household."""

    __tablename__ = "fumin_dividend"

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    town_code: str = Field(foreign_key="town.code", index=True, max_length=20)
    year: int = Field(index=True)
    paid_on: date
    amount_fen: int = Field(sa_type=BigInteger)
