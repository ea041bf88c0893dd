"""Identity provisioning rules: who owns identity attributes, and what SCIM deletion means.

A program's ``settings["scim"]`` holds ``authority`` (``any``: every surface may write identity
attributes, status and pushed-group membership; ``scim``: only SCIM may) and ``hard_delete``
(a SCIM DELETE removes the user instead of deactivating them). Every write of an owned
attribute records the surface it came through, so drift between the IdP and the other doors
can be reported. The guards live here and are called by the user and group services, so the
rule holds whichever dialect, page or command makes the change.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.core.context import Context, Surface
from syllabus.core.errors import Conflict, Invalid, NotFound
from syllabus.core.fields import UNSET, Maybe, is_set
from syllabus.core.lookups import require
from syllabus.core.validation import clean_text
from syllabus.domain.base import bump
from syllabus.domain.provisioning import (
    PushedGroup,
    ScimDeletedUser,
    ScimUserProfile,
    UserAttributeSource,
)
from syllabus.domain.tenants import Tenant
from syllabus.domain.users import User
from syllabus.services.events import record_event

OWNED_USER_ATTRIBUTES = ("email", "username", "first_name", "last_name", "active")
"""The identity attributes and status an IdP owns when SCIM has authority."""
SETTINGS_KEY = "scim"


class Authority(enum.StrEnum):
    ANY = "any"
    SCIM = "scim"


@dataclass(frozen=True)
class ProvisioningSettings:
    authority: Authority = Authority.ANY
    hard_delete: bool = False

    @classmethod
    def from_settings(cls, settings: dict[str, Any] | None) -> ProvisioningSettings:
        """Read the program's JSON settings; unknown or malformed values fall back to defaults."""
        raw = (settings or {}).get(SETTINGS_KEY) or {}
        if not isinstance(raw, dict):
            return cls()
        try:
            authority = Authority(raw.get("authority", Authority.ANY.value))
        except ValueError:
            authority = Authority.ANY
        return cls(authority=authority, hard_delete=raw.get("hard_delete") is True)

    def as_json(self) -> dict[str, Any]:
        return {"authority": self.authority.value, "hard_delete": self.hard_delete}


def provisioning_settings(session: Session, tenant_id: int) -> ProvisioningSettings:
    settings = session.scalar(select(Tenant.settings).where(Tenant.id == tenant_id))
    return ProvisioningSettings.from_settings(settings)


def set_provisioning_settings(
    session: Session,
    ctx: Context,
    *,
    authority: Maybe[str] = UNSET,
    hard_delete: Maybe[bool] = UNSET,
) -> ProvisioningSettings:
    tenant = session.get(Tenant, ctx.tenant_id)
    if tenant is None:
        raise NotFound("program", [ctx.tenant_id], field="tenant_id")
    current = ProvisioningSettings.from_settings(tenant.settings)
    new_authority = current.authority
    if is_set(authority):
        try:
            new_authority = Authority(str(authority).strip().lower())
        except ValueError:
            raise Invalid("authority", "authority must be 'any' or 'scim'") from None
    new_hard = current.hard_delete
    if is_set(hard_delete):
        if not isinstance(hard_delete, bool):
            raise Invalid("hard_delete", "hard_delete must be true or false")
        new_hard = hard_delete
    updated = ProvisioningSettings(authority=new_authority, hard_delete=new_hard)
    if updated != current:
        # A new dict, so the JSON column is seen as changed.
        tenant.settings = {**(tenant.settings or {}), SETTINGS_KEY: updated.as_json()}
        session.flush()
        record_event(session, ctx, "program.provisioning_updated", updated.as_json())
    return updated


def _refuse_unless_scim(session: Session, ctx: Context, what: str, field: str) -> None:
    if ctx.surface is Surface.SCIM:
        return
    if provisioning_settings(session, ctx.tenant_id).authority is Authority.SCIM:
        raise Conflict(
            f"SCIM owns {what} in this program; change it in the identity provider",
            field=field,
            owner="scim",
        )


def guard_user_attributes(
    session: Session, ctx: Context, user_id: int, attributes: Iterable[str]
) -> None:
    """Refuse a write of owned attributes from a door that does not own them; else record
    which door wrote them. Call with the attributes that really change, before writing."""
    owned = sorted(set(attributes).intersection(OWNED_USER_ATTRIBUTES))
    if not owned:
        return
    _refuse_unless_scim(session, ctx, ", ".join(owned), owned[0])
    record_user_sources(session, ctx, user_id, owned)


def record_user_sources(
    session: Session, ctx: Context, user_id: int, attributes: Iterable[str]
) -> None:
    wanted = sorted(set(attributes).intersection(OWNED_USER_ATTRIBUTES))
    if not wanted:
        return
    existing = {
        row.attribute: row
        for row in session.scalars(
            select(UserAttributeSource).where(
                UserAttributeSource.tenant_id == ctx.tenant_id,
                UserAttributeSource.user_id == user_id,
            )
        )
    }
    now = utcnow()
    for attribute in wanted:
        row = existing.get(attribute)
        if row is None:
            session.add(
                UserAttributeSource(
                    tenant_id=ctx.tenant_id,
                    user_id=user_id,
                    attribute=attribute,
                    surface=ctx.surface.value,
                    written_at=now,
                )
            )
        else:
            row.surface, row.written_at = ctx.surface.value, now
    session.flush()


def record_new_user_sources(
    session: Session, ctx: Context, user_id: int, attributes: Iterable[str]
) -> None:
    """``record_user_sources`` for a user created in this unit of work: nothing to update, so
    one multi-row insert instead of a read and an insert per attribute."""
    wanted = sorted(set(attributes).intersection(OWNED_USER_ATTRIBUTES))
    if not wanted:
        return
    now = utcnow()
    session.execute(
        insert(UserAttributeSource),
        [
            {
                "tenant_id": ctx.tenant_id,
                "user_id": user_id,
                "attribute": attribute,
                "surface": ctx.surface.value,
                "written_at": now,
            }
            for attribute in wanted
        ],
    )


def is_pushed_group(session: Session, ctx: Context, group_id: int) -> bool:
    return (
        session.scalar(
            select(PushedGroup.id).where(
                PushedGroup.tenant_id == ctx.tenant_id, PushedGroup.group_id == group_id
            )
        )
        is not None
    )


def guard_group_membership(session: Session, ctx: Context, group_id: int) -> None:
    """Membership of an IdP-pushed group belongs to SCIM when SCIM has authority."""
    if ctx.surface is Surface.SCIM:
        return
    if is_pushed_group(session, ctx, group_id):
        _refuse_unless_scim(session, ctx, "the membership of this group", "user_ids")


def mark_group_pushed(session: Session, ctx: Context, group_id: int) -> None:
    if not is_pushed_group(session, ctx, group_id):
        session.add(PushedGroup(tenant_id=ctx.tenant_id, group_id=group_id))
        session.flush()


def is_scim_deleted(session: Session, ctx: Context, user_id: int) -> bool:
    found = session.scalar(
        select(ScimDeletedUser.id).where(
            ScimDeletedUser.tenant_id == ctx.tenant_id, ScimDeletedUser.user_id == user_id
        )
    )
    return found is not None


def forget_scim_deletion(session: Session, ctx: Context, user_id: int) -> None:
    """The IdP provisions the user again: SCIM sees them from now on."""
    session.execute(
        delete(ScimDeletedUser).where(
            ScimDeletedUser.tenant_id == ctx.tenant_id, ScimDeletedUser.user_id == user_id
        )
    )


def set_scim_profile(
    session: Session,
    ctx: Context,
    *,
    user_id: int,
    display_name: str | None,
    email_type: str | None,
    email_primary: bool | None,
    user: User | None = None,
    created: bool = False,
) -> ScimUserProfile | None:
    """Keep what the IdP says about presentation (display name, its email's labels); a change
    moves the user's last-modified time, so its ETag changes too. Returns the profile.

    ``user`` is the already-loaded row of ``user_id`` (saves reading it again); ``created``
    says it was created in this unit of work, so it has no profile yet."""
    display = clean_text(display_name, "displayName", max_length=255)
    kind = clean_text(email_type, "emails.type", max_length=32)
    if user is None or user.id != user_id:
        user = require(session, ctx, User, user_id, field="user_id")
    profile = (
        None
        if created
        else session.scalars(
            select(ScimUserProfile).where(
                ScimUserProfile.tenant_id == ctx.tenant_id, ScimUserProfile.user_id == user_id
            )
        ).first()
    )
    wanted = (display, kind, email_primary)
    if (
        profile is not None
        and (
            profile.display_name,
            profile.email_type,
            profile.email_primary,
        )
        == wanted
    ):
        return profile
    if profile is None:
        profile = ScimUserProfile(tenant_id=ctx.tenant_id, user_id=user_id)
        session.add(profile)
    profile.display_name, profile.email_type, profile.email_primary = wanted
    user.updated_at = utcnow()
    bump(user)
    session.flush()
    return profile
