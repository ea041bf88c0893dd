"""``/certificates/{code}``: the public page that validates a certificate.

The URL is the ``validate_url`` that Skilljar's certificate JSON shows: anyone holding it (an
employer, an auditor) can check whose certificate it is, for which course and when it was
issued, without signing in. The code is random and unguessable, so it is the credential; an
unknown code is a plain 404. A revoked certificate (its completion was withdrawn) answers 410
saying so; an expired one still validates, marked expired.

``/public_api/view_certificate?course_progress_id=&view_key=`` is the same page behind the
``public_certificate_view_link`` of SkyPrep's course progress JSON: the learner's random
``view_key`` is the credential there, compared in constant time; a wrong key, an unknown
record and a record without a certificate in force look the same (404).
"""

from __future__ import annotations

import hmac
import re
from datetime import UTC, datetime
from html import escape

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from syllabus.db.session import unit_of_work
from syllabus.queries.certificates import (
    VALIDATION_PATH,
    CertificateRecord,
    certificate_by_code,
    certificate_of_progress,
)

HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
MAX_KEY_LENGTH = 200
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
NOT_FOUND_PAGE = (
    "<!doctype html><html><head><meta charset=utf-8><title>Certificate not found</title>"
    "</head><body><h1>No certificate has this code</h1>"
    "<p>Check the link you were given.</p></body></html>"
)


def _load(factory: sessionmaker[Session], code: str) -> CertificateRecord | None:
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        return certificate_by_code(session, code)


def _day(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def render_page(record: CertificateRecord, now: datetime) -> tuple[str, int]:
    """The page and its status: 200 valid or expired, 410 revoked."""
    if record.revoked_at is not None:
        state, status = f"Revoked on {_day(record.revoked_at)}", 410
    elif record.expires_at is not None and record.expires_at <= now:
        state, status = f"Expired on {_day(record.expires_at)}", 200
    else:
        state, status = "Valid", 200
    expiry = _day(record.expires_at) if record.expires_at else "Does not expire"
    rows = [
        ("Status", state),
        ("Awarded to", record.learner),
        ("Course", record.course),
        ("Issued by", record.program),
        ("Issued on", _day(record.issued_at)),
        ("Expires", expiry),
        ("Code", record.code),
    ]
    table = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    page = (
        "<!doctype html><html><head><meta charset=utf-8>"
        f"<title>Certificate: {escape(record.course)}</title></head><body>"
        f"<h1>Certificate of completion</h1><table>{table}</table></body></html>"
    )
    return page, status


async def certificate_page(request: Request) -> Response:
    code = request.path_params["code"]
    if not _CODE.match(code):
        return HTMLResponse(NOT_FOUND_PAGE, status_code=404, headers=HEADERS)
    record = await run_in_threadpool(_load, request.app.state.session_factory, code)
    if record is None:
        return HTMLResponse(NOT_FOUND_PAGE, status_code=404, headers=HEADERS)
    page, status = render_page(record, datetime.now(UTC))
    return HTMLResponse(page, status_code=status, headers=HEADERS)


def _load_for_progress(
    factory: sessionmaker[Session], progress_id: int, view_key: str
) -> CertificateRecord | None:
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        found = certificate_of_progress(session, progress_id)
    if found is None:
        return None
    record, expected = found
    if not hmac.compare_digest(expected.encode("utf-8"), view_key.encode("utf-8")):
        return None
    return record


def _bad_request(field: str, message: str) -> Response:
    return JSONResponse({"message": message, "field": field}, status_code=400)


async def skyprep_certificate_page(request: Request) -> Response:
    raw_id = request.query_params.get("course_progress_id", "").strip()
    view_key = request.query_params.get("view_key", "")
    if not raw_id:
        return _bad_request("course_progress_id", "course_progress_id is required")
    if not (raw_id.isascii() and raw_id.isdigit() and len(raw_id) <= 30):
        return _bad_request("course_progress_id", "course_progress_id must be a positive integer")
    if not view_key:
        return _bad_request("view_key", "view_key is required")
    record = None
    if len(view_key) <= MAX_KEY_LENGTH:
        record = await run_in_threadpool(
            _load_for_progress, request.app.state.session_factory, int(raw_id), view_key
        )
    if record is None:
        return HTMLResponse(NOT_FOUND_PAGE, status_code=404, headers=HEADERS)
    page, status = render_page(record, datetime.now(UTC))
    return HTMLResponse(page, status_code=status, headers=HEADERS)


routes = [
    Route(VALIDATION_PATH, certificate_page, methods=["GET", "HEAD"]),
    Route("/public_api/view_certificate", skyprep_certificate_page, methods=["GET", "HEAD"]),
    Route("/public_api/view_certificate/", skyprep_certificate_page, methods=["GET", "HEAD"]),
]
