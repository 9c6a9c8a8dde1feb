"""an index of 835s by payee, for the remittance mailbox

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 00:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_edi_remittances_payee",
        "edi_remittances",
        ["payee_qualifier", "payee_id", "payment_date"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_edi_remittances_payee", table_name="edi_remittances")
