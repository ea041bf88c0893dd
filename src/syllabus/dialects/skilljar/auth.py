"""Who is calling: the program's API key, sent the four ways real Skilljar clients send it.

HTTP Basic with the key as the username, as ``base64("key:")`` (official) and as
``base64("key")`` with no colon; ``Token <key>`` and ``Bearer <key>`` (the guide), read by the
one ``Authorization`` parser (``syllabus.auth.authorization``) through the ``/v1`` door. SCIM
tokens are a different credential kind and are refused here. What is left to this module is
the wording of DRF's 401s.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from syllabus.auth.authorization import Malformed, Scheme, parse_authorization
from syllabus.auth.keys import Principal
from syllabus.core.credentials import CredentialKind
from syllabus.dialects.responses import JSONResponse
from syllabus.dialects.skilljar.errors import Unauthorized
from syllabus.pipeline.doors import Door, authorization_secret, identified, identify
from syllabus.pipeline.rate_limiting import GuardError

NO_CREDENTIALS = "Authentication credentials were not provided."
BAD_CREDENTIALS = "Invalid username/password."
BAD_BASIC = "Invalid basic header. Credentials not correctly base64 encoded."


def detail_error(error: GuardError) -> Response:
    """A guard's refusal in DRF's shape, which ``/v1`` clients parse: ``{"detail": "..."}``."""
    return JSONResponse({"detail": error.message}, error.status)


V1 = Door("skilljar", CredentialKind.API_KEY, authorization_secret(*Scheme), detail_error)
"""``/v1``'s door: the API key in Basic (with or without the colon), Token or Bearer."""


def presented_key(authorization: str | None) -> str | None:
    """The key in an Authorization header value, or None; a malformed Basic value is a 401."""
    presented = parse_authorization(authorization)
    if presented is None:
        return None
    if presented.malformed is Malformed.TOO_LONG:
        raise Unauthorized(BAD_CREDENTIALS)
    if presented.malformed is Malformed.NOT_BASE64:
        raise Unauthorized(BAD_BASIC)
    return presented.secret


async def principal_for(request: Request) -> Principal:
    """The authenticated program (identified by the guard, from the cache or one indexed
    lookup); 401 otherwise."""
    principal = identified(request.scope, V1)
    if principal is not None:
        return principal
    key = presented_key(request.headers.get("authorization"))
    if key is None:
        raise Unauthorized(NO_CREDENTIALS)
    state = request.app.state
    principal = await identify(state.session_factory, state.auth_cache, V1, key)
    if principal is None:
        raise Unauthorized(BAD_CREDENTIALS)
    return principal
