"""idempotency keys: the kept answer's replayable headers (ETag, Location, ...)

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-23 02:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: answers kept before this revision have no headers and replay without them.
    with op.batch_alter_table(
        "idempotency_keys", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.add_column(sa.Column("headers", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table(
        "idempotency_keys", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_column("headers")
