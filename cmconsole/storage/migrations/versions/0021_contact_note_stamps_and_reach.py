"""Contact notes stamped in the ledger, their erasure under the console role, and the reach read
from the channel.

A note's text is hashed into its `contact.noted` event with a random salt kept on the note row
(as a post's is, 0012): erasing the text with its salt leaves a stamp nobody can check or
reverse, which verification reports as a redaction; any other edit is tampering. Notes written
before this revision have no stamp and are counted as predating content hashing.

The console role may not UPDATE notes or ratings (storage/grants.py). On PostgreSQL a function
owned by the migrations' role, `cmconsole_erase_contact_notes`, redacts exactly one contact's
notes and rating reasons (and those of the contacts merged into it), and only once the ledger
records that contact's erasure: the console role may call it and nothing else of the kind.

The contact's reach as the channel reports it (followers, and when they were read) is kept on
the contact, apart from the operators' `reach` rating.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 11:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ERASE_FUNCTION = "cmconsole_erase_contact_notes"

# SECURITY DEFINER runs as the function's owner: its search_path is pinned to the schema it was
# created in (and pg_temp last), so that a caller's own objects are never found first.
_ERASE_SQL = """
CREATE OR REPLACE FUNCTION {name}(target integer, OUT notes integer, OUT ratings integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = "{schema}", pg_temp AS $$
DECLARE
  ids integer[];
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM audit_event
    WHERE kind = 'contact.erased' AND subject = 'contact ' || target
  ) THEN
    RAISE EXCEPTION 'contact % has no erasure in the ledger: nothing redacted', target
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  WITH RECURSIVE grp(id) AS (
    SELECT target
    UNION SELECT contact.id FROM contact JOIN grp ON contact.merged_into = grp.id
  )
  SELECT array_agg(grp.id) INTO ids FROM grp;
  UPDATE contact_note SET text = '', content_salt = NULL WHERE contact_id = ANY(ids);
  GET DIAGNOSTICS notes = ROW_COUNT;
  UPDATE contact_rating SET reason = '' WHERE contact_id = ANY(ids);
  GET DIAGNOSTICS ratings = ROW_COUNT;
END $$
"""


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("contact_note") as batch:
        batch.add_column(sa.Column("content_salt", sa.String(length=32), nullable=True))
    with op.batch_alter_table("contact") as batch:
        batch.add_column(sa.Column("channel_reach", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("channel_reach_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    (last,) = bind.execute(sa.text("SELECT coalesce(max(id), 0) FROM contact_note")).one()
    bind.execute(
        sa.text("INSERT INTO content_hashing_start (name, first_id) VALUES ('contact_note', :f)"),
        {"f": last + 1},
    )
    if bind.dialect.name == "postgresql":
        (schema,) = bind.execute(sa.text("SELECT current_schema()")).one()
        bind.execute(sa.text(_ERASE_SQL.format(name=ERASE_FUNCTION, schema=schema)))
        bind.execute(sa.text(f"REVOKE ALL ON FUNCTION {ERASE_FUNCTION}(integer) FROM PUBLIC"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text(f"DROP FUNCTION IF EXISTS {ERASE_FUNCTION}(integer)"))
    bind.execute(sa.text("DELETE FROM content_hashing_start WHERE name = 'contact_note'"))
    with op.batch_alter_table("contact") as batch:
        batch.drop_column("channel_reach_at")
        batch.drop_column("channel_reach")
    with op.batch_alter_table("contact_note") as batch:
        batch.drop_column("content_salt")
