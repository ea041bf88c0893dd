"""signup_manager: per-domain signup fields with users' values; manager access scope

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-22 23:25:00.359030
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "signup_fields",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=False),
        sa.Column("help_text", sa.String(length=4096), nullable=False),
        sa.Column("regex_validator", sa.String(length=500), nullable=False),
        sa.Column("regex_validator_error_text", sa.String(length=100), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("order", sa.Integer(), nullable=False),
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
            ["domain_id"],
            ["domains.id"],
            name=op.f("fk_signup_fields_domain_id_domains"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_signup_fields_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signup_fields")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("signup_fields", schema=None) as batch_op:
        batch_op.create_index(
            "ix_signup_fields_tenant_domain", ["tenant_id", "domain_id", "id"], unique=False
        )

    op.create_table(
        "signup_field_options",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("field_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["field_id"],
            ["signup_fields.id"],
            name=op.f("fk_signup_field_options_field_id_signup_fields"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_signup_field_options_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signup_field_options")),
        sa.UniqueConstraint(
            "field_id", "value", name=op.f("uq_signup_field_options_field_id_value")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("signup_field_options", schema=None) as batch_op:
        batch_op.create_index(
            "ix_signup_field_options_tenant_field", ["tenant_id", "field_id"], unique=False
        )

    op.create_table(
        "user_signup_field_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("field_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
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
            ["field_id"],
            ["signup_fields.id"],
            name=op.f("fk_user_signup_field_values_field_id_signup_fields"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_user_signup_field_values_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_signup_field_values_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_signup_field_values")),
        sa.UniqueConstraint(
            "field_id", "user_id", name=op.f("uq_user_signup_field_values_field_id_user_id")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("user_signup_field_values", schema=None) as batch_op:
        batch_op.create_index(
            "ix_user_signup_field_values_tenant_user", ["tenant_id", "user_id"], unique=False
        )

    op.create_table(
        "manager_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_access_level", sa.String(length=16), nullable=False),
        sa.Column("path_access_level", sa.String(length=16), nullable=False),
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
            ["manager_id"],
            ["group_managers.id"],
            name=op.f("fk_manager_access_manager_id_group_managers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_manager_access_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_manager_access_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manager_access")),
        sa.UniqueConstraint("manager_id", name=op.f("uq_manager_access_manager_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("manager_access", schema=None) as batch_op:
        batch_op.create_index(
            "ix_manager_access_tenant_user", ["tenant_id", "user_id"], unique=False
        )

    op.create_table(
        "manager_access_courses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("access_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["access_id"],
            ["manager_access.id"],
            name=op.f("fk_manager_access_courses_access_id_manager_access"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_manager_access_courses_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_manager_access_courses_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manager_access_courses")),
        sa.UniqueConstraint(
            "access_id", "course_id", name=op.f("uq_manager_access_courses_access_id_course_id")
        ),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "manager_access_paths",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("access_id", sa.Integer(), nullable=False),
        sa.Column("path_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["access_id"],
            ["manager_access.id"],
            name=op.f("fk_manager_access_paths_access_id_manager_access"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["path_id"],
            ["learning_paths.id"],
            name=op.f("fk_manager_access_paths_path_id_learning_paths"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_manager_access_paths_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manager_access_paths")),
        sa.UniqueConstraint(
            "access_id", "path_id", name=op.f("uq_manager_access_paths_access_id_path_id")
        ),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("manager_access_paths")
    op.drop_table("manager_access_courses")
    with op.batch_alter_table("manager_access", schema=None) as batch_op:
        batch_op.drop_index("ix_manager_access_tenant_user")

    op.drop_table("manager_access")
    with op.batch_alter_table("user_signup_field_values", schema=None) as batch_op:
        batch_op.drop_index("ix_user_signup_field_values_tenant_user")

    op.drop_table("user_signup_field_values")
    with op.batch_alter_table("signup_field_options", schema=None) as batch_op:
        batch_op.drop_index("ix_signup_field_options_tenant_field")

    op.drop_table("signup_field_options")
    with op.batch_alter_table("signup_fields", schema=None) as batch_op:
        batch_op.drop_index("ix_signup_fields_tenant_domain")

    op.drop_table("signup_fields")
