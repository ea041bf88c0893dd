"""Settings read from ``SYLLABUS_*`` environment variables, once, at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def default_data_dir() -> Path:
    """Follow XDG so a server run by a user keeps its data out of the checkout."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "syllabus"


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    host: str
    port: int
    embedded_worker: bool
    worker_poll_seconds: float
    job_lease_seconds: float
    log_level: str
    auth_cache_seconds: float = 2.0
    secret_key: str | None = None
    """Signs session cookies; when unset, one is generated and kept in ``data_dir``."""
    webhook_allow_private_targets: bool = False
    """Lets webhooks target loopback/private addresses over plain http (tests, intranets)."""
    event_retention_days: float = 30.0
    """How long the event feed keeps events; older cursors answer 410."""

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        data_dir = Path(env.get("SYLLABUS_DATA_DIR") or default_data_dir())
        url = env.get("SYLLABUS_DATABASE_URL") or f"sqlite:///{data_dir / 'syllabus.db'}"
        return cls(
            database_url=url,
            data_dir=data_dir,
            host=env.get("SYLLABUS_HOST", "127.0.0.1"),
            port=int(env.get("SYLLABUS_PORT", "8000")),
            embedded_worker=env.get("SYLLABUS_EMBEDDED_WORKER", "1") not in {"0", "false", "no"},
            worker_poll_seconds=float(env.get("SYLLABUS_WORKER_POLL_SECONDS", "0.5")),
            job_lease_seconds=float(env.get("SYLLABUS_JOB_LEASE_SECONDS", "300")),
            log_level=env.get("SYLLABUS_LOG_LEVEL", "info"),
            auth_cache_seconds=float(env.get("SYLLABUS_AUTH_CACHE_SECONDS", "2")),
            secret_key=env.get("SYLLABUS_SECRET_KEY") or None,
            webhook_allow_private_targets=env.get("SYLLABUS_WEBHOOK_ALLOW_PRIVATE_TARGETS", "0")
            in {"1", "true", "yes"},
            event_retention_days=float(env.get("SYLLABUS_EVENT_RETENTION_DAYS", "30")),
        )
