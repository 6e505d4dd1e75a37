"""An index per facet on the alias's contacts: the inbox sorted by a facet finds the rated
contacts without reading every contact of the alias.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 05:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FACETS = ("reach", "proximity", "expertise", "relevancy", "credibility", "trust")


def upgrade() -> None:
    for facet in FACETS:
        op.create_index(f"ix_contact_{facet}", "contact", ["alias_id", facet])


def downgrade() -> None:
    for facet in FACETS:
        op.drop_index(f"ix_contact_{facet}", "contact")
