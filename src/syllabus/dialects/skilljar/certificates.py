"""The completion parts of a user's published-course progress: its certificate and credits.

Read for a whole page of enrollments at once (two queries), and rendered as Skilljar's
``Certificate`` (with ``validate_url``, the public validation page on the request's own host)
and ``CourseProgress.credits_earned``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from syllabus.dialects.skilljar.api import Api
from syllabus.dialects.skilljar.render import ts
from syllabus.queries.certificates import (
    VALIDATION_PATH,
    CertificateView,
    certificates_in_force,
    course_credits,
)
from syllabus.queries.progress.skilljar import ProgressView

CREDIT_UNIT_PLURAL = "credits"
"""Courses carry a number of credits without a unit of their own."""


@dataclass(frozen=True)
class Completions:
    certificates: dict[int, CertificateView] = field(default_factory=dict)
    """In force, by course progress id."""
    credits: dict[int, Decimal | None] = field(default_factory=dict)
    """By course id."""


def completions(
    api: Api, course_ids: Iterable[int], progress: Iterable[ProgressView | None]
) -> Completions:
    """Certificates and credits of a page of enrollments."""
    progress_ids = [p.id for p in progress if p is not None and p.completed_at is not None]
    return Completions(
        certificates_in_force(api.session, api.ctx, progress_ids),
        course_credits(api.session, api.ctx, course_ids),
    )


def certificate_json(api: Api, view: CertificateView | None) -> dict[str, Any] | None:
    if view is None:
        return None
    url = api.request.url
    path = VALIDATION_PATH.format(code=view.code)
    return {
        "code": view.code,
        "validate_url": f"{url.scheme}://{url.netloc}{path}",
        "issued_at": ts(view.issued_at),
        "expires_at": ts(view.expires_at),
    }


def credits_earned(progress: ProgressView | None, credits: Decimal | None) -> tuple[str, str]:
    """(credits_earned, credit_unit_plural): the course's credits once it is completed."""
    if progress is None or progress.completed_at is None or credits is None:
        return "", ""
    text = format(credits.normalize(), "f")
    return text, CREDIT_UNIT_PLURAL
