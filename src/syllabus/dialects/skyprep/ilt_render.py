"""How SkyPrep shows instructor-led training records: exactly the samples' keys, in order.

Timeslot times are shown in the timeslot's display time zone (as the samples do), other times
in the program's. A training carries one timeslot under ``instructor_led_training_timeslots``
(the samples show an object, not a list): the next one to end, else the latest.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from syllabus.dialects.skyprep.render import Program
from syllabus.dialects.skyprep.time_zones import rails_zone_name
from syllabus.queries.ilt import TrainingDetail

TIMESLOT_ID = "instructor_led_training_timeslot_id"


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _value(member: Any) -> str:
    return str(getattr(member, "value", member))


def timeslot_json(row: Any) -> dict[str, Any]:
    zone = _zone(row.display_timezone)
    start, end = row.commencement_time, row.end_time
    return {
        "id": row.id,
        "name": row.name,
        "description": row.description,
        "location": row.location,
        "capacity": row.capacity,
        "display_timezone": rails_zone_name(row.display_timezone),
        "primary_instructor_user_id": row.primary_instructor_user_id,
        "commencement_time": None if start is None else start.astimezone(zone),
        "instructor": row.instructor,
        "end_time": None if end is None else end.astimezone(zone),
        "registration_count": row.registration_count,
        "session_type": _value(row.session_type),
    }


def training_json(detail: TrainingDetail, program: Program) -> dict[str, Any]:
    t = detail.training
    return {
        "id": t.id,
        "model_type": "instructor_led_training",
        "instructor_led_training_timeslots": (
            None if detail.timeslot is None else timeslot_json(detail.timeslot)
        ),
        "name": t.name,
        "created_at": program.local(t.created_at),
        "updated_at": program.local(t.updated_at),
        "created_at_int": int(t.created_at.timestamp()),
        "updated_at_int": int(t.updated_at.timestamp()),
        "metadata": t.extra_metadata,
        "description": t.description,
        "session_type": _value(t.session_type),
    }


def registration_json(row: Any, program: Program) -> dict[str, Any]:
    return {
        "id": row.id,
        "created_at": program.local(row.created_at),
        "updated_at": program.local(row.updated_at),
        TIMESLOT_ID: row.timeslot_id,
        "user_id": row.user_id,
        "course_progress_id": row.course_progress_id,
        "status": _value(row.status),
    }
