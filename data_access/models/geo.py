"""Administrative units: towns (区镇 / 城市管理办事处) and villages (村 / 社区)."""

from sqlmodel import Field, SQLModel


class Town(SQLModel, table=True):
    """A 区镇 or 城市管理办事处: the unit 'per town' figures are grouped by."""

    code: str = Field(primary_key=True, max_length=20)
    name: str = Field(max_length=40, unique=True)
    short_name: str = Field(max_length=20)
    kind: str = Field(max_length=20)  # 镇 / 区 / 城市管理办事处
    # True where no official statistical code was found and a stand-in is used.
    code_is_placeholder: bool = False
    sort_order: int = 0


class Village(SQLModel, table=True):
    """A 村 or 社区 within a town."""

    code: str = Field(primary_key=True, max_length=20)
    town_code: str = Field(foreign_key="town.code", index=True, max_length=20)
    name: str = Field(max_length=40)
    kind: str = Field(max_length=10)  # 村 / 社区
