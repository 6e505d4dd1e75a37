"""Contacts: one per person an alias talks to, with their handles, notes, tags and facet
ratings; a contact is made for each thread already there.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FACETS = ("reach", "proximity", "expertise", "relevancy", "credibility", "trust")
# Each thread's contact takes the thread's id: the handles can then be filled by id alone.
_CONTACTS = """
INSERT INTO contact (id, alias_id, display_name, first_contact_at, last_contact_at)
SELECT t.id, t.alias_id, '',
  (SELECT MIN(m.received_at) FROM inbound_message m
   WHERE m.alias_id = t.alias_id AND m.author_handle = t.contact_handle),
  (SELECT MAX(m.received_at) FROM inbound_message m
   WHERE m.alias_id = t.alias_id AND m.author_handle = t.contact_handle)
FROM contact_thread t
"""
_HANDLES = """
INSERT INTO contact_handle (alias_id, handle, contact_id)
SELECT alias_id, contact_handle, id FROM contact_thread
"""
_SEQUENCE = """
SELECT setval(pg_get_serial_sequence('contact', 'id'), COALESCE(MAX(id), 0) + 1, false)
FROM contact
"""


def _when(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sqlmodel.sql.sqltypes.UTCDateTime(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("alias_id", sa.Integer(), sa.ForeignKey("alias.id"), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False, server_default=""),
        sa.Column("language", sa.String(length=8), nullable=True),
        _when("first_contact_at"),
        _when("last_contact_at"),
        *(sa.Column(facet, sa.SmallInteger(), nullable=True) for facet in _FACETS),
    )
    op.create_index("ix_contact_last", "contact", ["alias_id", "last_contact_at"])
    op.create_table(
        "contact_handle",
        sa.Column("alias_id", sa.Integer(), sa.ForeignKey("alias.id"), primary_key=True),
        sa.Column("handle", sa.String(length=64), primary_key=True),
        sa.Column("contact_id", sa.Integer(), sa.ForeignKey("contact.id"), nullable=False),
    )
    op.create_index("ix_contact_handle_contact_id", "contact_handle", ["contact_id"])
    op.create_table(
        "contact_note",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("contact_id", sa.Integer(), sa.ForeignKey("contact.id"), nullable=False),
        sa.Column("alias_id", sa.Integer(), sa.ForeignKey("alias.id"), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("operator.id"), nullable=False),
        _when("written_at"),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("by_trainee", sa.Boolean(), nullable=False),
        sa.Column("corrects_id", sa.Integer(), sa.ForeignKey("contact_note.id"), nullable=True),
    )
    op.create_index("ix_contact_note_contact", "contact_note", ["contact_id", "id"])
    op.create_table(
        "contact_tag_list",
        sa.Column("alias_id", sa.Integer(), sa.ForeignKey("alias.id"), primary_key=True),
        sa.Column("names", sa.String(), nullable=False),
        sa.Column("edited_by", sa.Integer(), sa.ForeignKey("operator.id"), nullable=False),
        _when("edited_at"),
    )
    op.create_table(
        "contact_tag",
        sa.Column("contact_id", sa.Integer(), sa.ForeignKey("contact.id"), primary_key=True),
        sa.Column("name", sa.String(length=32), primary_key=True),
        sa.Column("tagged_by", sa.Integer(), sa.ForeignKey("operator.id"), nullable=False),
        _when("tagged_at"),
    )
    op.create_index("ix_contact_tag_name", "contact_tag", ["name", "contact_id"])
    op.create_table(
        "contact_rating",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("contact_id", sa.Integer(), sa.ForeignKey("contact.id"), nullable=False),
        sa.Column("alias_id", sa.Integer(), sa.ForeignKey("alias.id"), nullable=False),
        sa.Column("facet", sa.String(length=16), nullable=False),
        sa.Column("value", sa.SmallInteger(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("rated_by", sa.Integer(), sa.ForeignKey("operator.id"), nullable=False),
        _when("rated_at"),
    )
    op.create_index("ix_contact_rating_contact", "contact_rating", ["contact_id", "facet", "id"])
    op.execute(_CONTACTS)
    op.execute(_HANDLES)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_SEQUENCE)


def downgrade() -> None:
    for table in (
        "contact_rating",
        "contact_tag",
        "contact_tag_list",
        "contact_note",
        "contact_handle",
        "contact",
    ):
        op.drop_table(table)
