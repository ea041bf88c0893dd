"""SkyPrep course samples copied from the admin API spec (skyprep-admin-api.txt).

get_course's sample response, split into the course and its two items (an Article and an Exam).
get_courses, get_user_courses, create_course and update_course show the same shape. Tests
compare our answers key by key: the same keys, in the same order, with the same JSON types.
Values are the spec's illustrations, not expectations.
"""

from __future__ import annotations

from typing import Any

COURSE: dict[str, Any] = {
    "created_at": "2026-04-20T12:00:00.000-04:00",
    "updated_at": "2026-05-01T13:30:00.000-04:00",
    "name": "New Hire Orientation",
    "description": "Overview of company policies and onboarding tasks.",
    "certificate": True,
    "active": True,
    "credits": "1.0",
    "accessible_after_date": None,
    "accessible_after_date_int": 0,
    "start_date": None,
    "start_date_int": 0,
    "opening_date": None,
    "opening_date_int": 0,
    "end_date": None,
    "end_date_int": 0,
    "closing_date": None,
    "closing_date_int": 0,
    "inaccessible_after_date": None,
    "inaccessible_after_date_int": 0,
    "force_order": False,
    "validity_length": None,
    "picture_url": "",
    "sell": False,
    "contact_email": "[email protected]",
    "course_id": 201,
    "id": 201,
    "category": "Onboarding",
    "course_code": "ONB-101",
    "type_of_training": "Online",
    "estimated_course_length_in_minutes": 60,
    "tags": ["onboarding", "required"],
    "ca_0": None,
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
    "course_items": [],
}
"""``course_items`` (the last key) shown empty, as create_course's sample has it; get_course's
items are ARTICLE_ITEM and EXAM_ITEM."""

ARTICLE_ITEM: dict[str, Any] = {
    "id": 211,
    "course_item_id": 211,
    "item_type": "Article",
    "name": "Welcome Guide",
    "position": 1,
    "start_date": None,
    "start_date_int": 0,
    "mandatory": True,
    "description": "Read before beginning the course.",
    "updated_at": "2026-05-01T13:30:00.000-04:00",
    "updated_at_int": 1777632600,
    "created_at": "2026-04-20T12:10:00.000-04:00",
    "created_at_int": 1776697800,
    "article_id": 311,
}

EXAM_ITEM: dict[str, Any] = {
    "id": 212,
    "course_item_id": 212,
    "item_type": "Exam",
    "name": "Orientation Quiz",
    "position": 2,
    "start_date": None,
    "start_date_int": 0,
    "mandatory": True,
    "description": "Read before beginning the course.",
    "updated_at": "2026-05-01T13:30:00.000-04:00",
    "updated_at_int": 1777632600,
    "created_at": "2026-04-20T12:10:00.000-04:00",
    "created_at_int": 1776697800,
    "article_id": 311,
    "exam_id": 312,
}

SUCCESS: dict[str, Any] = {"message": "success"}
