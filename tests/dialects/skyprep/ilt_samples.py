"""Instructor-led training sample responses from the SkyPrep spec (skyprep-admin-api.txt).

Tests compare keys (in order) and JSON types with these; the values are illustrations.
"""

from __future__ import annotations

from typing import Any

TIMESLOT: dict[str, Any] = {
    "id": 511,
    "name": "Onboarding Workshop",
    "description": "Bring a laptop.",
    "location": "Training Room A",
    "capacity": 25,
    "display_timezone": "Eastern Time (US & Canada)",
    "primary_instructor_user_id": None,
    "commencement_time": "2026-05-10T09:00:00.000-04:00",
    "instructor": "Pat Instructor",
    "end_time": "2026-05-10T11:00:00.000-04:00",
    "registration_count": 8,
    "session_type": "in-person",
}

TRAINING: dict[str, Any] = {
    "id": 501,
    "model_type": "instructor_led_training",
    "instructor_led_training_timeslots": TIMESLOT,
    "name": "Onboarding Workshop",
    "created_at": "2026-04-25T10:00:00.000-04:00",
    "updated_at": "2026-04-25T10:00:00.000-04:00",
    "created_at_int": 1777111200,
    "updated_at_int": 1777111200,
    "metadata": [],
    "description": "Live onboarding session for new hires.",
    "session_type": "in-person",
}

REGISTRATION: dict[str, Any] = {
    "id": 521,
    "created_at": "2026-05-01T09:00:00.000-04:00",
    "updated_at": "2026-05-01T09:00:00.000-04:00",
    "instructor_led_training_timeslot_id": 511,
    "user_id": 101,
    "course_progress_id": 901,
    "status": "pending",
}
