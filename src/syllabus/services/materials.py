"""Materials: adding a program's files to Syllabus, removing them, and signing download links.

Files are content-addressed: ``<root>/<tenant_id>/<sha256[:2]>/<sha256>``. A file is written to
a temporary name in its final directory and renamed into place, so a reader never sees half a
file and a crash leaves at most a stray ``.tmp``. Rows, not files, are the truth: a file no row
points to is deleted only once the removing transaction has committed.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import mimetypes
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.core.context import Context
from syllabus.core.errors import Forbidden, Invalid, NotFound
from syllabus.core.lookups import possible_id, require
from syllabus.core.validation import clean_text
from syllabus.domain.courses import Course
from syllabus.domain.materials import Material
from syllabus.services.events import record_event

CHUNK = 1024 * 1024
DEFAULT_TYPE = "application/octet-stream"
_CONTENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
LINK_SECONDS = 3600
"""How long a signed download link works."""


@dataclass(frozen=True, slots=True)
class MaterialStore:
    """Where a deployment keeps material files (``<data_dir>/materials``)."""

    root: Path

    def path_for(self, tenant_id: int, sha256: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise ValueError("not a SHA-256 digest")
        return self.root / str(tenant_id) / sha256[:2] / sha256

    def put(self, tenant_id: int, source: Path) -> tuple[str, int]:
        """Copy ``source`` into the store; returns its digest and size."""
        staging = self.root / str(tenant_id) / "incoming"
        staging.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, temp_name = tempfile.mkstemp(dir=staging, suffix=".tmp")
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "wb") as out, source.open("rb") as src:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            final = self.path_for(tenant_id, digest.hexdigest())
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp, final)  # atomic; the same content twice lands on the same name
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return digest.hexdigest(), size


def _content_type(value: str | None, name: str) -> str:
    if value is None or not value.strip():
        guessed, _ = mimetypes.guess_type(name, strict=False)
        return guessed or DEFAULT_TYPE
    clean = value.strip().lower()
    if len(clean) > 255 or not _CONTENT_TYPE.match(clean):
        raise Invalid("content_type", "content_type must look like type/subtype, e.g. text/plain")
    return clean


def _page_count(path: Path, content_type: str) -> int | None:
    """Pages of a PDF; other files (and PDFs that cannot be read) have none."""
    if content_type != "application/pdf":
        return None
    from pypdf import PdfReader

    try:
        return len(PdfReader(path).pages)
    except Exception:  # a broken PDF is still a file worth keeping
        return None


def add_material(
    session: Session,
    ctx: Context,
    *,
    store: MaterialStore,
    source: Path,
    name: str | None = None,
    category: str | None = None,
    parent_id: int | None = None,
    course_id: int | None = None,
    content_type: str | None = None,
) -> Material:
    """Store a copy of the file at ``source`` and list it as one of the program's materials."""
    if not source.is_file():
        raise Invalid("path", f"{source} is not a readable file")
    clean_name = clean_text(name if name is not None else source.name, "name", max_length=255)
    if not clean_name:
        raise Invalid("name", "name is required")
    clean_category = clean_text(category, "category", max_length=255) or None
    if parent_id is not None:
        require(session, ctx, Material, parent_id, field="parent_id")
    if course_id is not None:
        require(session, ctx, Course, course_id, field="course_id")
    kind = _content_type(content_type, clean_name)
    try:
        sha256, size = store.put(ctx.tenant_id, source)
    except OSError as error:
        raise Invalid("path", f"cannot read {source}: {error.strerror}") from None
    material = Material(
        tenant_id=ctx.tenant_id,
        name=clean_name,
        category=clean_category,
        parent_id=parent_id,
        course_id=course_id,
        content_type=kind,
        size_bytes=size,
        sha256=sha256,
        page_count=_page_count(store.path_for(ctx.tenant_id, sha256), kind),
        download_secret=secrets.token_hex(32),
    )
    session.add(material)
    session.flush()
    record_event(
        session,
        ctx,
        "material.added",
        {"material_id": material.id, "name": material.name, "size_bytes": size},
    )
    return material


def remove_material(
    session: Session, ctx: Context, *, store: MaterialStore, material_id: int
) -> None:
    """Delete the material; its file goes after commit unless another material shares it."""
    material = require(session, ctx, Material, material_id, field="material_id")
    sha256 = material.sha256
    session.delete(material)
    session.flush()
    shared = session.scalar(
        select(func.count())
        .select_from(Material)
        .where(Material.tenant_id == ctx.tenant_id, Material.sha256 == sha256)
    )
    if not shared:
        path = store.path_for(ctx.tenant_id, sha256)

        def unlink(_: Session) -> None:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)

        event.listen(session, "after_commit", unlink, once=True)
    record_event(session, ctx, "material.removed", {"material_id": material_id})


# --- Download links ---------------------------------------------------------------------------
# A signed link names the material and when it stops working, keyed by the material's own
# secret: it carries no API key, works for one file only, and expires.


def sign_download(material_id: int, secret: str, expires: int) -> str:
    message = f"material:{material_id}:{expires}".encode()
    return hmac.new(bytes.fromhex(secret), message, hashlib.sha256).hexdigest()


def download_expiry(now: int | None = None) -> int:
    return (now if now is not None else int(utcnow().timestamp())) + LINK_SECONDS


def material_for_link(
    session: Session, *, material_id: int, expires: int, signature: str
) -> Material:
    """The material a signed link names, checked across programs (the link is the credential).

    Unknown ids are NotFound; a wrong signature or a link past its time is Forbidden.
    """
    if not possible_id(material_id):
        raise NotFound("material", [material_id], field="material_id")
    material = session.scalars(select(Material).where(Material.id == material_id)).first()
    if material is None:
        raise NotFound("material", [material_id], field="material_id")
    expected = sign_download(material.id, material.download_secret, expires)
    if not hmac.compare_digest(expected, signature):
        raise Forbidden("the download link is not valid", field="signature")
    if expires < int(utcnow().timestamp()):
        raise Forbidden("the download link has expired", field="expires")
    return material


def material_store(data_dir: Path) -> MaterialStore:
    """The store of a deployment whose data directory is ``data_dir``."""
    return MaterialStore(data_dir / "materials")
