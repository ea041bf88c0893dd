"""get_login_key and get_course_otp: secrets handed to learners, shown once."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session

from syllabus.core.errors import Invalid
from syllabus.core.fields import is_set
from syllabus.dialects.skyprep.actions import Call, action
from syllabus.dialects.skyprep.params import Params
from syllabus.services.course_otps import issue_course_otps
from syllabus.services.login_keys import LoginKeyRequest, issue_login_key_for

LOGIN_PATH = "/account/automated_login"


def _text(p: Params, name: str) -> str | None:
    value = p.text(name)
    return value if is_set(value) else None


def _flag(p: Params, name: str) -> bool:
    value = p.boolean(name)
    return value if is_set(value) else False


@action("get_login_key")
def get_login_key(session: Session, call: Call) -> dict[str, Any]:
    """A sign-in URL for the user named by ``user_id`` or ``user_email``."""
    p = Params(call.params)
    user_id = p.id("user_id")
    email = p.lookup("user_email")
    if not is_set(user_id) and not is_set(email):
        raise Invalid("user_id", "user_id or user_email is required")
    key_type = p.text("key_type")
    groups = p.strings("user_groups", separator=";")
    request = LoginKeyRequest(
        user_id=user_id if is_set(user_id) else None,
        user_email=email if is_set(email) else None,
        key_type=(key_type or "daily").strip().lower() if is_set(key_type) else "daily",
        autocreate=_flag(p, "autocreate"),
        first_name=_text(p, "first_name"),
        last_name=_text(p, "last_name"),
        group_names=groups if is_set(groups) else (),
        autocreate_groups=_flag(p, "autocreate_user_groups"),
    )
    issued = issue_login_key_for(session, call.ctx, request=request)
    return {
        "user_id": issued.user_id,
        "status": "success",
        "login_key": issued.secret,
        "email": issued.email,
        "url": f"{call.origin}{LOGIN_PATH}?login_key={quote(issued.secret, safe='')}",
    }


@action("get_course_otp")
def get_course_otp(session: Session, call: Call) -> dict[str, Any]:
    """``count`` (default 1) one-time enrollment keys for ``course_id``."""
    p = Params(call.params)
    course_id = p.required_id("course_id")
    count = p.id("count")
    user_id = p.id("user_id")
    keys = issue_course_otps(
        session,
        call.ctx,
        course_id=course_id,
        count=count if is_set(count) else 1,
        user_id=user_id if is_set(user_id) else None,
    )
    return {"otps": keys}
