"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 17:47:01.800037
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "tenants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("acct_key", sa.String(length=253), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenants")),
        sa.UniqueConstraint("acct_key", name=op.f("uq_tenants_acct_key")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "courses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("long_description_html", sa.Text(), nullable=False),
        sa.Column("certificate", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("credits", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("accessible_after_date", sa.Date(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("opening_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("closing_date", sa.Date(), nullable=True),
        sa.Column("inaccessible_after_date", sa.Date(), nullable=True),
        sa.Column("force_order", sa.Boolean(), nullable=False),
        sa.Column("validity_length", sa.Integer(), nullable=True),
        sa.Column("picture_url", sa.String(length=1000), nullable=False),
        sa.Column("sell", sa.Boolean(), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("category", sa.String(length=255), nullable=True),
        sa.Column("course_code", sa.String(length=100), nullable=True),
        sa.Column("type_of_training", sa.String(length=100), nullable=True),
        sa.Column("estimated_course_length_in_minutes", sa.Integer(), nullable=True),
        sa.Column("subscribe_key", sa.String(length=64), nullable=False),
        sa.Column("display_course_and_lesson_time", sa.Boolean(), nullable=False),
        sa.Column("manual_course_time", sa.String(length=15), nullable=False),
        sa.Column("display_manual_course_time", sa.Boolean(), nullable=False),
        sa.Column(
            "course_and_lesson_time_format",
            sa.Enum(
                "HOURS_MINUTES_SECONDS",
                "HOURS_MINUTES",
                "HOURS_MINUTES_VERBOSE",
                "MINUTES_VERBOSE",
                name="timeformat",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("draft_origin_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("ca_0", sa.Text(), nullable=True),
        sa.Column("ca_1", sa.Text(), nullable=True),
        sa.Column("ca_2", sa.Text(), nullable=True),
        sa.Column("ca_3", sa.Text(), nullable=True),
        sa.Column("ca_4", sa.Text(), nullable=True),
        sa.Column("ca_5", sa.Text(), nullable=True),
        sa.Column("ca_6", sa.Text(), nullable=True),
        sa.Column("ca_7", sa.Text(), nullable=True),
        sa.Column("ca_8", sa.Text(), nullable=True),
        sa.Column("ca_9", sa.Text(), nullable=True),
        sa.Column("ca_10", sa.Text(), nullable=True),
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
            name=op.f("fk_courses_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courses")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.create_index("ix_courses_tenant_name", ["tenant_id", "name"], unique=False)
        batch_op.create_index(
            "ix_courses_tenant_subscribe_key", ["tenant_id", "subscribe_key"], unique=False
        )

    op.create_table(
        "credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("api_key", "scim_token", name="credentialkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_credentials_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credentials")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_credentials_secret_hash")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.create_index("ix_credentials_tenant_kind", ["tenant_id", "kind"], unique=False)

    op.create_table(
        "custom_attribute_definitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=False),
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
            name=op.f("fk_custom_attribute_definitions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_attribute_definitions")),
        sa.UniqueConstraint(
            "tenant_id", "key", name=op.f("uq_custom_attribute_definitions_tenant_id_key")
        ),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "domains",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=253), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("catalog_title", sa.Text(), nullable=False),
        sa.Column(
            "access",
            sa.Enum(
                "PUBLIC",
                "PRIVATE",
                "PRIVATE_CODE",
                name="domainaccess",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("access_code_message_html", sa.Text(), nullable=False),
        sa.Column("marketing_message", sa.Text(), nullable=False),
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
            name=op.f("fk_domains_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domains")),
        sa.UniqueConstraint("name", name=op.f("uq_domains_name")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("domains", schema=None) as batch_op:
        batch_op.create_index("ix_domains_tenant_position", ["tenant_id", "position"], unique=False)

    op.create_table(
        "events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("surface", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_events_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_events_event_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_tenant_seq", ["tenant_id", "id"], unique=False)
        batch_op.create_index(
            "ix_events_undispatched",
            ["id"],
            unique=False,
            postgresql_where=sa.text("dispatched_at IS NULL"),
            sqlite_where=sa.text("dispatched_at IS NULL"),
        )

    op.create_table(
        "group_categories",
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
            name=op.f("fk_group_categories_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_categories")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_group_categories_tenant_id_name")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "jobs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tenant_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "queued", "running", "done", "dead", name="jobstatus", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_by", sa.String(length=100), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_jobs_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_claim", ["status", "run_after", "id"], unique=False)
        batch_op.create_index("ix_jobs_tenant_kind", ["tenant_id", "kind", "id"], unique=False)

    op.create_table(
        "learning_paths",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("long_description_html", sa.Text(), nullable=False),
        sa.Column("header_html", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=255), nullable=True),
        sa.Column("force_order", sa.Boolean(), nullable=False),
        sa.Column("course_name_singular", sa.String(length=50), nullable=False),
        sa.Column("course_name_plural", sa.String(length=50), nullable=False),
        sa.Column("picture_url", sa.String(length=1000), nullable=False),
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
            name=op.f("fk_learning_paths_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_paths")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("learning_paths", schema=None) as batch_op:
        batch_op.create_index("ix_learning_paths_tenant_name", ["tenant_id", "name"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("email_normalized", sa.String(length=254), nullable=False),
        sa.Column("username", sa.String(length=254), nullable=False),
        sa.Column("username_normalized", sa.String(length=254), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column(
            "role",
            sa.Enum("learner", "manager", "admin", name="role", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("anonymized_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sso_id", sa.String(length=255), nullable=True),
        sa.Column("user_identifier", sa.String(length=255), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("password_expiration_date", sa.Date(), nullable=True),
        sa.Column("access_start_date", sa.Date(), nullable=True),
        sa.Column("access_end_date", sa.Date(), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_course_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=True),
        sa.Column("company", sa.String(length=255), nullable=True),
        sa.Column("department", sa.String(length=255), nullable=True),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=True),
        sa.Column("address_2", sa.String(length=500), nullable=True),
        sa.Column("city", sa.String(length=255), nullable=True),
        sa.Column("state", sa.String(length=255), nullable=True),
        sa.Column("zip", sa.String(length=32), nullable=True),
        sa.Column("country", sa.String(length=255), nullable=True),
        sa.Column("phone", sa.String(length=64), nullable=True),
        sa.Column("cell", sa.String(length=64), nullable=True),
        sa.Column("work_phone", sa.String(length=64), nullable=True),
        sa.Column("card_no", sa.String(length=255), nullable=True),
        sa.Column("ssn", sa.String(length=64), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("gender", sa.String(length=32), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("locale", sa.String(length=32), nullable=True),
        sa.Column("notification_email", sa.String(length=254), nullable=True),
        sa.Column("email_notifications", sa.Boolean(), nullable=False),
        sa.Column("sms_notifications", sa.Boolean(), nullable=False),
        sa.Column("picture_url", sa.String(length=1000), nullable=False),
        sa.Column("global_content_manager", sa.Boolean(), nullable=False),
        sa.Column("full_permissions_for_courses_i_created", sa.Boolean(), nullable=False),
        sa.Column("custom_dashboard_id", sa.Integer(), nullable=True),
        sa.Column("calendar_key", sa.String(length=64), nullable=False),
        sa.Column("view_key", sa.String(length=64), nullable=False),
        sa.Column("ca_0", sa.Text(), nullable=True),
        sa.Column("ca_1", sa.Text(), nullable=True),
        sa.Column("ca_2", sa.Text(), nullable=True),
        sa.Column("ca_3", sa.Text(), nullable=True),
        sa.Column("ca_4", sa.Text(), nullable=True),
        sa.Column("ca_5", sa.Text(), nullable=True),
        sa.Column("ca_6", sa.Text(), nullable=True),
        sa.Column("ca_7", sa.Text(), nullable=True),
        sa.Column("ca_8", sa.Text(), nullable=True),
        sa.Column("ca_9", sa.Text(), nullable=True),
        sa.Column("ca_10", sa.Text(), nullable=True),
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
            ["users.id"],
            name=op.f("fk_users_manager_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_users_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint(
            "tenant_id", "email_normalized", name=op.f("uq_users_tenant_id_email_normalized")
        ),
        sa.UniqueConstraint(
            "tenant_id", "username_normalized", name=op.f("uq_users_tenant_id_username_normalized")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index("ix_users_tenant_sso_id", ["tenant_id", "sso_id"], unique=False)
        batch_op.create_index(
            "ix_users_tenant_updated", ["tenant_id", "updated_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_users_tenant_user_identifier", ["tenant_id", "user_identifier"], unique=False
        )

    op.create_table(
        "course_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column(
            "item_type",
            sa.Enum(
                "Article",
                "Exam",
                "HTML",
                "Asset",
                "Quiz",
                "WebPackage",
                "ILT",
                "VILT",
                "Section",
                "Modular",
                "Survey",
                "Assignment",
                name="itemtype",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("mandatory", sa.Boolean(), nullable=False),
        sa.Column("start_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("content_id", sa.Integer(), nullable=True),
        sa.Column("content_html", sa.Text(), nullable=False),
        sa.Column("tooltip_html", sa.Text(), nullable=False),
        sa.Column("search_keywords", sa.Text(), nullable=False),
        sa.Column("display_fullscreen", sa.Boolean(), nullable=False),
        sa.Column("time_seconds", sa.Integer(), nullable=True),
        sa.Column("passing_score", sa.Integer(), nullable=True),
        sa.Column("max_attempts", sa.Integer(), nullable=True),
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
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_course_items_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_course_items_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_items")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("course_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_course_items_tenant_course_position",
            ["tenant_id", "course_id", "position"],
            unique=False,
        )

    op.create_table(
        "course_tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_course_tags_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_course_tags_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_tags")),
        sa.UniqueConstraint("course_id", "tag", name=op.f("uq_course_tags_course_id_tag")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("course_tags", schema=None) as batch_op:
        batch_op.create_index("ix_course_tags_tenant_tag", ["tenant_id", "tag"], unique=False)

    op.create_table(
        "domain_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("marketing_optin", sa.Boolean(), nullable=True),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["domain_id"],
            ["domains.id"],
            name=op.f("fk_domain_memberships_domain_id_domains"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_domain_memberships_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_domain_memberships_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domain_memberships")),
        sa.UniqueConstraint(
            "domain_id", "user_id", name=op.f("uq_domain_memberships_domain_id_user_id")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("domain_memberships", schema=None) as batch_op:
        batch_op.create_index(
            "ix_domain_memberships_tenant_user", ["tenant_id", "user_id"], unique=False
        )

    op.create_table(
        "groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("full_name", sa.String(length=2000), nullable=False),
        sa.Column("full_name_normalized", sa.String(length=2000), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("group_type", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("force_order", sa.Boolean(), nullable=False),
        sa.Column("discount_percent", sa.Integer(), nullable=True),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
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
            ["category_id"],
            ["group_categories.id"],
            name=op.f("fk_groups_category_id_group_categories"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["groups.id"],
            name=op.f("fk_groups_parent_id_groups"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_groups_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_groups")),
        sa.UniqueConstraint(
            "tenant_id",
            "full_name_normalized",
            name=op.f("uq_groups_tenant_id_full_name_normalized"),
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_groups_tenant_external_id", ["tenant_id", "external_id"], unique=False
        )
        batch_op.create_index("ix_groups_tenant_parent", ["tenant_id", "parent_id"], unique=False)

    op.create_table(
        "learning_path_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_learning_path_items_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["path_id"],
            ["learning_paths.id"],
            name=op.f("fk_learning_path_items_path_id_learning_paths"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_learning_path_items_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_path_items")),
        sa.UniqueConstraint(
            "path_id", "course_id", name=op.f("uq_learning_path_items_path_id_course_id")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("learning_path_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_learning_path_items_tenant_course", ["tenant_id", "course_id"], unique=False
        )
        batch_op.create_index(
            "ix_learning_path_items_tenant_path_position",
            ["tenant_id", "path_id", "position"],
            unique=False,
        )

    op.create_table(
        "learning_path_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["path_id"],
            ["learning_paths.id"],
            name=op.f("fk_learning_path_users_path_id_learning_paths"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_learning_path_users_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_learning_path_users_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_path_users")),
        sa.UniqueConstraint(
            "path_id", "user_id", name=op.f("uq_learning_path_users_path_id_user_id")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("learning_path_users", schema=None) as batch_op:
        batch_op.create_index(
            "ix_learning_path_users_tenant_user", ["tenant_id", "user_id"], unique=False
        )

    op.create_table(
        "published_courses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("strict_enforce_group_visibility", sa.Boolean(), nullable=False),
        sa.Column("registration_required", sa.Boolean(), nullable=False),
        sa.Column("registration_starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("registration_ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("restrict_access_start_end_dates", sa.Boolean(), nullable=False),
        sa.Column("allow_self_service_reenroll", sa.Boolean(), nullable=False),
        sa.Column("unique_progress_per_enrollment", sa.Boolean(), nullable=False),
        sa.Column("require_all_prerequisites", sa.Boolean(), nullable=False),
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
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_published_courses_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["domain_id"],
            ["domains.id"],
            name=op.f("fk_published_courses_domain_id_domains"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_published_courses_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_courses")),
        sa.UniqueConstraint(
            "domain_id", "course_id", name=op.f("uq_published_courses_domain_id_course_id")
        ),
        sa.UniqueConstraint("domain_id", "slug", name=op.f("uq_published_courses_domain_id_slug")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("published_courses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_published_courses_tenant_course", ["tenant_id", "course_id"], unique=False
        )

    op.create_table(
        "published_paths",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path_id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("strict_enforce_group_visibility", sa.Boolean(), nullable=False),
        sa.Column("unique_progress_per_enrollment", sa.Boolean(), nullable=False),
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
            name=op.f("fk_published_paths_domain_id_domains"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["path_id"],
            ["learning_paths.id"],
            name=op.f("fk_published_paths_path_id_learning_paths"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_published_paths_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_paths")),
        sa.UniqueConstraint(
            "domain_id", "path_id", name=op.f("uq_published_paths_domain_id_path_id")
        ),
        sa.UniqueConstraint("domain_id", "slug", name=op.f("uq_published_paths_domain_id_slug")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "user_custom_attributes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("definition_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["custom_attribute_definitions.id"],
            name=op.f("fk_user_custom_attributes_definition_id_custom_attribute_definitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_user_custom_attributes_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_custom_attributes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_custom_attributes")),
        sa.UniqueConstraint(
            "user_id", "definition_id", name=op.f("uq_user_custom_attributes_user_id_definition_id")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("user_custom_attributes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_user_custom_attributes_tenant_definition",
            ["tenant_id", "definition_id"],
            unique=False,
        )

    op.create_table(
        "enrollments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("published_course_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_enrollments_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["published_course_id"],
            ["published_courses.id"],
            name=op.f("fk_enrollments_published_course_id_published_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_enrollments_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_enrollments_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollments")),
        sa.UniqueConstraint(
            "published_course_id",
            "user_id",
            name=op.f("uq_enrollments_published_course_id_user_id"),
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_enrollments_tenant_course", ["tenant_id", "course_id"], unique=False
        )
        batch_op.create_index("ix_enrollments_tenant_user", ["tenant_id", "user_id"], unique=False)

    op.create_table(
        "group_courses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_group_courses_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_group_courses_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_group_courses_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_courses")),
        sa.UniqueConstraint(
            "group_id", "course_id", name=op.f("uq_group_courses_group_id_course_id")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("group_courses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_group_courses_tenant_course", ["tenant_id", "course_id"], unique=False
        )

    op.create_table(
        "group_email_domain_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("email_domain", sa.String(length=253), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_group_email_domain_rules_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_group_email_domain_rules_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_email_domain_rules")),
        sa.UniqueConstraint(
            "group_id",
            "email_domain",
            name=op.f("uq_group_email_domain_rules_group_id_email_domain"),
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("group_email_domain_rules", schema=None) as batch_op:
        batch_op.create_index(
            "ix_group_email_domain_rules_tenant_domain", ["tenant_id", "email_domain"], unique=False
        )

    op.create_table(
        "group_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_group_memberships_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_group_memberships_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_group_memberships_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_memberships")),
        sa.UniqueConstraint(
            "group_id", "user_id", name=op.f("uq_group_memberships_group_id_user_id")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("group_memberships", schema=None) as batch_op:
        batch_op.create_index(
            "ix_group_memberships_tenant_user", ["tenant_id", "user_id"], unique=False
        )

    op.create_table(
        "learning_path_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_learning_path_groups_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["path_id"],
            ["learning_paths.id"],
            name=op.f("fk_learning_path_groups_path_id_learning_paths"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_learning_path_groups_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_path_groups")),
        sa.UniqueConstraint(
            "path_id", "group_id", name=op.f("uq_learning_path_groups_path_id_group_id")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("learning_path_groups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_learning_path_groups_tenant_group", ["tenant_id", "group_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("learning_path_groups", schema=None) as batch_op:
        batch_op.drop_index("ix_learning_path_groups_tenant_group")

    op.drop_table("learning_path_groups")
    with op.batch_alter_table("group_memberships", schema=None) as batch_op:
        batch_op.drop_index("ix_group_memberships_tenant_user")

    op.drop_table("group_memberships")
    with op.batch_alter_table("group_email_domain_rules", schema=None) as batch_op:
        batch_op.drop_index("ix_group_email_domain_rules_tenant_domain")

    op.drop_table("group_email_domain_rules")
    with op.batch_alter_table("group_courses", schema=None) as batch_op:
        batch_op.drop_index("ix_group_courses_tenant_course")

    op.drop_table("group_courses")
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.drop_index("ix_enrollments_tenant_user")
        batch_op.drop_index("ix_enrollments_tenant_course")

    op.drop_table("enrollments")
    with op.batch_alter_table("user_custom_attributes", schema=None) as batch_op:
        batch_op.drop_index("ix_user_custom_attributes_tenant_definition")

    op.drop_table("user_custom_attributes")
    op.drop_table("published_paths")
    with op.batch_alter_table("published_courses", schema=None) as batch_op:
        batch_op.drop_index("ix_published_courses_tenant_course")

    op.drop_table("published_courses")
    with op.batch_alter_table("learning_path_users", schema=None) as batch_op:
        batch_op.drop_index("ix_learning_path_users_tenant_user")

    op.drop_table("learning_path_users")
    with op.batch_alter_table("learning_path_items", schema=None) as batch_op:
        batch_op.drop_index("ix_learning_path_items_tenant_path_position")
        batch_op.drop_index("ix_learning_path_items_tenant_course")

    op.drop_table("learning_path_items")
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_index("ix_groups_tenant_parent")
        batch_op.drop_index("ix_groups_tenant_external_id")

    op.drop_table("groups")
    with op.batch_alter_table("domain_memberships", schema=None) as batch_op:
        batch_op.drop_index("ix_domain_memberships_tenant_user")

    op.drop_table("domain_memberships")
    with op.batch_alter_table("course_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_course_tags_tenant_tag")

    op.drop_table("course_tags")
    with op.batch_alter_table("course_items", schema=None) as batch_op:
        batch_op.drop_index("ix_course_items_tenant_course_position")

    op.drop_table("course_items")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("ix_users_tenant_user_identifier")
        batch_op.drop_index("ix_users_tenant_updated")
        batch_op.drop_index("ix_users_tenant_sso_id")

    op.drop_table("users")
    with op.batch_alter_table("learning_paths", schema=None) as batch_op:
        batch_op.drop_index("ix_learning_paths_tenant_name")

    op.drop_table("learning_paths")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_tenant_kind")
        batch_op.drop_index("ix_jobs_claim")

    op.drop_table("jobs")
    op.drop_table("group_categories")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_events_undispatched",
            postgresql_where=sa.text("dispatched_at IS NULL"),
            sqlite_where=sa.text("dispatched_at IS NULL"),
        )
        batch_op.drop_index("ix_events_tenant_seq")

    op.drop_table("events")
    with op.batch_alter_table("domains", schema=None) as batch_op:
        batch_op.drop_index("ix_domains_tenant_position")

    op.drop_table("domains")
    op.drop_table("custom_attribute_definitions")
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.drop_index("ix_credentials_tenant_kind")

    op.drop_table("credentials")
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_index("ix_courses_tenant_subscribe_key")
        batch_op.drop_index("ix_courses_tenant_name")

    op.drop_table("courses")
    op.drop_table("tenants")
