"""Sample responses of the SkyPrep course progress actions, copied from the admin API spec
(skyprep-admin-api.txt). Values are the spec's illustrations, not expectations."""

from __future__ import annotations

from typing import Any

from tests.dialects.skyprep.course_samples import COURSE
from tests.dialects.skyprep.spec_samples import USER

PROGRESS: dict[str, Any] = {
    "id": 901,
    "days_until_deadline": 14,
    "created_at": "2026-05-01T09:00:00.000-04:00",
    "updated_at": "2026-05-05T11:10:00.000-04:00",
    "skip_prerequisites": False,
    "course_id": 201,
    "course_name": "New Hire Orientation",
    "user_id": 101,
    "user_email": "[email protected]",
    "status": "in-progress",
    "commencement_date": "2026-05-01T09:30:00.000-04:00",
    "enrollment_date": "2026-05-01T09:00:00.000-04:00",
    "completion_date": None,
    "last_course_item_id": 211,
    "percent_viewed": 50,
    "display_percent_viewed": 50,
    "expiration_date": None,
    "expired": False,
    "access_date": None,
    "deadline_date": "2026-05-15T23:59:59.000-04:00",
    "override_dates": False,
    "real_end_date": "2026-05-15T23:59:59.000-04:00",
    "real_start_date": None,
    "certificate_view_link": "https://example.skyprepapp.com/certificates/show?course_progress_id=901&f=pdf",
    "public_certificate_view_link": "https://example.skyprepapp.com/public_api/view_certificate?course_progress_id=901&view_key=sample_view_key",
    "computed_deadline_date": "2026-05-15T23:59:59.000-04:00",
    "custom_properties": [],
    "next_reenrollment_date": None,
    "formatted_commencement_date": "01-May 2026",
    "formatted_enrollment_date": "01-May 2026",
    "formatted_completion_date": "",
    "formatted_expiration_date": "",
    "formatted_access_date": "",
    "formatted_deadline_date": "15-May 2026",
    "formatted_real_end_date": "15-May 2026",
    "formatted_real_start_date": "",
    "formatted_computed_deadline_date": "15-May 2026",
    "formatted_next_reenrollment_date": "",
    "user": USER,
    "course": [{k: v for k, v in COURSE.items() if k != "course_items"}],
}
"""get_course_progresses' items, get_course_progress and create_course_progress."""

ITEM_PROGRESS: dict[str, Any] = {
    "course_progress_id": 901,
    "user_id": 101,
    "course_item_type": "Article",
    "status": "passed",
    "courseable_id": 311,
    "completed_at": "2026-05-04T12:00:00.000-04:00",
    "completed_at_int": 1777900800,
}
"""get_course_item_progress."""

USER_COURSE_STATUS: dict[str, Any] = {"status": "in-progress"}
