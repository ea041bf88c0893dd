"""The SCIM User resource over Syllabus users: rendering, reading bodies, filter attributes.

userName ↔ username, emails (the one held, type work, primary) ↔ email, name ↔ first and
last name, active ↔ is_active, externalId ↔ sso_id, title, locale, and the enterprise
extension's employeeNumber ↔ user_identifier, department, manager ↔ manager_id.
displayName and the email's type and primary flag are kept as the IdP sent them (a SCIM
profile); users never provisioned show their full name and a primary work email.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scim2_models import InvalidSyntaxException, InvalidValueException, ResponseParameters

from syllabus.dialects.etags import render_etag
from syllabus.dialects.scim.render import project, timestamp
from syllabus.dialects.scim.schema import ENTERPRISE_URN, USER, USER_URN, ResourceDef
from syllabus.domain.provisioning import ScimUserProfile
from syllabus.domain.users import User as UserRow
from syllabus.services.scim_users import ScimUser
from syllabus.services.user_fields import UserData


def etag(version: int) -> str:
    """A weak ETag (``meta.version`` too) from the row's version (``core.versions``)."""
    return render_etag((version,), weak=True)


def render_user(
    user: UserRow,
    profile: ScimUserProfile | None,
    base_url: str,
    params: ResponseParameters[Any] | None = None,
) -> dict[str, Any]:
    """The SCIM User; a provisioned user shows the display name and email labels the IdP
    gave (or none), others their full name and a primary work email."""
    email: dict[str, Any] = {"value": user.email}
    if profile is None:
        email.update(type="work", primary=True)
        display: str | None = user.full_name or user.username
    else:
        if profile.email_type is not None:
            email["type"] = profile.email_type
        if profile.email_primary is not None:
            email["primary"] = profile.email_primary
        display = profile.display_name
    body: dict[str, Any] = {"schemas": [USER_URN], "id": str(user.id)}
    if user.sso_id is not None:
        body["externalId"] = user.sso_id
    body["meta"] = {
        "resourceType": "User",
        "created": timestamp(user.created_at),
        "lastModified": timestamp(user.updated_at),
        "location": f"{base_url}Users/{user.id}",
        "version": etag(user.version),
    }
    body["userName"] = user.username
    name = {}
    if user.last_name:
        name["familyName"] = user.last_name
    if user.first_name:
        name["givenName"] = user.first_name
    if name:
        body["name"] = name
    for key, value in (("displayName", display), ("title", user.title), ("locale", user.locale)):
        if value is not None:
            body[key] = value
    body["active"] = user.is_active
    body["emails"] = [email]
    ext: dict[str, Any] = {}
    if user.user_identifier is not None:
        ext["employeeNumber"] = user.user_identifier
    if user.department is not None:
        ext["department"] = user.department
    if user.manager_id is not None:
        ext["manager"] = {
            "value": str(user.manager_id),
            "$ref": f"{base_url}Users/{user.manager_id}",
        }
    if ext:
        body["schemas"].append(ENTERPRISE_URN)
        body[ENTERPRISE_URN] = ext
    return project(body, params, USER_URN, ENTERPRISE_URN)


@dataclass(frozen=True)
class UserInput:
    """A SCIM User body, read: what the service should hold."""

    user_name: str
    email: str
    email_type: str | None
    email_primary: bool | None
    display_name: str | None
    given_name: str | None
    family_name: str | None
    external_id: str | None
    title: str | None
    locale: str | None
    employee_number: str | None
    department: str | None
    manager_id: int | None
    active: bool | None
    """None when the body does not say (PUT leaves status alone then)."""

    def as_scim_user(self) -> ScimUser:
        """The body as the SCIM users service's input."""
        return ScimUser(
            data=self.as_data(),
            active=self.active,
            display_name=self.display_name,
            email_type=self.email_type,
            email_primary=self.email_primary,
        )

    def as_data(self) -> UserData:
        return UserData(
            email=self.email,
            username=self.user_name,
            first_name=self.given_name,
            last_name=self.family_name,
            sso_id=self.external_id,
            title=self.title,
            locale=self.locale,
            user_identifier=self.employee_number,
            department=self.department,
            manager_id=self.manager_id,
        )


def check_schemas(fields: dict[str, Any], spec: ResourceDef) -> None:
    """``schemas`` must name the resource's core schema; URNs it does not know are tolerated
    (Entra adds its own) as long as no attribute is sent under them."""
    schemas = fields.get("schemas")
    if not isinstance(schemas, list) or not all(isinstance(s, str) for s in schemas):
        raise InvalidSyntaxException(detail="schemas must be an array of URNs")
    if spec.core_urn.lower() not in {s.lower() for s in schemas}:
        raise InvalidSyntaxException(detail=f"schemas must contain {spec.core_urn}")
    known = {spec.core_urn.lower(), (spec.extension_urn or "").lower()}
    for key in fields:
        if key.startswith("urn:") and key not in known:
            raise InvalidSyntaxException(detail=f"unknown schema extension {key}")
        if not key.startswith("urn:") and spec.find(key, None) is None:
            raise InvalidSyntaxException(detail=f"unknown attribute {key}")


def lowered(payload: Any, what: str = "the body") -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise InvalidSyntaxException(detail=f"{what} must be a JSON object")
    return {str(k).lower(): v for k, v in payload.items()}


def text(value: Any, name: str, *, required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            raise InvalidValueException(detail=f"{name} is required")
        return None
    if not isinstance(value, str):
        raise InvalidValueException(detail=f"{name} must be a string")
    return value


def boolean(value: Any, name: str) -> bool | None:
    """Entra's legacy mode sends booleans as "True" and "False"."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise InvalidValueException(detail=f"{name} must be true or false")


def _email(value: Any, user_name: str) -> tuple[str, str | None, bool | None]:
    if value is None:
        value = []
    if not isinstance(value, list):
        raise InvalidValueException(detail="emails must be an array")
    entries = [lowered(e, "each email") for e in value]
    primaries = [e for e in entries if boolean(e.get("primary"), "emails.primary")]
    chosen = (
        (primaries[-1] if primaries else None)  # the last one set primary wins
        or next((e for e in entries if str(e.get("type", "")).lower() == "work"), None)
        or (entries[0] if entries else None)
    )
    if chosen is None:
        if "@" in user_name:
            return user_name, None, None  # no emails: the address is the userName
        raise InvalidValueException(detail="emails: a user needs an email address")
    found = text(chosen.get("value"), "emails.value", required=True)
    assert found is not None
    kind = text(chosen.get("type"), "emails.type")
    return found, kind, boolean(chosen.get("primary"), "emails.primary")


def _manager(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, dict):
        value = lowered(value).get("value")
        if value is None or value == "":
            return None
    if isinstance(value, str) and value.isdigit() and len(value) < 10:
        return int(value)
    raise InvalidValueException(detail="manager.value must be the id of a user")


def parse_user(payload: Any) -> UserInput:
    fields = lowered(payload)
    check_schemas(fields, USER)
    user_name = text(fields.get("username"), "userName", required=True)
    assert user_name is not None
    name = lowered(fields.get("name") or {}, "name")
    ext = lowered(fields.get(ENTERPRISE_URN.lower()) or {}, ENTERPRISE_URN)
    email, email_type, email_primary = _email(fields.get("emails"), user_name)
    return UserInput(
        user_name=user_name,
        email=email,
        email_type=email_type,
        email_primary=email_primary,
        display_name=text(fields.get("displayname"), "displayName"),
        given_name=text(name.get("givenname"), "name.givenName"),
        family_name=text(name.get("familyname"), "name.familyName"),
        external_id=text(fields.get("externalid"), "externalId"),
        title=text(fields.get("title"), "title"),
        locale=text(fields.get("locale"), "locale"),
        employee_number=text(ext.get("employeenumber"), "employeeNumber"),
        department=text(ext.get("department"), "department"),
        manager_id=_manager(ext.get("manager")),
        active=boolean(fields.get("active"), "active"),
    )
