"""relief payment covering indexes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

Spending by town and period reads only index pages; the 应助尽助 check finds a household's
payments of one type in a window without visiting the table.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_relief_payment_town_paid_cover",
        "relief_payment",
        ["town_code", "paid_on", "amount_fen", "persons_covered"],
    )
    op.create_index("ix_relief_payment_household_type_paid", "relief_payment", ["household_id", "relief_type", "paid_on"])


def downgrade() -> None:
    op.drop_index("ix_relief_payment_household_type_paid", table_name="relief_payment")
    op.drop_index("ix_relief_payment_town_paid_cover", table_name="relief_payment")
