"""login keys and course otps

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 19:28:22.076347
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "course_otps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("subscribe_key", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_course_otps_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_course_otps_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["used_by"],
            ["users.id"],
            name=op.f("fk_course_otps_used_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_course_otps_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_otps")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_course_otps_secret_hash")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("course_otps", schema=None) as batch_op:
        batch_op.create_index(
            "ix_course_otps_tenant_course", ["tenant_id", "course_id"], unique=False
        )

    op.create_table(
        "login_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "key_type",
            sa.Enum("daily", "otl", name="loginkeytype", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_login_keys_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_login_keys_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_keys")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_login_keys_secret_hash")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("login_keys", schema=None) as batch_op:
        batch_op.create_index("ix_login_keys_tenant_user", ["tenant_id", "user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_login_keys_tenant_user")

    op.drop_table("login_keys")
    with op.batch_alter_table("course_otps", schema=None) as batch_op:
        batch_op.drop_index("ix_course_otps_tenant_course")

    op.drop_table("course_otps")
