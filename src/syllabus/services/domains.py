"""A domain's catalog settings (title, access, messages), as Skilljar's domain resource edits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import Invalid
from syllabus.core.fields import UNSET, Maybe, is_set
from syllabus.core.validation import clean_text
from syllabus.core.versions import Expected
from syllabus.domain.tenants import Domain, DomainAccess
from syllabus.services.events import record_event
from syllabus.services.locking import require_current


@dataclass(frozen=True)
class DomainSettings:
    catalog_title: Maybe[str | None] = UNSET
    access: Maybe[str] = UNSET
    access_code_message_html: Maybe[str | None] = UNSET
    marketing_message: Maybe[str | None] = UNSET


def update_domain(
    session: Session,
    ctx: Context,
    *,
    domain_id: int,
    settings: DomainSettings,
    expected_version: Expected | None = None,
) -> Domain:
    """With ``expected_version`` (the domain's ``version``) a domain changed since is
    PreconditionFailed."""
    domain = require_current(
        session, ctx, Domain, domain_id, field="domain", expected_version=expected_version
    )
    values: dict[str, object] = {}
    for name in ("catalog_title", "access_code_message_html", "marketing_message"):
        value = getattr(settings, name)
        if is_set(value):
            values[name] = clean_text(value, name, max_length=100_000) or ""
    if is_set(settings.access):
        try:
            values["access"] = DomainAccess(str(settings.access).upper())
        except ValueError:
            choices = ", ".join(a.value for a in DomainAccess)
            raise Invalid("access", f"access must be one of {choices}") from None
    changed = sorted(n for n, v in values.items() if getattr(domain, n) != v)
    for name in changed:
        setattr(domain, name, values[name])
    if changed:
        session.flush()
        record_event(session, ctx, "domain.updated", {"domain_id": domain.id, "changed": changed})
    return domain
