"""The ``syllabus`` command: one module per command group, put together here in help order."""

from __future__ import annotations

from syllabus.cli import server as _server  # noqa: F401  (registers serve, worker, demo)
from syllabus.cli.common import app
from syllabus.cli.materials import course_app, materials_app
from syllabus.cli.programs import db_app, key_app, tenant_app
from syllabus.cli.reports import report_app
from syllabus.cli.rewards import payments_app, skills_app
from syllabus.cli.scim import scim_app
from syllabus.cli.signup_fields import signup_field_app
from syllabus.cli.training import training_app
from syllabus.cli.webhooks import webhook_app

for _group, _name in [
    (db_app, "db"),
    (tenant_app, "tenant"),
    (key_app, "key"),
    (scim_app, "scim"),
    (webhook_app, "webhook"),
    (course_app, "course"),
    (materials_app, "materials"),
    (training_app, "training"),
    (report_app, "report"),
    (skills_app, "skills"),
    (payments_app, "payments"),
    (signup_field_app, "signup-field"),
]:
    app.add_typer(_group, name=_name)

__all__ = ["app", "main"]


def main() -> None:
    app()
