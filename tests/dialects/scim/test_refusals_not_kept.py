"""A request refused before it was authenticated keeps nothing under its Idempotency-Key, so
the corrected retry runs: a SCIM token sent as Basic, then as Bearer, creates the user."""

from __future__ import annotations

import base64

from tests.dialects.scim.conftest import SCIM_JSON, Scim, user_body


def test_a_refused_credential_form_is_not_replayed_to_the_corrected_retry(scim: Scim) -> None:
    body = user_body("retry@example.com")
    basic = "Basic " + base64.b64encode(f"{scim.token}:".encode()).decode()
    headers = {"Content-Type": SCIM_JSON, "Idempotency-Key": "create-retry-1"}
    refused = scim.client.post(
        "/scim/v2/Users", json=body, headers={**headers, "Authorization": basic}
    )
    assert refused.status_code == 401, refused.text

    created = scim.post("/Users", body, headers={"Idempotency-Key": "create-retry-1"})
    assert created.status_code == 201, created.text
    again = scim.post("/Users", body, headers={"Idempotency-Key": "create-retry-1"})
    assert (again.status_code, again.json()["id"]) == (201, created.json()["id"])
