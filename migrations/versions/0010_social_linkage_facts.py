"""social linkage facts: 资助参保 (四.2, 四.3) and 干部挂钩联系 (六.2) columns on the month facts

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 06:35:00

Months built before this revision hold zeros here; their params lack cadre_visit_days, so
readers fall back to raw rows until a refresh rebuilds them.
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: Union[str, Sequence[str], None] = "0009"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COLUMNS = {
    "fact_caseload_month": ("cadre_linked", "cadre_visited"),
    "fact_employment_month": ("pension_subsidy_enrolled", "pension_subsidised"),
    "fact_medical_month": ("medical_subsidy_enrolled", "medical_subsidised"),
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
