"""``GET /v1/ping``: a 200 means the key authenticated."""

from __future__ import annotations

from starlette.responses import Response

from syllabus.dialects.skilljar.api import ReadApi
from syllabus.dialects.skilljar.routing import SkilljarRouter

router = SkilljarRouter(tags=["Ping"])


@router.get("/ping", operation_id="ping_retrieve", summary="Ping API")
def ping(api: ReadApi) -> Response:
    """Answers 200 with no body when the API key is valid."""
    return Response(status_code=200)
