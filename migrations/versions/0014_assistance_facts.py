"""assistance facts: 结对帮扶, 联农带农 and elderly visits on the caseload month facts, 防贫保险 on
the medical month facts (issue 12 KPIs served by the fact layer of issue 9)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 10:55:00

Months built before this revision hold zeros here; their params lack elderly_visit_days, so
readers fall back to raw rows until a refresh rebuilds them.
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: Union[str, Sequence[str], None] = "0013"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COLUMNS = {
    "fact_caseload_month": ("pairing_running", "industry_linked", "elderly", "elderly_visited"),
    "fact_medical_month": ("anti_poverty_covered", "anti_poverty_eligible"),
}


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
