"""instructor-led trainings, timeslots and registrations

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 20:14:30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "instructor_led_trainings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "session_type",
            sa.Enum(
                "in-person", "virtual", "hybrid", name="sessiontype", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("extra_metadata", sa.JSON(), nullable=False),
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
            name=op.f("fk_instructor_led_trainings_course_id_courses"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_instructor_led_trainings_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instructor_led_trainings")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("instructor_led_trainings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_instructor_led_trainings_tenant_id", ["tenant_id", "id"], unique=False
        )

    op.create_table(
        "ilt_timeslots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("training_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("location", sa.String(length=500), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("display_timezone", sa.String(length=64), nullable=False),
        sa.Column("primary_instructor_user_id", sa.Integer(), nullable=True),
        sa.Column("instructor", sa.String(length=255), nullable=False),
        sa.Column("commencement_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "session_type",
            sa.Enum(
                "in-person", "virtual", "hybrid", name="sessiontype", native_enum=False, length=20
            ),
            nullable=False,
        ),
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
            ["primary_instructor_user_id"],
            ["users.id"],
            name=op.f("fk_ilt_timeslots_primary_instructor_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_ilt_timeslots_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["training_id"],
            ["instructor_led_trainings.id"],
            name=op.f("fk_ilt_timeslots_training_id_instructor_led_trainings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ilt_timeslots")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("ilt_timeslots", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ilt_timeslots_tenant_commencement",
            ["tenant_id", "commencement_time", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_ilt_timeslots_tenant_training", ["tenant_id", "training_id", "id"], unique=False
        )

    op.create_table(
        "ilt_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("timeslot_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_progress_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "attended",
                "absent",
                "cancelled",
                "waitlisted",
                name="registrationstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("waitlisted_at", sa.DateTime(timezone=True), nullable=True),
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
            name=op.f("fk_ilt_registrations_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["timeslot_id"],
            ["ilt_timeslots.id"],
            name=op.f("fk_ilt_registrations_timeslot_id_ilt_timeslots"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_ilt_registrations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ilt_registrations")),
        sa.UniqueConstraint(
            "timeslot_id", "user_id", name=op.f("uq_ilt_registrations_timeslot_id_user_id")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("ilt_registrations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ilt_registrations_tenant_timeslot",
            ["tenant_id", "timeslot_id", "status", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_ilt_registrations_tenant_user", ["tenant_id", "user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ilt_registrations", schema=None) as batch_op:
        batch_op.drop_index("ix_ilt_registrations_tenant_user")
        batch_op.drop_index("ix_ilt_registrations_tenant_timeslot")

    op.drop_table("ilt_registrations")
    with op.batch_alter_table("ilt_timeslots", schema=None) as batch_op:
        batch_op.drop_index("ix_ilt_timeslots_tenant_training")
        batch_op.drop_index("ix_ilt_timeslots_tenant_commencement")

    op.drop_table("ilt_timeslots")
    with op.batch_alter_table("instructor_led_trainings", schema=None) as batch_op:
        batch_op.drop_index("ix_instructor_led_trainings_tenant_id")

    op.drop_table("instructor_led_trainings")
