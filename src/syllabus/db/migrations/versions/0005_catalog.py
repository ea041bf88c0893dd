"""catalog entries and their groups

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 19:40:33.735888
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


def downgrade() -> None:
    with op.batch_alter_table("catalog_entry_groups", schema=None) as batch_op:
        batch_op.drop_index("ix_catalog_entry_groups_tenant_group")

    op.drop_table("catalog_entry_groups")
    op.drop_table("catalog_entries")
