"""Signed session cookies: ``<payload>.<HMAC-SHA256>``, checked in constant time.

The payload is not secret (ids and an issue time), only tamper-proof; the signing key is the
deployment's secret key (``SYLLABUS_SECRET_KEY``, or one generated into the data directory).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import orjson

COOKIE_NAME = "syllabus_session"
MAX_AGE_SECONDS = 12 * 3600
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


@dataclass(frozen=True, slots=True)
class SessionData:
    tenant_id: int
    user_id: int
    issued_at: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret_key: str, payload: str) -> str:
    digest = hmac.new(secret_key.encode(), payload.encode("ascii"), hashlib.sha256).digest()
    return _b64(digest)


def sign_session(secret_key: str, *, tenant_id: int, user_id: int) -> str:
    payload = _b64(orjson.dumps({"t": tenant_id, "u": user_id, "i": int(time.time())}))
    return f"{payload}.{_mac(secret_key, payload)}"


def read_session(secret_key: str, cookie: str) -> SessionData | None:
    """The session a cookie carries, or None if it is forged, malformed or too old."""
    payload, _, mac = cookie.partition(".")
    if not payload or not hmac.compare_digest(mac.encode(), _mac(secret_key, payload).encode()):
        return None
    try:
        data = orjson.loads(_unb64(payload))
        session = SessionData(int(data["t"]), int(data["u"]), int(data["i"]))
    except (ValueError, KeyError, TypeError):
        return None
    if time.time() - session.issued_at > MAX_AGE_SECONDS:
        return None
    return session


def load_or_create_secret_key(configured: str | None, data_dir: Path) -> str:
    """The configured key, else the one stored in ``data_dir`` (created, 0600, on first use)."""
    if configured:
        return configured
    path = data_dir / SECRET_KEY_FILE
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as out:
        out.write(key)
    return key
