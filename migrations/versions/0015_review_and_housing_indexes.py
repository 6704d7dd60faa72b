"""indexes for the raw reads left on the caseload and relief pages (issue 9): events by town
and effective date, review-stage completions by town and time, one relief type by town and date

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 16:50:00

review_waits.finished reads each stage's completions in a period (town and a timestamp); with
only the town index that was a scan of every event of the towns (0.2 s at demo scale 10). Exit
reasons and returns read a period's effective events by town: with the stage indexes beside
the single-column ones, SQLite's planner took a stage index for them unless this one exists.
housing_split reads 住房保障 payments of a period; the (town, date) indexes read every type.
"""

from typing import Sequence, Union

from alembic import op

revision: str = "0015"
down_revision: Union[str, Sequence[str], None] = "0014"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

INDEXES = {
    "ix_case_event_town_effective": ("case_event", ["town_code", "effective_date"]),
    "ix_case_event_town_village_reviewed": ("case_event", ["town_code", "village_reviewed_at"]),
    "ix_case_event_town_town_approved": ("case_event", ["town_code", "town_approved_at"]),
    "ix_case_event_town_city_filed": ("case_event", ["town_code", "city_filed_at"]),
    "ix_relief_payment_type_town_paid": ("relief_payment", ["relief_type", "town_code", "paid_on"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _) in reversed(INDEXES.items()):
        op.drop_index(name, table_name=table)
