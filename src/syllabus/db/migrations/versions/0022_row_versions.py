"""row versions: a ``version`` on every table whose rows a door shows with an ETag

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 23:00:00.000000

Existing rows start at 1 (the server default); from here on every UPDATE moves it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "course_items",
    "published_courses",
    "enrollments",
    "group_managers",
    "learning_paths",
    "published_paths",
    "course_progresses",
    "course_item_progresses",
    "user_signup_field_values",
    "manager_access",
    "domains",
    "domain_memberships",
)


def upgrade() -> None:
    # Adding a column with a constant default needs no table copy on SQLite either.
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)
            )


def downgrade() -> None:
    # Dropping a column copies the table on SQLite: keep its AUTOINCREMENT ids.
    for table in reversed(TABLES):
        with op.batch_alter_table(table, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
            batch_op.drop_column("version")
