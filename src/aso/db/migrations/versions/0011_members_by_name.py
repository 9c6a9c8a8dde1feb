"""members by name, for the service desk's search

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_members_name",
        "members",
        [sa.text("lower(last_name)"), sa.text("lower(first_name)")],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_members_name", table_name="members")
