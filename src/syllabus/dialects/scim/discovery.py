"""ServiceProviderConfig, ResourceTypes and Schemas: what this server really supports."""

from __future__ import annotations

from typing import Any

from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    ETag,
    Filter,
    Meta,
    Pagination,
    Patch,
    ResourceType,
    SchemaExtension,
    ServiceProviderConfig,
    Sort,
)

from syllabus.dialects.scim.listing import DEFAULT_COUNT
from syllabus.dialects.scim.schema import ENTERPRISE_URN, GROUP_URN, USER_URN, published_schemas
from syllabus.queries.counted_pages import MAX_COUNT

DUMP = Context.RESOURCE_QUERY_RESPONSE


def service_provider_config(base_url: str) -> dict[str, Any]:
    config = ServiceProviderConfig(
        documentation_uri="https://datatracker.ietf.org/doc/html/rfc7644",
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_COUNT),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=True),
        etag=ETag(supported=True),
        pagination=Pagination(
            cursor=True,
            index=True,
            default_pagination_method="index",
            default_page_size=DEFAULT_COUNT,
            max_page_size=MAX_COUNT,
        ),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="Bearer token",
                description="A SCIM token created with `syllabus key create ACCT_KEY --scim`",
                primary=True,
            )
        ],
        meta=Meta(
            resource_type="ServiceProviderConfig", location=f"{base_url}ServiceProviderConfig"
        ),
    )
    return config.model_dump(scim_ctx=DUMP)


def resource_types(base_url: str) -> list[dict[str, Any]]:
    user = ResourceType(
        id="User",
        name="User",
        description="A learner, manager or admin of the program",
        endpoint="/Users",
        schema_=USER_URN,
        schema_extensions=[SchemaExtension(schema_=ENTERPRISE_URN, required=False)],
        meta=Meta(resource_type="ResourceType", location=f"{base_url}ResourceTypes/User"),
    )
    group = ResourceType(
        id="Group",
        name="Group",
        description="A group of users",
        endpoint="/Groups",
        schema_=GROUP_URN,
        meta=Meta(resource_type="ResourceType", location=f"{base_url}ResourceTypes/Group"),
    )
    return [user.model_dump(scim_ctx=DUMP), group.model_dump(scim_ctx=DUMP)]


def schemas(base_url: str) -> list[dict[str, Any]]:
    out = []
    for schema in published_schemas():
        schema = schema.model_copy(
            update={"meta": Meta(resource_type="Schema", location=f"{base_url}Schemas/{schema.id}")}
        )
        out.append(schema.model_dump(scim_ctx=DUMP))
    return out
