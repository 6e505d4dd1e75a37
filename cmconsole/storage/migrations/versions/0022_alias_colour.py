"""The colour an alias sets: every screen where one writes wears it, so that no one answers one
brand's fan in another brand's voice. Aliases made before it wear none ("") until a lead sets one.
And an index for the home screen's "oldest wait" per alias: the oldest waiting_since among a
state's threads is then one seek, where it read every waiting thread of a busy alias; and one for
the open shifts of many aliases at once.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("alias", sa.Column("colour", sa.String(16), nullable=False, server_default=""))
    op.create_index("ix_thread_waiting", "contact_thread", ["alias_id", "state", "waiting_since"])
    op.create_index("ix_shift_live", "shift", ["ended_at", "alias_id"])


def downgrade() -> None:
    op.drop_index("ix_shift_live", table_name="shift")
    op.drop_index("ix_thread_waiting", table_name="contact_thread")
    op.drop_column("alias", "colour")
