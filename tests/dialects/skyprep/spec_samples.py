"""Sample responses copied from the SkyPrep admin API spec (skyprep-admin-api.txt).

Tests compare our answers with these key by key: the same keys, in the same order, with the same
JSON types. Values are the spec's illustrations, not expectations.
"""

from __future__ import annotations

from typing import Any

USER: dict[str, Any] = {
    "name_with_username": "Avery Learner - [email protected]",
    "display_name": "Avery Learner",
    "last_course_id": 201,
    "language": "en",
    "time_zone": "Eastern Time (US & Canada)",
    "model_type": "user",
    "created_at": "2026-05-01T09:00:00.000-04:00",
    "updated_at": "2026-05-02T10:15:00.000-04:00",
    "picture_url": "",
    "username": "[email protected]",
    "email": "[email protected]",
    "id": 101,
    "first_name": "Avery",
    "last_name": "Learner",
    "email_notifications": True,
    "sms_notifications": False,
    "manager": False,
    "admin": False,
    "role": "learner",
    "login_status": "active",
    "user_id": 101,
    "name": "Avery Learner",
    "webcal_secure_link": "webcals://example.skyprepapp.com/public_api/calendar/?user_id=101&calendar_key=sample_calendar_key",
    "webcal_link": "webcal://example.skyprepapp.com/public_api/calendar/?user_id=101&calendar_key=sample_calendar_key",
    "gravatar_url": "https://www.gravatar.com/avatar/00000000000000000000000000000000",
    "view_key": "sample_view_key",
    "last_login": "2026-05-03T14:20:00.000-04:00",
    "global_content_manager": False,
    "full_permissions_for_courses_i_created": False,
    "custom_dashboard_id": None,
    "access_end_date": None,
    "access_start_date": None,
    "initials": "AL",
    "title": "Customer Success Associate",
    "company": "Example Co.",
    "address": None,
    "address_2": None,
    "country": "US",
    "state": "NY",
    "city": "New York",
    "zip": "10001",
    "cell": None,
    "phone": None,
    "work_phone": None,
    "ssn": None,
    "date_of_birth": None,
    "user_identifier": "EMP-101",
    "ca_0": "North America",
    "ca_1": None,
    "ca_2": None,
    "ca_3": None,
    "ca_4": None,
    "ca_5": None,
    "ca_6": None,
    "ca_7": None,
    "ca_8": None,
    "ca_9": None,
    "ca_10": None,
    "gender": None,
    "notification_email": "[email protected]",
}
"""get_user's sample response; get_users, create_user and update_user show the same shape."""

UPDATE_USER_KEYS = ("message", "user")
DESTROY_USER: dict[str, Any] = {"message": "success"}
