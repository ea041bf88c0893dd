"""ilt registrations: their course progress is a real reference (set null when it goes)

Revision ID: 0020
Revises: 0016
Create Date: 2026-11-22 23:50:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK = "fk_ilt_registrations_course_progress_id_course_progresses"


def upgrade() -> None:
    # A registration may name a progress record that no longer exists (nothing checked it
    # before this revision): forget those references rather than fail the upgrade.
    op.execute(
        "UPDATE ilt_registrations SET course_progress_id = NULL "
        "WHERE course_progress_id IS NOT NULL AND course_progress_id NOT IN "
        "(SELECT id FROM course_progresses)"
    )
    with op.batch_alter_table(
        "ilt_registrations", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.create_foreign_key(
            FK, "course_progresses", ["course_progress_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table(
        "ilt_registrations", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_constraint(FK, type_="foreignkey")
