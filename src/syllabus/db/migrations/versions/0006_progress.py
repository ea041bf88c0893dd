"""course progresses, course item progresses and exam attempts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 20:14:26.169158
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "course_progresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "not-started",
                "in-progress",
                "passed",
                "failed",
                "not-applicable",
                "archived",
                name="progressstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "enrollment_status",
            sa.Enum(
                "active",
                "inactive",
                "disabled",
                name="enrollmentstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("access_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_reenrollment_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("override_dates", sa.Boolean(), nullable=False),
        sa.Column("skip_prerequisites", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("percent_viewed", sa.Integer(), nullable=False),
        sa.Column("last_course_item_id", sa.Integer(), nullable=True),
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
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_course_progresses_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["last_course_item_id"],
            ["course_items.id"],
            name=op.f("fk_course_progresses_last_course_item_id_course_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_course_progresses_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_course_progresses_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_progresses")),
        sa.UniqueConstraint(
            "user_id", "course_id", name=op.f("uq_course_progresses_user_id_course_id")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("course_progresses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_course_progresses_tenant_completed",
            ["tenant_id", "completed_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_course_progresses_tenant_course", ["tenant_id", "course_id", "id"], unique=False
        )
        batch_op.create_index("ix_course_progresses_tenant_id", ["tenant_id", "id"], unique=False)
        batch_op.create_index(
            "ix_course_progresses_tenant_status", ["tenant_id", "status", "id"], unique=False
        )
        batch_op.create_index(
            "ix_course_progresses_tenant_updated", ["tenant_id", "updated_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_course_progresses_tenant_user", ["tenant_id", "user_id", "id"], unique=False
        )

    op.create_table(
        "course_item_progresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_progress_id", sa.Integer(), nullable=False),
        sa.Column("course_item_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "not-started",
                "in-progress",
                "passed",
                "failed",
                name="itemstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
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
            ["course_item_id"],
            ["course_items.id"],
            name=op.f("fk_course_item_progresses_course_item_id_course_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["course_progress_id"],
            ["course_progresses.id"],
            name=op.f("fk_course_item_progresses_course_progress_id_course_progresses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_course_item_progresses_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_course_item_progresses_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_item_progresses")),
        sa.UniqueConstraint(
            "course_progress_id",
            "course_item_id",
            name=op.f("uq_course_item_progresses_course_progress_id_course_item_id"),
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("course_item_progresses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_course_item_progresses_tenant_user_item",
            ["tenant_id", "user_id", "course_item_id"],
            unique=False,
        )

    op.create_table(
        "exam_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_progress_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_progress_id"],
            ["course_item_progresses.id"],
            name=op.f("fk_exam_attempts_item_progress_id_course_item_progresses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_exam_attempts_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exam_attempts")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("exam_attempts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_exam_attempts_tenant_item_progress",
            ["tenant_id", "item_progress_id", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("exam_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_exam_attempts_tenant_item_progress")

    op.drop_table("exam_attempts")
    with op.batch_alter_table("course_item_progresses", schema=None) as batch_op:
        batch_op.drop_index("ix_course_item_progresses_tenant_user_item")

    op.drop_table("course_item_progresses")
    with op.batch_alter_table("course_progresses", schema=None) as batch_op:
        batch_op.drop_index("ix_course_progresses_tenant_user")
        batch_op.drop_index("ix_course_progresses_tenant_updated")
        batch_op.drop_index("ix_course_progresses_tenant_status")
        batch_op.drop_index("ix_course_progresses_tenant_id")
        batch_op.drop_index("ix_course_progresses_tenant_course")
        batch_op.drop_index("ix_course_progresses_tenant_completed")

    op.drop_table("course_progresses")
