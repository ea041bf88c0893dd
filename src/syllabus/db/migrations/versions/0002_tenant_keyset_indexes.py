"""tenant keyset indexes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 18:03:11.630870
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.create_index("ix_courses_tenant_id", ["tenant_id", "id"], unique=False)

    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.create_index("ix_groups_tenant_id", ["tenant_id", "id"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index("ix_users_tenant_id", ["tenant_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("ix_users_tenant_id")

    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_index("ix_groups_tenant_id")

    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_index("ix_courses_tenant_id")
