"""certificates: issued on course completion, with a public validation code; lesson
progress custom_data

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-22 23:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_progress_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
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
            ["course_progress_id"],
            ["course_progresses.id"],
            name=op.f("fk_certificates_course_progress_id_course_progresses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_certificates_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.create_index("ix_certificates_code", ["code"], unique=True)
        batch_op.create_index(
            "ix_certificates_tenant_progress",
            ["tenant_id", "course_progress_id", "id"],
            unique=False,
        )
    with op.batch_alter_table("course_item_progresses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("custom_data", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("course_item_progresses", schema=None) as batch_op:
        batch_op.drop_column("custom_data")

    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_index("ix_certificates_tenant_progress")
        batch_op.drop_index("ix_certificates_code")

    op.drop_table("certificates")
