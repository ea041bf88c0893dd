"""SCIM provisioning: attribute sources, pushed groups, SCIM-deleted users, SCIM profiles

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 20:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_attribute_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("attribute", sa.String(length=32), nullable=False),
        sa.Column("surface", sa.String(length=16), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_user_attribute_sources_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_attribute_sources_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_attribute_sources")),
        sa.UniqueConstraint(
            "user_id", "attribute", name=op.f("uq_user_attribute_sources_user_id_attribute")
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_user_attribute_sources_tenant_surface",
        "user_attribute_sources",
        ["tenant_id", "surface", "user_id"],
        unique=False,
    )
    op.create_table(
        "pushed_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("pushed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_pushed_groups_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_pushed_groups_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pushed_groups")),
        sa.UniqueConstraint("group_id", name=op.f("uq_pushed_groups_group_id")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_pushed_groups_tenant", "pushed_groups", ["tenant_id"], unique=False)
    op.create_table(
        "scim_deleted_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_scim_deleted_users_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_scim_deleted_users_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_deleted_users")),
        sa.UniqueConstraint("user_id", name=op.f("uq_scim_deleted_users_user_id")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_scim_deleted_users_tenant", "scim_deleted_users", ["tenant_id"], unique=False
    )
    op.create_table(
        "scim_user_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=True),
        sa.Column("email_type", sa.String(length=32), nullable=True),
        sa.Column("email_primary", sa.Boolean(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_scim_user_profiles_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_scim_user_profiles_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_user_profiles")),
        sa.UniqueConstraint("user_id", name=op.f("uq_scim_user_profiles_user_id")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_scim_user_profiles_tenant", "scim_user_profiles", ["tenant_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_scim_user_profiles_tenant", table_name="scim_user_profiles")
    op.drop_table("scim_user_profiles")
    op.drop_index("ix_scim_deleted_users_tenant", table_name="scim_deleted_users")
    op.drop_table("scim_deleted_users")
    op.drop_index("ix_pushed_groups_tenant", table_name="pushed_groups")
    op.drop_table("pushed_groups")
    op.drop_index(
        "ix_user_attribute_sources_tenant_surface", table_name="user_attribute_sources"
    )
    op.drop_table("user_attribute_sources")
