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
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    """Peers (IPs or CIDRs, ``*`` for any) whose Forwarded / X-Forwarded-* headers count."""
    rate_limit_per_second: float = 50.0
    """Each key's sustained budget; 0 switches rate limiting off (programs' overrides too)."""
    rate_limit_burst: float = 200.0
    """Requests a key may make at once after a quiet period (the bucket's size)."""
    webhook_allow_private_targets: bool = False
    """Lets webhooks target loopback/private addresses over plain http (tests, intranets)."""
    event_retention_days: float = 30.0
    """How long the event feed keeps events; older cursors answer 410."""
    job_retention_days: float = 30.0
    """How long finished background jobs (report runs, bulk-create results) stay readable."""
    report_retention_days: float = 7.0
    """How long the files of asynchronous reports are kept (capped by job retention)."""

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
            trusted_proxies=_split(env.get("SYLLABUS_TRUSTED_PROXIES", "127.0.0.1,::1")),
            rate_limit_per_second=float(env.get("SYLLABUS_RATE_LIMIT_PER_SECOND", "50")),
            rate_limit_burst=float(env.get("SYLLABUS_RATE_LIMIT_BURST", "200")),
            webhook_allow_private_targets=env.get("SYLLABUS_WEBHOOK_ALLOW_PRIVATE_TARGETS", "0")
            in {"1", "true", "yes"},
            event_retention_days=float(env.get("SYLLABUS_EVENT_RETENTION_DAYS", "30")),
            job_retention_days=float(env.get("SYLLABUS_JOB_RETENTION_DAYS", "30")),
            report_retention_days=float(env.get("SYLLABUS_REPORT_RETENTION_DAYS", "7")),
        )


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())
