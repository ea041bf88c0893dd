"""Signed session cookies: ``<payload>.<HMAC-SHA256>``, checked in constant time.

The payload is not secret (ids and an issue time), only tamper-proof; the signing key is the
deployment's secret key (``SYLLABUS_SECRET_KEY``, or one generated into the data directory).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import orjson
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from syllabus.domain.installation import InstallationSetting

COOKIE_NAME = "syllabus_session"
MAX_AGE_SECONDS = 12 * 3600
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
"""Where versions before the database-held key kept it; read once, to carry it over."""
SECRET_KEY_SETTING = "secret_key"  # noqa: S105 - a setting name, not a secret


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


def load_or_create_secret_key(configured: str | None, data_dir: Path, engine: Engine) -> str:
    """The configured key, else the deployment's key kept in the database.

    The database, not the data directory, holds it so that every server of a deployment signs
    and reads the same sessions and public ids. The first server to start creates it, seeded
    from the key file older versions kept in ``data_dir`` when there is one, so upgrading keeps
    every id and session valid.
    """
    if configured:
        return configured
    select_key = select(InstallationSetting.value).where(
        InstallationSetting.name == SECRET_KEY_SETTING
    )
    with engine.begin() as connection:
        stored = connection.execute(select_key).scalar_one_or_none()
    if stored is not None:
        return stored
    legacy = data_dir / SECRET_KEY_FILE
    candidate = legacy.read_text().strip() if legacy.exists() else secrets.token_urlsafe(48)
    try:
        with engine.begin() as connection:
            connection.execute(
                insert(InstallationSetting).values(name=SECRET_KEY_SETTING, value=candidate)
            )
    except IntegrityError:  # another server created it first: theirs wins
        pass
    with engine.begin() as connection:
        return str(connection.execute(select_key).scalar_one())
