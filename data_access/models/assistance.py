"""帮扶服务记录: services, grants, projects and fund movements beyond relief payments
(四.4 elderly care, 五.1/五.3 rural revitalisation, 六.3/六.4 social forces, 组织保障.2 pooled
funds). One table with a kind (data_access.reference.ASSISTANCE_KINDS): the kinds share their
shape, and a new one is a record there, not a new table."""

from datetime import date

from sqlalchemy import BigInteger, Index
from sqlmodel import Field, SQLModel


class AssistanceRecord(SQLModel, table=True):
    __tablename__ = "assistance_record"
    __table_args__ = (Index("ix_assistance_record_kind_town_on", "kind", "town_code", "served_on"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=24)  # key in ASSISTANCE_KINDS
    town_code: str = Field(foreign_key="town.code", max_length=20)
    village_code: str | None = Field(default=None, foreign_key="village.code", max_length=20)
    household_id: int | None = Field(default=None, foreign_key="household.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    served_on: date  # the event's day, or a span's first day
    ended_on: date | None = None  # a span's last day; None while it runs
    amount_fen: int = Field(default=0, sa_type=BigInteger)
    quantity: float = 1.0  # volunteer hours; 1 for the other kinds
    partner: str = Field(default="", max_length=60)  # enterprise, organisation, team or project name
    category: str = Field(default="", max_length=20)  # ASSISTANCE_CATEGORIES of the kind
    disclosed: bool = False  # 六.3 信息公开: the use of charity funds made public
