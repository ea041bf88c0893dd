"""reports: saved advanced report definitions

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-22 21:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "saved_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_saved_reports_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_reports")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("saved_reports", schema=None) as batch_op:
        batch_op.create_index("ix_saved_reports_tenant_id", ["tenant_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("saved_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_saved_reports_tenant_id")

    op.drop_table("saved_reports")
