"""webhooks, their deliveries and attempts; events.txid for the commit-ordered feed

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-22 20:15:21.621066
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_url", sa.String(length=1024), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "deactivate_reason",
            sa.Enum(
                "HTTP_4XX_RESPONSE",
                "RETRY_COUNT",
                "TOO_MANY_REDIRECTS",
                "ORG_DISABLED",
                name="deactivatereason",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "event_type",
            sa.Enum(
                "COURSE_ENROLLMENT",
                "COURSE_COMPLETION",
                "DOMAIN_ENROLLMENT",
                "LESSON_COMPLETION",
                "PATH_ENROLLMENT",
                "PATH_COMPLETION",
                "QUIZ_COMPLETION",
                "VILT_EVENT_REGISTRATION",
                "PURCHASE_FULFILLMENT",
                "DASHBOARD_TASK_CREATED",
                "COURSE_STARTED",
                "CERTIFICATE_ISSUED",
                "COURSE_UNENROLLMENT",
                "PATH_UNENROLLMENT",
                "USER_UPDATED",
                "USER_DEACTIVATED",
                "USER_REACTIVATED",
                "USER_DELETED",
                "GROUP_MEMBERSHIP_ADDED",
                "GROUP_MEMBERSHIP_REMOVED",
                "VILT_EVENT_REGISTRATION_UPDATED",
                "VILT_EVENT_REGISTRATION_CANCELLED",
                name="webhookeventtype",
                native_enum=False,
                length=64,
            ),
            nullable=True,
        ),
        sa.Column("basic_auth_username", sa.String(length=255), nullable=False),
        sa.Column("basic_auth_password", sa.String(length=255), nullable=False),
        sa.Column("additional_headers", sa.JSON(), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("previous_secret", sa.String(length=100), nullable=True),
        sa.Column("previous_secret_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_by", sa.String(length=100), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
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
            name=op.f("fk_webhooks_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhooks")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("webhooks", schema=None) as batch_op:
        batch_op.create_index("ix_webhooks_due", ["active", "retry_at"], unique=False)
        batch_op.create_index("ix_webhooks_tenant_id", ["tenant_id", "id"], unique=False)

    op.create_table(
        "webhook_deliveries",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("webhook_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "delivered",
                "failed",
                "missed",
                name="deliverystatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_webhook_deliveries_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["webhook_id"],
            ["webhooks.id"],
            name=op.f("fk_webhook_deliveries_webhook_id_webhooks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint(
            "webhook_id", "event_id", name=op.f("uq_webhook_deliveries_webhook_id_event_id")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_deliveries_queue",
            ["webhook_id", "id"],
            unique=False,
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        )
        batch_op.create_index(
            "ix_webhook_deliveries_tenant_webhook", ["tenant_id", "webhook_id", "id"], unique=False
        )

    op.create_table(
        "webhook_attempts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "delivery_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["webhook_deliveries.id"],
            name=op.f("fk_webhook_attempts_delivery_id_webhook_deliveries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_webhook_attempts_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempts")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("webhook_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_webhook_attempts_delivery", ["delivery_id", "id"], unique=False)

    # PostgreSQL stamps each event with its transaction's id (the feed's visibility horizon);
    # events written before this migration sort first. SQLite leaves it NULL.
    if op.get_bind().dialect.name == "postgresql":
        op.add_column("events", sa.Column("txid", sa.BigInteger(), nullable=True))
        op.execute("UPDATE events SET txid = 0")
        op.alter_column(
            "events", "txid", server_default=sa.text("(pg_current_xact_id()::text::bigint)")
        )
        op.create_index("ix_events_tenant_txid", "events", ["tenant_id", "txid", "id"])
    else:
        with op.batch_alter_table("events", schema=None) as batch_op:
            batch_op.add_column(sa.Column("txid", sa.BigInteger(), nullable=True))
            batch_op.create_index(
                "ix_events_tenant_txid", ["tenant_id", "txid", "id"], unique=False
            )


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_tenant_txid")
        batch_op.drop_column("txid")

    with op.batch_alter_table("webhook_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_attempts_delivery")

    op.drop_table("webhook_attempts")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_deliveries_tenant_webhook")
        batch_op.drop_index(
            "ix_webhook_deliveries_queue",
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        )

    op.drop_table("webhook_deliveries")
    with op.batch_alter_table("webhooks", schema=None) as batch_op:
        batch_op.drop_index("ix_webhooks_tenant_id")
        batch_op.drop_index("ix_webhooks_due")

    op.drop_table("webhooks")
