"""assistance records: 帮扶服务记录 for 四.4, 五.1/五.3, 六.3/六.4 and 组织保障.2 (issue 12)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 09:30:00

The 防贫保险 enrolments of 三.7 need no schema change: they are insurance_enrolment rows with
scheme 'anti_poverty'.
"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: Union[str, Sequence[str], None] = "0011"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "assistance_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("town_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("village_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("served_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("quantity", sa.Float(), nullable=False, server_default="1"),
        sa.Column("partner", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False, server_default=""),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default=""),
        sa.Column("disclosed", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.ForeignKeyConstraint(["town_code"], ["town.code"]),
        sa.ForeignKeyConstraint(["village_code"], ["village.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("assistance_record", schema=None) as batch_op:
        batch_op.create_index("ix_assistance_record_kind_town_on", ["kind", "town_code", "served_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_assistance_record_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assistance_record_member_id"), ["member_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("assistance_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assistance_record_member_id"))
        batch_op.drop_index(batch_op.f("ix_assistance_record_household_id"))
        batch_op.drop_index("ix_assistance_record_kind_town_on")
    op.drop_table("assistance_record")
