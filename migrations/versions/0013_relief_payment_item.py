"""relief payment item: 住房保障 split into rent and purchase subsidy (三.5, issue 12)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 10:20:00

Rows stored before this revision have an empty item (未分类).
"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: Union[str, Sequence[str], None] = "0012"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("relief_payment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("item", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("relief_payment", schema=None) as batch_op:
        batch_op.drop_column("item")
