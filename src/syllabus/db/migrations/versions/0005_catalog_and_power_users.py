"""catalog entries and their groups; power users, user roles and datasets

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 19:45:00.435405
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
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
            name=op.f("fk_datasets_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datasets")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_datasets_tenant_id_name")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "user_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("permissions", sa.JSON(), nullable=False),
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
            name=op.f("fk_user_roles_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_roles")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_user_roles_tenant_id_name")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "catalog_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("learning_path_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(course_id IS NULL) <> (learning_path_id IS NULL)",
            name=op.f("ck_catalog_entries_one_item"),
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_catalog_entries_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["learning_path_id"],
            ["learning_paths.id"],
            name=op.f("fk_catalog_entries_learning_path_id_learning_paths"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_catalog_entries_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_entries")),
        sa.UniqueConstraint(
            "tenant_id", "course_id", name=op.f("uq_catalog_entries_tenant_id_course_id")
        ),
        sa.UniqueConstraint(
            "tenant_id",
            "learning_path_id",
            name=op.f("uq_catalog_entries_tenant_id_learning_path_id"),
        ),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "dataset_courses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_dataset_courses_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_dataset_courses_dataset_id_datasets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_dataset_courses_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_courses")),
        sa.UniqueConstraint(
            "dataset_id", "course_id", name=op.f("uq_dataset_courses_dataset_id_course_id")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("dataset_courses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dataset_courses_tenant_course", ["tenant_id", "course_id"], unique=False
        )

    op.create_table(
        "dataset_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_dataset_users_dataset_id_datasets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_dataset_users_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_dataset_users_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_users")),
        sa.UniqueConstraint(
            "dataset_id", "user_id", name=op.f("uq_dataset_users_dataset_id_user_id")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("dataset_users", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dataset_users_tenant_user", ["tenant_id", "user_id"], unique=False
        )

    op.create_table(
        "power_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("user_role_id", sa.Integer(), nullable=False),
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
            name=op.f("fk_power_users_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_power_users_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_role_id"],
            ["user_roles.id"],
            name=op.f("fk_power_users_user_role_id_user_roles"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_power_users")),
        sa.UniqueConstraint("tenant_id", "user_id", name=op.f("uq_power_users_tenant_id_user_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("power_users", schema=None) as batch_op:
        batch_op.create_index(
            "ix_power_users_tenant_role", ["tenant_id", "user_role_id"], unique=False
        )

    op.create_table(
        "catalog_entry_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["catalog_entries.id"],
            name=op.f("fk_catalog_entry_groups_entry_id_catalog_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_catalog_entry_groups_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_catalog_entry_groups_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_entry_groups")),
        sa.UniqueConstraint(
            "entry_id", "group_id", name=op.f("uq_catalog_entry_groups_entry_id_group_id")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("catalog_entry_groups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_catalog_entry_groups_tenant_group", ["tenant_id", "group_id"], unique=False
        )

    op.create_table(
        "power_user_datasets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("power_user_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_power_user_datasets_dataset_id_datasets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["power_user_id"],
            ["power_users.id"],
            name=op.f("fk_power_user_datasets_power_user_id_power_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_power_user_datasets_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_power_user_datasets")),
        sa.UniqueConstraint(
            "power_user_id",
            "dataset_id",
            name=op.f("uq_power_user_datasets_power_user_id_dataset_id"),
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("power_user_datasets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_power_user_datasets_tenant_dataset", ["tenant_id", "dataset_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("power_user_datasets", schema=None) as batch_op:
        batch_op.drop_index("ix_power_user_datasets_tenant_dataset")

    op.drop_table("power_user_datasets")
    with op.batch_alter_table("catalog_entry_groups", schema=None) as batch_op:
        batch_op.drop_index("ix_catalog_entry_groups_tenant_group")

    op.drop_table("catalog_entry_groups")
    with op.batch_alter_table("power_users", schema=None) as batch_op:
        batch_op.drop_index("ix_power_users_tenant_role")

    op.drop_table("power_users")
    with op.batch_alter_table("dataset_users", schema=None) as batch_op:
        batch_op.drop_index("ix_dataset_users_tenant_user")

    op.drop_table("dataset_users")
    with op.batch_alter_table("dataset_courses", schema=None) as batch_op:
        batch_op.drop_index("ix_dataset_courses_tenant_course")

    op.drop_table("dataset_courses")
    op.drop_table("catalog_entries")
    op.drop_table("user_roles")
    op.drop_table("datasets")
