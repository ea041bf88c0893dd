"""group managers

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 18:59:45.104650
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "group_managers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("can_add_users", sa.Boolean(), nullable=False),
        sa.Column("can_receive_notifications", sa.Boolean(), nullable=False),
        sa.Column("can_edit_course_progress", sa.Boolean(), nullable=False),
        sa.Column("can_remove_users", sa.Boolean(), nullable=False),
        sa.Column("can_add_existing_users", sa.Boolean(), nullable=False),
        sa.Column("can_manage_all_group_users_courses", sa.Boolean(), nullable=False),
        sa.Column("can_add_courses_to_user_group", sa.Boolean(), nullable=False),
        sa.Column("can_remove_courses_from_user_group", sa.Boolean(), nullable=False),
        sa.Column("can_edit_user_password", sa.Boolean(), nullable=False),
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
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_group_managers_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_group_managers_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_group_managers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_managers")),
        sa.UniqueConstraint(
            "tenant_id",
            "group_id",
            "user_id",
            name=op.f("uq_group_managers_tenant_id_group_id_user_id"),
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("group_managers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_group_managers_tenant_user", ["tenant_id", "user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("group_managers", schema=None) as batch_op:
        batch_op.drop_index("ix_group_managers_tenant_user")

    op.drop_table("group_managers")
