"""Relief payments and budgets for the seven relief types of clause 三."""

from datetime import date

from sqlalchemy import BigInteger, Index
from sqlmodel import Field, SQLModel


class ReliefPayment(SQLModel, table=True):
    __tablename__ = "relief_payment"
    __table_args__ = (
        Index("ix_relief_payment_town_paid", "town_code", "paid_on"),
        # Covering indexes (migration 0004): spending sums and the 应助尽助 check read no table rows.
        Index("ix_relief_payment_town_paid_cover", "town_code", "paid_on", "amount_fen", "persons_covered"),
        Index("ix_relief_payment_household_type_paid", "household_id", "relief_type", "paid_on"),
        # One type's payments of a period (住房保障 on /relief; migration 0015).
        Index("ix_relief_payment_type_town_paid", "relief_type", "town_code", "paid_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    town_code: str = Field(foreign_key="town.code", index=True, max_length=20)
    relief_type: str = Field(index=True, max_length=20)  # key in metrics.relief_types
    department: str = Field(max_length=20)
    paid_on: date = Field(index=True)
    amount_fen: int = Field(sa_type=BigInteger)
    persons_covered: int = 1
    # 住房保障 (三.5): "rent" (公租房租赁补贴) or "purchase" (经济适用住房购房补贴); "" elsewhere.
    item: str = Field(default="", max_length=20, sa_column_kwargs={"server_default": ""})


class ReliefBudget(SQLModel, table=True):
    __tablename__ = "relief_budget"

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    town_code: str = Field(foreign_key="town.code", index=True, max_length=20)
    relief_type: str = Field(max_length=20)
    amount_fen: int = Field(sa_type=BigInteger)
