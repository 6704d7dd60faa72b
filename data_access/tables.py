"""table_of(Model): the SQLAlchemy Table of a SQLModel table class, typed (SQLModel does not
declare __table__ for type checkers)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table
from sqlmodel import SQLModel


def table_of(model: type[SQLModel]) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]
