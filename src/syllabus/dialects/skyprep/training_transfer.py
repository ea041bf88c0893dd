"""move_training_data: one user's training records given to another user of the program."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from syllabus.core.fields import is_set
from syllabus.dialects.skyprep.actions import Call, action
from syllabus.dialects.skyprep.params import Params
from syllabus.services.training_transfer import Skipped, move_training_data

SUBJECT_NAMES = {
    "group_id": "user_group_id",
    "path_id": "learning_path_id",
    "timeslot_id": "instructor_led_training_timeslot_id",
}
"""Our column names as SkyPrep names what they point to."""


def skipped_json(skipped: Skipped) -> dict[str, Any]:
    out: dict[str, Any] = {"data_type": skipped.kind, "id": skipped.record_id}
    if skipped.subject is not None:
        name, value = skipped.subject
        out[SUBJECT_NAMES.get(name, name)] = value
    out["reason"] = skipped.reason
    return out


@action("move_training_data")
def move_training_data_action(session: Session, call: Call) -> dict[str, Any]:
    """Moves every kind of ``inclusion_list`` (default: all kinds this server keeps)."""
    p = Params(call.params)
    source = p.required_id("source_user_id")
    target = p.required_id("target_user_id")
    kinds = p.strings("inclusion_list")
    result = move_training_data(
        session,
        call.ctx,
        source_user_id=source,
        target_user_id=target,
        inclusion_list=kinds if is_set(kinds) else None,
    )
    return {
        "status": "success",
        "source_user_id": result.source_user_id,
        "target_user_id": result.target_user_id,
        "moved": result.moved,
        "skipped": [skipped_json(s) for s in result.skipped],
    }
