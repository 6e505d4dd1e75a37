"""Contact lifecycle: a contact merged into another (and the record to undo it), and the time
a contact's personal data was erased.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sqlmodel.sql.sqltypes.UTCDateTime(), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("contact") as batch:
        batch.add_column(sa.Column("merged_into", sa.Integer(), nullable=True))
        batch.add_column(_when("erased_at", nullable=True))
        batch.create_foreign_key("fk_contact_merged_into", "contact", ["merged_into"], ["id"])
    op.create_table(
        "contact_merge",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("alias_id", sa.Integer(), sa.ForeignKey("alias.id"), nullable=False),
        sa.Column("kept_id", sa.Integer(), sa.ForeignKey("contact.id"), nullable=False),
        sa.Column("merged_id", sa.Integer(), sa.ForeignKey("contact.id"), nullable=False),
        sa.Column("moved", sa.String(), nullable=False),
        sa.Column("merged_by", sa.Integer(), sa.ForeignKey("operator.id"), nullable=False),
        _when("merged_at"),
        sa.Column("undone_by", sa.Integer(), sa.ForeignKey("operator.id"), nullable=True),
        _when("undone_at", nullable=True),
    )
    op.create_index("ix_contact_merge_merged", "contact_merge", ["merged_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_contact_merge_merged", "contact_merge")
    op.drop_table("contact_merge")
    with op.batch_alter_table("contact") as batch:
        batch.drop_constraint("fk_contact_merged_into", type_="foreignkey")
        batch.drop_column("erased_at")
        batch.drop_column("merged_into")
