"""get_materials and the download route behind each material's ``download_url``.

``download_url`` is a signed link (``/materials/download/<id>?expires=&signature=``) that works
for an hour, for that one file, with no API key in it. The same path without a signature
answers callers that send the API key and acct_key in the ``X-SkyPrep-API-Key`` and
``X-SkyPrep-Acct-Key`` headers (never in the URL). Another program's file is 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from syllabus.auth.keys import Principal
from syllabus.core.context import Context, Surface
from syllabus.core.errors import DomainError, Invalid, NotFound
from syllabus.db.session import unit_of_work
from syllabus.dialects.responses import JSONResponse
from syllabus.dialects.skyprep.actions import Call, action
from syllabus.dialects.skyprep.door import skyprep_caller
from syllabus.dialects.skyprep.errors import Unauthorized, error_body
from syllabus.dialects.skyprep.params import parse_id
from syllabus.dialects.skyprep.render import Program, Stream, load_program
from syllabus.pipeline.rate_limiting import GuardError, apply_rate_limit
from syllabus.queries.materials import MaterialRow, get_material, material_pages
from syllabus.services.materials import (
    download_expiry,
    material_for_link,
    material_store,
    sign_download,
)

DOWNLOAD_PATH = "/materials/download"
DESCRIPTIONS = {
    "pdf": "PDF Document",
    "doc": "Word Document",
    "docx": "Word Document",
    "odt": "Text Document",
    "txt": "Text Document",
    "rtf": "Rich Text Document",
    "md": "Text Document",
    "csv": "CSV Spreadsheet",
    "xls": "Excel Spreadsheet",
    "xlsx": "Excel Spreadsheet",
    "ods": "Spreadsheet",
    "ppt": "PowerPoint Presentation",
    "pptx": "PowerPoint Presentation",
    "odp": "Presentation",
    "png": "PNG Image",
    "jpg": "JPEG Image",
    "jpeg": "JPEG Image",
    "gif": "GIF Image",
    "svg": "SVG Image",
    "mp4": "MP4 Video",
    "mov": "QuickTime Video",
    "webm": "WebM Video",
    "mp3": "MP3 Audio",
    "wav": "WAV Audio",
    "zip": "ZIP Archive",
    "html": "Web Page",
}
NO_STORE = {"Cache-Control": "private, no-store"}


def file_extension(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem and extension.isalnum() else ""


def describe(extension: str) -> str:
    return DESCRIPTIONS.get(extension) or (f"{extension.upper()} File" if extension else "File")


def material_json(row: MaterialRow, program: Program, origin: str, expires: int) -> dict[str, Any]:
    extension = file_extension(row.name)
    signature = sign_download(row.id, row.download_secret, expires)
    return {
        "created_at": program.local(row.created_at),
        "updated_at": program.local(row.updated_at),
        "article_id": row.id,
        "id": row.id,
        "parent_id": row.parent_id,
        "name": row.name,
        "download_url": (
            f"{origin}{DOWNLOAD_PATH}/{row.id}?expires={expires}&signature={signature}"
        ),
        "file_extension": extension,
        "descriptive_extension": describe(extension),
        "version_code": f"v{row.version}",
        "page_count": row.page_count,
        "category": row.category,
    }


@action("get_materials", read_only=True)
def get_materials(session: Session, call: Call) -> Stream:
    """Every material, streamed in id order, each with a download link good for an hour."""
    program = load_program(call.acct_key, call.time_zone)
    expires = download_expiry()
    ctx, origin = call.ctx, call.origin

    def pages(stream_session: Session) -> Any:
        for page in material_pages(stream_session, ctx):
            yield [material_json(row, program, origin, expires) for row in page]

    return Stream(ctx.tenant_id, "materials", pages)


# --- The download route -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileFacts:
    tenant_id: int
    sha256: str
    name: str
    content_type: str


def _signed(factory: sessionmaker[Session], material_id: int, request: Request) -> FileFacts:
    try:
        expires = int(request.query_params.get("expires", ""))
    except ValueError:
        raise Invalid("expires", "expires must be a Unix time") from None
    signature = request.query_params.get("signature", "")
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        row = material_for_link(
            session, material_id=material_id, expires=expires, signature=signature
        )
        return FileFacts(row.tenant_id, row.sha256, row.name, row.content_type)


def _for_caller(
    factory: sessionmaker[Session], principal: Principal, material_id: int
) -> FileFacts:
    with unit_of_work(factory, tenant_id=principal.tenant_id, read_only=True) as session:
        ctx = Context(principal.tenant_id, principal.actor, Surface.SKYPREP)
        row = get_material(session, ctx, material_id)
        if row is None:
            raise NotFound("material", [material_id], field="material_id")
        return FileFacts(row.tenant_id, row.sha256, row.name, row.content_type)


async def _with_key(request: Request, material_id: int, headers: dict[str, str]) -> FileFacts:
    """The caller's own material, identified and rate limited as every SkyPrep action is."""
    api_key = request.headers.get("x-skyprep-api-key")
    acct_key = request.headers.get("x-skyprep-acct-key")
    if not api_key:
        raise Unauthorized(
            "a signed link, or the X-SkyPrep-API-Key header, is required", field="api_key"
        )
    if not acct_key:
        raise Unauthorized("the X-SkyPrep-Acct-Key header is required", field="acct_key")
    principal = await skyprep_caller(request, api_key, acct_key)
    await apply_rate_limit(request.app.state.rate_limiter, principal, headers)
    factory = request.app.state.session_factory
    return await run_in_threadpool(_for_caller, factory, principal, material_id)


async def download(request: Request) -> Response:
    """The material's bytes, streamed from disk with its content type."""
    factory = request.app.state.session_factory
    headers = dict(NO_STORE)
    try:
        material_id = parse_id(request.path_params["material_id"], "material_id")
        signed = "signature" in request.query_params or "expires" in request.query_params
        if signed:
            facts = await run_in_threadpool(_signed, factory, material_id, request)
        else:
            facts = await _with_key(request, material_id, headers)
        path: Path = material_store(request.app.state.settings.data_dir).path_for(
            facts.tenant_id, facts.sha256
        )
        if not path.is_file():
            raise NotFound("material file", [material_id], field="material_id")
    except GuardError as error:
        body = {"message": error.message, "field": error.field}
        return JSONResponse(body, error.status, headers | error.headers())
    except DomainError as error:
        status, body = error_body(error)
        return JSONResponse(body, status_code=status, headers=headers)
    return FileResponse(path, media_type=facts.content_type, filename=facts.name, headers=headers)


routes = [Route(DOWNLOAD_PATH + "/{material_id}", download, methods=["GET", "HEAD"])]
