"""caseload detail facts: the register's 应退未退 and 未评估 households and waiting and overdue
cases per review stage on the caseload month facts; households by 致贫原因, review waiting-time
histograms and 返贫 cohorts by cause in tables of their own, and /relief's 三.5 初筛 households
per span (issue 9: the last raw reads of /caseload and /relief for whole months)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 19:05:00

Months built before this revision hold zeros here; their params lack fact_layout 16, so they
are stale (make run and the next refresh rebuild them) and readers use raw rows until then.
"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016"
down_revision: Union[str, Sequence[str], None] = "0015"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COLUMNS = {
    "fact_caseload_month": (
        "above_households",
        "above_persons",
        "unknown_households",
        "unknown_persons",
        "village_waiting",
        "village_overdue",
        "town_waiting",
        "town_overdue",
        "city_waiting",
        "city_overdue",
    ),
}


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.add_column(sa.Column(column, sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "fact_cause_month",
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("town_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("village_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("cause", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("feed", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "town_code", "village_code", "cause"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "fact_review_wait_month",
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("town_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("village_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("feed", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "town_code", "village_code", "kind", "stage", "days"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "fact_return_month",
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("town_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("village_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("cause", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("cohort", sa.Integer(), nullable=False),
        sa.Column("feed", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("exits", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "town_code", "village_code", "cause", "cohort"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "fact_housing_span",
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("span", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("town_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("village_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("feed", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("candidates", sa.Integer(), nullable=False),
        sa.Column("supported", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "span", "town_code", "village_code"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("fact_housing_span")
    op.drop_table("fact_return_month")
    op.drop_table("fact_review_wait_month")
    op.drop_table("fact_cause_month")
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in reversed(columns):
                batch_op.drop_column(column)
