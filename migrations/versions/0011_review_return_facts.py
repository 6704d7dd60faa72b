"""review and return facts: 二(一).3 review days (flow) and 返贫 cohorts (stock at month end) on
the caseload month facts

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 06:45:00

Months built before this revision hold zeros here; their params lack return_window_months, so
readers fall back to raw rows until a refresh rebuilds them.
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: Union[str, Sequence[str], None] = "0010"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COLUMNS = {"fact_caseload_month": ("review_days", "review_cases", "return_exits", "returned")}


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.add_column(sa.Column(column, sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in reversed(columns):
                batch_op.drop_column(column)
