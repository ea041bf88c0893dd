"""The attributes Syllabus supports, once: for parsing bodies, resolving PATCH paths,
compiling filters and publishing /Schemas (which must tell the truth about them)."""

from __future__ import annotations

from dataclasses import dataclass

from scim2_models import EnterpriseUser, Group, Mutability, Required, Schema, User

USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
LIST_URN = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
SEARCH_URN = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"


@dataclass(frozen=True)
class AttrDef:
    name: str
    """The canonical spelling; requests may use any case."""
    sub: tuple[str, ...] = ()
    multi: bool = False
    read_only: bool = False
    """Changing it is a mutability error (id, meta)."""
    ignored: bool = False
    """Accepted in requests and not stored (derived, write-only or not held)."""


@dataclass(frozen=True)
class ResourceDef:
    core_urn: str
    core: dict[str, AttrDef]
    """By lower-cased name."""
    extension_urn: str | None = None
    extension: dict[str, AttrDef] | None = None

    def find(self, name: str, uri: str | None) -> tuple[str | None, AttrDef] | None:
        """(the extension URN or None for core, the definition) for a name, if supported."""
        key = name.lower()
        if uri is not None and uri.lower() not in (
            self.core_urn.lower(),
            (self.extension_urn or "").lower(),
        ):
            return None
        if uri is None or uri.lower() == self.core_urn.lower():
            found = self.core.get(key)
            if found is not None:
                return None, found
            if uri is not None:
                return None
        if self.extension is not None:
            found = self.extension.get(key)
            if found is not None:
                return self.extension_urn, found
        return None


def _by_name(*attrs: AttrDef) -> dict[str, AttrDef]:
    return {a.name.lower(): a for a in attrs}


_COMMON = (
    AttrDef("id", read_only=True),
    AttrDef("meta", read_only=True),
    AttrDef("externalId"),
    AttrDef("schemas", ignored=True),
)
_NOT_HELD = tuple(
    AttrDef(name, ignored=True)
    for name in (
        "nickName",
        "profileUrl",
        "userType",
        "preferredLanguage",
        "timezone",
        "password",
        "phoneNumbers",
        "ims",
        "photos",
        "addresses",
        "groups",
        "entitlements",
        "roles",
        "x509Certificates",
    )
)
USER = ResourceDef(
    core_urn=USER_URN,
    core=_by_name(
        *_COMMON,
        *_NOT_HELD,
        AttrDef("userName"),
        AttrDef("displayName"),
        AttrDef("name", sub=("givenName", "familyName", "formatted")),
        AttrDef("title"),
        AttrDef("locale"),
        AttrDef("active"),
        AttrDef("emails", sub=("value", "type", "primary", "display"), multi=True),
    ),
    extension_urn=ENTERPRISE_URN,
    extension=_by_name(
        AttrDef("employeeNumber"),
        AttrDef("department"),
        AttrDef("manager", sub=("value", "displayName", "$ref")),
        *(AttrDef(n, ignored=True) for n in ("costCenter", "organization", "division")),
    ),
)
GROUP = ResourceDef(
    core_urn=GROUP_URN,
    core=_by_name(
        *_COMMON,
        AttrDef("displayName"),
        AttrDef("members", sub=("value", "display", "type", "$ref"), multi=True),
    ),
)

# What /Schemas publishes: the attributes held, with their real mutability. Rendered but not
# published: members.display (derived from the user), locale (held, but only tags that fit
# 32 characters), the enterprise manager (only our own user ids are valid values).
_PUBLISHED: dict[str, dict[str, tuple[str, ...] | None]] = {
    USER_URN: {
        "userName": None,
        "name": ("givenName", "familyName"),
        "displayName": None,
        "title": None,
        "active": None,
        "emails": ("value", "type", "primary"),
    },
    # manager is accepted (value: a user's id) but not published: a generic client would
    # fill it with any string, and only our own ids are valid there.
    ENTERPRISE_URN: {"employeeNumber": None, "department": None},
    GROUP_URN: {"displayName": None, "members": ("value", "$ref", "type")},
}
_READ_ONLY: set[tuple[str, str]] = set()
_REQUIRED = {(USER_URN, "emails"), (USER_URN, "emails.value"), (USER_URN, "active")}
"""Every user has an email address (the IdP may also send it as an email-shaped userName),
and is active or not: neither can be removed."""


def published_schemas() -> list[Schema]:
    out = []
    for model in (User, EnterpriseUser, Group):
        schema = model.to_schema()
        wanted = _PUBLISHED[schema.id or ""]
        attributes = []
        for attribute in schema.attributes or []:
            if attribute.name not in wanted:
                continue
            subs = wanted[attribute.name]
            if (schema.id, attribute.name) in _READ_ONLY:
                attribute = attribute.model_copy(update={"mutability": Mutability.read_only})
            if (schema.id, attribute.name) in _REQUIRED:
                attribute = attribute.model_copy(update={"required": Required.true})
            if subs is not None:
                kept = []
                for sub in attribute.sub_attributes or []:
                    if sub.name not in subs:
                        continue
                    if (schema.id, f"{attribute.name}.{sub.name}") in _READ_ONLY:
                        sub = sub.model_copy(update={"mutability": Mutability.read_only})
                    if (schema.id, f"{attribute.name}.{sub.name}") in _REQUIRED:
                        sub = sub.model_copy(update={"required": Required.true})
                    kept.append(sub)
                attribute = attribute.model_copy(update={"sub_attributes": kept})
            attributes.append(attribute)
        out.append(schema.model_copy(update={"attributes": attributes}))
    return out
