"""The guard and the route behind it read ``Authorization`` the same way, on every door."""

from __future__ import annotations

import base64

import pytest
from starlette.datastructures import Headers

from syllabus.dialects.scim.endpoint import SCIM, bearer
from syllabus.dialects.skilljar.auth import V1, presented_key
from syllabus.dialects.skilljar.errors import Unauthorized


def b64(raw: str) -> str:
    return base64.b64encode(raw.encode()).decode()


FORMS = [
    f"Basic {b64('sk_1:')}",
    f"Basic {b64('sk_1')}",
    f"Basic {b64(' sk_1 :')}",
    "Token sk_1",
    "Bearer sk_1",
    "bearer sk_1",
    "  Token   sk_1 ",
    "Bearer",
    f"Basic {b64(':')}",
    "Digest sk_1",
    "sk_1",
    "",
]


@pytest.mark.parametrize("value", FORMS)
def test_v1_guard_and_route_agree(value: str) -> None:
    assert V1.extract(Headers({"authorization": value})) == presented_key(value)


@pytest.mark.parametrize("value", ["Basic not*base64", "Basic " + "A" * 1000])
def test_v1_malformed_basic_is_no_one_to_the_guard_and_a_401_to_the_route(value: str) -> None:
    assert V1.extract(Headers({"authorization": value})) is None
    with pytest.raises(Unauthorized):
        presented_key(value)


class _Request:
    def __init__(self, value: str) -> None:
        self.headers = Headers({"authorization": value})


@pytest.mark.parametrize("value", FORMS)
def test_scim_takes_bearer_only_in_guard_and_route(value: str) -> None:
    secret = SCIM.extract(Headers({"authorization": value}))
    if value.strip().lower().startswith("bearer") and secret is not None:
        assert secret == "sk_1"
        assert bearer(_Request(value)) == "sk_1"  # type: ignore[arg-type]
    else:
        assert secret is None
        with pytest.raises(Exception, match="bearer token is required"):
            bearer(_Request(value))  # type: ignore[arg-type]
