"""claim versions by the time they were decided (EOB runs and 835 exports by window)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 00:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_claim_versions_adjudicated_at", "claim_versions", ["adjudicated_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_claim_versions_adjudicated_at", table_name="claim_versions")
