"""The SCIM Group resource over Syllabus groups: displayName ↔ the group's full name (unique
per program, case-insensitively), externalId ↔ external_id, members ↔ its users."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scim2_models import InvalidValueException, ResponseParameters

from syllabus.dialects.scim.render import project, timestamp
from syllabus.dialects.scim.schema import GROUP, GROUP_URN
from syllabus.dialects.scim.users import check_schemas, etag, lowered, text
from syllabus.domain.groups import Group as GroupRow
from syllabus.services.scim_groups import ScimGroup


def render_group(
    group: GroupRow,
    members: list[tuple[int, str]] | None,
    base_url: str,
    params: ResponseParameters[Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"schemas": [GROUP_URN], "id": str(group.id)}
    if group.external_id is not None:
        body["externalId"] = group.external_id
    body["meta"] = {
        "resourceType": "Group",
        "created": timestamp(group.created_at),
        "lastModified": timestamp(group.updated_at),
        "location": f"{base_url}Groups/{group.id}",
        "version": etag(group.version),
    }
    body["displayName"] = group.full_name
    if members is not None:
        body["members"] = [
            {"value": str(uid), "$ref": f"{base_url}Users/{uid}", "type": "User"}
            for uid, _ in members
        ]
    return project(body, params, GROUP_URN)


def _wants_members(params: ResponseParameters[Any] | None) -> bool:
    if params is None:
        return True
    if params.attributes:
        return any(str(a).lower().startswith("members") for a in params.attributes)
    return not any(str(a).lower() == "members" for a in params.excluded_attributes or [])


def wants_members(params: ResponseParameters[Any] | None) -> bool:
    """Listing members costs a query: skip it when the client excluded them."""
    return _wants_members(params)


@dataclass(frozen=True)
class GroupInput:
    display_name: str
    external_id: str | None
    member_ids: list[int] | None
    """None when the body does not say (PUT leaves members alone then)."""

    def as_scim_group(self) -> ScimGroup:
        """The body as the SCIM groups service's input."""
        return ScimGroup(self.display_name, self.external_id, self.member_ids)


def member_ids(value: Any) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidValueException(detail="members must be an array")
    ids: list[int] = []
    for entry in value:
        fields = lowered(entry, "each member")
        kind = fields.get("type")
        if isinstance(kind, str) and kind.lower() == "group":
            raise InvalidValueException(detail="nested groups are not supported")
        raw = fields.get("value")
        if not isinstance(raw, str | int) or isinstance(raw, bool) or not str(raw).isdigit():
            raise InvalidValueException(detail=f"members: {raw!r} is not a user id")
        if len(str(raw)) > 10:
            raise InvalidValueException(detail=f"members: no user has id {raw}")
        ids.append(int(raw))
    return list(dict.fromkeys(ids))


def parse_group(payload: Any) -> GroupInput:
    fields = lowered(payload)
    check_schemas(fields, GROUP)
    name = text(fields.get("displayname"), "displayName", required=True)
    assert name is not None
    return GroupInput(
        display_name=name,
        external_id=text(fields.get("externalid"), "externalId"),
        member_ids=member_ids(fields["members"]) if "members" in fields else None,
    )
