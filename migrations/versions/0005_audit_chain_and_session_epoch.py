"""audit hash chain, no REPLACE or TRUNCATE on the audit log, session epoch on accounts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

- audit_event.chain_hash: each entry chained to the previous one (data_access.audit); existing
  entries are chained here, in id order.
- SQLite: REPLACE deletes the old row without firing DELETE triggers, so an insert that names
  an existing id is refused outright.
- PostgreSQL: TRUNCATE skips row triggers, so it gets its own; and when migrations run as an
  ordinary role (not a superuser), UPDATE, DELETE and TRUNCATE on audit_event are revoked from
  PUBLIC and from that role. Run the app as a role that was granted only SELECT and INSERT.
- user_account.session_epoch: raised on deactivation and password changes; open sessions
  signed in under an older value end on their next page load.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFUSAL = "审计日志只能追加，不能修改或删除"
NOT_SUPERUSER = "NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"


def _chain_existing_entries(bind) -> None:
    from data_access.audit import GENESIS, chain_hash

    rows = bind.execute(
        sa.text("SELECT id, at, username, action, target, detail, source, ok FROM audit_event ORDER BY id")
    ).mappings()
    previous, hashes = GENESIS, []
    for row in rows:
        previous = chain_hash(previous, row)
        hashes.append({"id": row["id"], "h": previous})
    if hashes:
        bind.execute(sa.text("UPDATE audit_event SET chain_hash = :h WHERE id = :id"), hashes)


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    op.add_column("user_account", sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0"))
    op.add_column(
        "audit_event",
        sa.Column("chain_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=""),
    )
    # The existing entries are chained once, here, with the append-only trigger briefly off.
    if postgres:
        op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change")
        _chain_existing_entries(bind)
        op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change")
        op.execute(
            "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"
        )
        op.execute(
            f"""
            DO $$ BEGIN
              IF {NOT_SUPERUSER} THEN
                REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM PUBLIC;
                EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM %I', current_user);
              END IF;
            END $$
            """
        )
    else:
        op.execute("DROP TRIGGER audit_event_no_update")
        _chain_existing_entries(bind)
        op.execute(
            "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_event_no_replace BEFORE INSERT ON audit_event "
            "WHEN EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.id) "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            f"""
            DO $$ BEGIN
              IF {NOT_SUPERUSER} THEN
                EXECUTE format('GRANT UPDATE, DELETE, TRUNCATE ON audit_event TO %I', current_user);
              END IF;
            END $$
            """
        )
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
        op.drop_column("audit_event", "chain_hash")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_replace")
        # SQLite cannot drop a column of a table with triggers that name the table's columns in
        # every version; the old triggers do not, so a plain drop works.
        op.drop_column("audit_event", "chain_hash")
    op.drop_column("user_account", "session_epoch")
