"""get_program and get_data: the caller's program and its record counts."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from syllabus.core.errors import Invalid
from syllabus.core.fields import is_set
from syllabus.dialects.skyprep.actions import Call, action
from syllabus.dialects.skyprep.params import Params
from syllabus.dialects.skyprep.render import Named, load_program
from syllabus.queries import program as program_queries

DATA_TYPES = {
    "user_count": "users_count",
    "admin_count": "admin_count",
    "learner_count": "learner_count",
    "course_count": "courses_count",
    "user_group_count": "user_groups_count",
}
"""get_data's data types (the spec's list) and the count each one reads."""


@action("get_program", read_only=True)
def get_program(session: Session, call: Call) -> Named:
    row = program_queries.get_program(session, call.ctx)
    program = load_program(call.acct_key, call.time_zone)
    return Named(
        "program",
        {
            "created_at": program.local(row.created_at),
            "updated_at": program.local(row.updated_at),
            "name": row.name,
            "acct_key": row.acct_key,
            "users_count": row.users_count,
            "courses_count": row.courses_count,
            "user_groups_count": row.user_groups_count,
            "admin_count": row.admin_count,
            "learning_paths_count": row.learning_paths_count,
        },
    )


@action("get_data", read_only=True)
def get_data(session: Session, call: Call) -> dict[str, Any]:
    value = Params(call.params).text("data_type")
    allowed = ", ".join(DATA_TYPES)
    if not is_set(value) or value is None or not value.strip():
        raise Invalid("data_type", f"data_type is required: one of {allowed}")
    name = DATA_TYPES.get(value.strip().lower())
    if name is None:
        raise Invalid("data_type", f"data_type must be one of {allowed}; got {value!r}")
    return {"data": program_queries.get_count(session, call.ctx, name)}
