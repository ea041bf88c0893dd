"""SkyPrep reports over HTTP: get_report (CSV and XLSX for every type), generate_async_report
with get_async_report and the signed download, and the saved advanced reports."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.delivery.worker import Worker, wait_idle
from syllabus.services.enrollments import enroll_users_in_courses
from syllabus.services.groups import add_courses_to_group, add_users_to_group
from syllabus.services.item_progress import course_progress_for, set_item_progress
from syllabus.services.saved_reports import create_saved_report
from tests.dialects.skyprep.test_courses import arrange
from tests.dialects.skyprep.test_users import (
    NEW_YORK,
    api,
    fails,
    make_zoned_program,
    ok,
    parse_xml,
)
from tests.factories import make_course, make_group, make_item, make_user
from tests.http_client import Program, make_program

SAVED_KEYS = [
    "created_at",
    "created_at_int",
    "updated_at",
    "updated_at_int",
    "id",
    "saved_advanced_report_id",
    "model_type",
    "xlsx_url",
    "csv_url",
    "report_params_digest",
    "saved_report_type",
    "name",
]


@dataclass(frozen=True)
class World:
    ann: int
    bob: int
    cat: int
    orientation: int
    safety: int
    article: int
    exam_item: int
    group: int


EXAM_ID = 312


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_zoned_program(client, "example.skyprepapp.com", NEW_YORK.key)


@pytest.fixture
def other(client: TestClient) -> Program:
    return make_program(client, "other.skyprepapp.com")


@pytest.fixture
def world(client: TestClient, program: Program) -> World:
    """Ann passed New Hire Orientation (exam 90) and has Safety; Bob is midway; Cat has none."""

    def build(session: Session, ctx: Context) -> World:
        ann = make_user(session, ctx, email="ann@example.com", first_name="Ann")
        bob = make_user(session, ctx, email="bob@example.com", first_name="Bob")
        cat = make_user(session, ctx, email="cat@example.com", first_name="Cat")
        orientation = make_course(session, ctx, "New Hire Orientation")
        safety = make_course(session, ctx, "Workplace Safety Basics")
        article = make_item(session, ctx, orientation, "Welcome Guide")
        exam = make_item(
            session, ctx, orientation, "Orientation Quiz", item_type="Exam", content_id=EXAM_ID
        )
        group = make_group(session, ctx, "Sales")
        enroll_users_in_courses(
            session, ctx, user_ids=[ann.id, bob.id], course_ids=[orientation.id]
        )
        enroll_users_in_courses(session, ctx, user_ids=[ann.id], course_ids=[safety.id])
        add_users_to_group(session, ctx, group_id=group.id, user_ids=[ann.id, bob.id])
        add_courses_to_group(session, ctx, group_id=group.id, course_ids=[orientation.id])
        ann_progress = course_progress_for(session, ctx, user_id=ann.id, course_id=orientation.id)
        set_item_progress(
            session, ctx, progress_id=ann_progress.id, item_id=article.id, status="passed"
        )
        set_item_progress(
            session, ctx, progress_id=ann_progress.id, item_id=exam.id, status="passed", score=90
        )
        bob_progress = course_progress_for(session, ctx, user_id=bob.id, course_id=orientation.id)
        set_item_progress(
            session, ctx, progress_id=bob_progress.id, item_id=article.id, status="in-progress"
        )
        return World(
            ann.id, bob.id, cat.id, orientation.id, safety.id, article.id, exam.id, group.id
        )

    return arrange(client, program, build)


def csv_rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def xlsx_rows(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    header = [str(h) for h in values[0]]
    return [dict(zip(header, row, strict=True)) for row in values[1:]]


def report(client: TestClient, program: Program, report_type: str, **params: Any) -> Any:
    return api(client, program, "get_report", report_type=report_type, **params)


def pick(rows: list[dict[str, str]], *keys: str) -> list[tuple[str, ...]]:
    return [tuple(r[k] for k in keys) for r in rows]


def test_all_users_counts_each_users_courses_by_status(
    client: TestClient, program: Program, world: World
) -> None:
    response = report(client, program, "all_users")
    assert response.headers["content-disposition"] == 'attachment; filename="all_users.csv"'
    rows = csv_rows(response)
    assert pick(
        rows, "user_id", "user_email", "courses_total", "courses_passed", "courses_in_progress"
    ) == [
        (str(world.ann), "ann@example.com", "2", "1", "0"),
        (str(world.bob), "bob@example.com", "1", "0", "1"),
        (str(world.cat), "cat@example.com", "0", "0", "0"),
    ]
    assert rows[0]["courses_not_started"] == "1"
    assert rows[0]["active"] == "true"


def test_all_courses_counts_progress(client: TestClient, program: Program, world: World) -> None:
    rows = csv_rows(report(client, program, "all_courses"))
    assert pick(rows, "course_id", "course_name", "enrolled", "passed", "in_progress") == [
        (str(world.orientation), "New Hire Orientation", "2", "1", "1"),
        (str(world.safety), "Workplace Safety Basics", "1", "0", "0"),
    ]


def test_single_user_has_the_samples_columns_first(
    client: TestClient, program: Program, world: World
) -> None:
    response = report(client, program, "single_user", user_id=world.ann)
    assert response.text.splitlines()[0].startswith(
        "user_id,user_email,course_id,course_name,status"
    )
    rows = csv_rows(response)
    assert pick(rows, "user_id", "course_name", "status") == [
        (str(world.ann), "New Hire Orientation", "passed"),
        (str(world.ann), "Workplace Safety Basics", "not-started"),
    ]
    completed = rows[0]["completed_at"]
    assert completed.endswith(("-04:00", "-05:00"))  # the program's zone (New York)


def test_single_course(client: TestClient, program: Program, world: World) -> None:
    rows = csv_rows(report(client, program, "single_course", course_id=world.orientation))
    assert pick(rows, "user_email", "status") == [
        ("ann@example.com", "passed"),
        ("bob@example.com", "in-progress"),
    ]


@pytest.mark.parametrize("name", ["single_user_single_course", "single_course_single_user"])
def test_single_user_single_course_lists_each_item(
    client: TestClient, program: Program, world: World, name: str
) -> None:
    rows = csv_rows(report(client, program, name, user_id=world.bob, course_id=world.orientation))
    assert pick(rows, "course_item_name", "item_type", "status", "item_status") == [
        ("Welcome Guide", "Article", "in-progress", "in-progress"),
        ("Orientation Quiz", "Exam", "in-progress", ""),
    ]


def test_single_user_single_group(client: TestClient, program: Program, world: World) -> None:
    rows = csv_rows(
        report(client, program, "single_user_single_group", user_id=world.ann, group_id=world.group)
    )
    assert pick(rows, "course_name", "status", "group_name") == [
        ("New Hire Orientation", "passed", "Sales")
    ]


def test_single_group_all_users(client: TestClient, program: Program, world: World) -> None:
    rows = csv_rows(report(client, program, "single_group_all_users", group_id=world.group))
    assert pick(rows, "user_email", "courses_total") == [
        ("ann@example.com", "2"),
        ("bob@example.com", "1"),
    ]


def test_single_group_all_courses(client: TestClient, program: Program, world: World) -> None:
    rows = csv_rows(report(client, program, "single_group_all_courses", group_id=world.group))
    assert pick(rows, "user_email", "course_name", "status") == [
        ("ann@example.com", "New Hire Orientation", "passed"),
        ("bob@example.com", "New Hire Orientation", "in-progress"),
    ]


def test_single_exam(client: TestClient, program: Program, world: World) -> None:
    rows = csv_rows(report(client, program, "single_exam", exam_id=EXAM_ID))
    assert pick(rows, "user_email", "exam_id", "exam_name", "status", "score") == [
        ("ann@example.com", str(EXAM_ID), "Orientation Quiz", "passed", "90")
    ]
    narrowed = report(client, program, "single_exam", exam_id=EXAM_ID, course_id=world.orientation)
    assert csv_rows(narrowed) == rows
    fails(
        report(client, program, "single_exam", exam_id=EXAM_ID, course_id=world.safety),
        404,
        "exam_id",
    )


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("all_users", {}),
        ("single_user", {"user_id": "ann"}),
        ("single_user_single_course", {"user_id": "bob", "course_id": "orientation"}),
        ("single_exam", {"exam_id": EXAM_ID}),
    ],
)
def test_xlsx_holds_the_same_rows_as_csv(
    client: TestClient, program: Program, world: World, name: str, params: dict[str, Any]
) -> None:
    resolved = {k: getattr(world, v) if isinstance(v, str) else v for k, v in params.items()}
    as_csv = csv_rows(report(client, program, name, **resolved))
    response = report(client, program, name, format="xlsx", **resolved)
    assert response.headers["content-disposition"] == f'attachment; filename="{name}.xlsx"'
    as_xlsx = xlsx_rows(response)
    assert len(as_xlsx) == len(as_csv)
    for text_row, cell_row in zip(as_csv, as_xlsx, strict=True):
        for key, text in text_row.items():
            cell = cell_row[key]
            if key.endswith("_at") and text:
                assert cell is not None
                assert cell.isoformat() == text[:19]
            elif isinstance(cell, bool):
                assert text == str(cell).lower()
            else:
                assert ("" if cell is None else str(cell)) == text


@pytest.mark.parametrize(
    ("name", "params", "missing"),
    [
        ("single_user", {}, "user_id"),
        ("single_course", {}, "course_id"),
        ("single_user_single_course", {"user_id": 1}, "course_id"),
        ("single_user_single_group", {"group_id": 1}, "user_id"),
        ("single_group_all_users", {}, "group_id"),
        ("single_group_all_courses", {}, "group_id"),
        ("single_exam", {}, "exam_id"),
    ],
)
def test_a_missing_id_is_a_400_naming_it(
    client: TestClient, program: Program, name: str, params: dict[str, Any], missing: str
) -> None:
    fails(report(client, program, name, **params), 400, missing)


def test_bad_input_is_a_400_naming_the_field(client: TestClient, program: Program) -> None:
    fails(api(client, program, "get_report"), 400, "report_type")
    fails(report(client, program, "everything"), 400, "report_type")
    fails(report(client, program, "all_users", format="pdf"), 400, "format")
    as_xml = report(client, program, "all_users", format="xml")  # its error follows the format
    assert (as_xml.status_code, parse_xml(as_xml.content).findtext("field")) == (400, "format")
    fails(report(client, program, "single_user", user_id="abc"), 400, "user_id")


def test_another_programs_ids_are_404(
    client: TestClient, program: Program, other: Program, world: World
) -> None:
    fails(report(client, other, "single_user", user_id=world.ann), 404, "user_id")
    fails(report(client, other, "single_course", course_id=world.orientation), 404, "course_id")
    fails(report(client, other, "single_group_all_users", group_id=world.group), 404, "group_id")
    fails(report(client, other, "single_exam", exam_id=EXAM_ID), 404, "exam_id")
    assert csv_rows(report(client, other, "all_users")) == []


def test_get_report_over_get_with_key_headers(
    client: TestClient, program: Program, world: World
) -> None:
    response = client.get(
        "/admin/api/get_report",
        params={"report_type": "all_courses"},
        headers={"X-SkyPrep-API-Key": program.api_key, "X-SkyPrep-Acct-Key": program.acct_key},
    )
    assert len(csv_rows(response)) == 2


# --- Asynchronous reports -----------------------------------------------------------------------


def poll(client: TestClient, program: Program, status_url: str) -> dict[str, Any]:
    path = status_url.removeprefix("http://testserver")
    response = client.get(
        path,
        headers={"X-SkyPrep-API-Key": program.api_key, "X-SkyPrep-Acct-Key": program.acct_key},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_async_report_is_written_by_the_worker_and_downloaded_by_its_link(
    client: TestClient, program: Program, world: World, tmp_path: Path, fmt: str
) -> None:
    answer = ok(api(client, program, "generate_async_report", report_type="all_users", format=fmt))
    assert list(answer) == ["status_url"]
    status_url = answer["status_url"]
    assert "/admin/api/get_async_report?process_queue_item_id=" in status_url
    assert program.api_key not in status_url
    first = poll(client, program, status_url)
    assert first["status"] == "queued"
    assert "download_url" not in first

    wait_idle(Worker(client.app.state.session_factory))  # type: ignore[attr-defined]

    done = poll(client, program, status_url)
    assert done["status"] == "done"
    link = done["download_url"].removeprefix("http://testserver")
    assert program.api_key not in link
    download = client.get(link)  # no key: the signature is the credential
    direct = report(client, program, "all_users", format=fmt)
    if fmt == "csv":
        assert csv_rows(download) == csv_rows(direct)
    else:
        assert xlsx_rows(download) == xlsx_rows(direct)
    assert not list((tmp_path / "reports").rglob(".part-*"))  # written atomically

    forged = link.replace("signature=", "signature=0")
    assert client.get(forged).status_code == 403


def test_async_report_checks_its_input_and_hides_other_programs_runs(
    client: TestClient, program: Program, other: Program, world: World
) -> None:
    fails(api(client, program, "generate_async_report", report_type="single_user"), 400, "user_id")
    fails(
        api(
            client,
            program,
            "generate_async_report",
            report_type="single_user",
            user_id=world.ann + 1000,
        ),
        404,
        "user_id",
    )
    answer = ok(api(client, program, "generate_async_report", report_type="all_courses"))
    run_id = answer["status_url"].rsplit("=", 1)[1]
    fails(
        api(client, other, "get_async_report", process_queue_item_id=run_id),
        404,
        "process_queue_item_id",
    )
    fails(api(client, program, "get_async_report"), 400, "process_queue_item_id")


# --- Saved advanced reports ---------------------------------------------------------------------


def save(client: TestClient, program: Program, **kwargs: Any) -> int:
    def build(session: Session, ctx: Context) -> int:
        return create_saved_report(session, ctx, **kwargs).id

    return arrange(client, program, build)


def test_saved_reports_list_and_run_as_the_sample_shows(
    client: TestClient, program: Program, other: Program, world: World
) -> None:
    first = save(
        client,
        program,
        name="All Course Progresses Report",
        columns=["user_id", "user_email", "course_name", "status"],
    )
    save(
        client,
        program,
        name="Passed Orientation",
        columns=["user_email", "completed_at"],
        filters={"course_id": world.orientation, "status": "passed"},
    )
    listed = ok(api(client, program, "get_saved_advanced_reports"))
    assert [list(r) for r in listed] == [SAVED_KEYS, SAVED_KEYS]
    assert [r["name"] for r in listed] == ["All Course Progresses Report", "Passed Orientation"]
    assert listed[0]["model_type"] == "saved_advanced_report"
    assert ok(api(client, other, "get_saved_advanced_reports")) == []

    one = ok(api(client, program, "get_saved_advanced_report", saved_advanced_report_id=first))
    assert list(one) == [*SAVED_KEYS, "columns", "rows"]
    assert one["columns"] == ["User ID", "Email", "Course", "Status"]
    assert one["rows"] == [
        [world.ann, "ann@example.com", "New Hire Orientation", "passed"],
        [world.bob, "bob@example.com", "New Hire Orientation", "in-progress"],
        [world.ann, "ann@example.com", "Workplace Safety Basics", "not-started"],
    ]
    as_csv = api(
        client, program, "get_saved_advanced_report", saved_advanced_report_id=first, format="csv"
    )
    assert as_csv.text.splitlines()[0] == "User ID,Email,Course,Status"
    assert [list(r.values()) for r in csv_rows(as_csv)] == [
        [str(v) for v in row] for row in one["rows"]
    ]
    filtered = ok(
        api(client, program, "get_saved_advanced_report", saved_advanced_report_id=first + 1)
    )
    assert [r[0] for r in filtered["rows"]] == ["ann@example.com"]
    assert filtered["columns"] == ["Email", "Completed At"]

    fails(api(client, program, "get_saved_advanced_report"), 400, "saved_advanced_report_id")
    fails(
        api(client, other, "get_saved_advanced_report", saved_advanced_report_id=first),
        404,
        "saved_advanced_report_id",
    )


def test_saving_checks_columns_and_filters(
    client: TestClient, program: Program, other: Program, world: World
) -> None:
    from syllabus.core.errors import Invalid, NotFound

    with pytest.raises(Invalid) as bad:
        save(client, program, name="x", columns=["nope"])
    assert bad.value.field == "columns"
    with pytest.raises(Invalid) as bad:
        save(client, program, name="x", columns=["status"], filters={"status": "done"})
    assert bad.value.field == "status"
    with pytest.raises(NotFound) as missing:
        save(client, other, name="x", columns=["status"], filters={"user_id": world.ann})
    assert missing.value.field == "user_id"


FORMULAS = ['=HYPERLINK("https://evil.example","pay")', "+1+1", "-2+3", "@SUM(A1)"]


def test_names_that_look_like_formulas_are_plain_text_in_every_csv(
    client: TestClient, program: Program
) -> None:
    fmt = "csv"

    def build(session: Session, ctx: Context) -> None:
        for n, name in enumerate([*FORMULAS, "Plain - name"]):
            make_user(session, ctx, email=f"f{n}@example.com", first_name=name)

    arrange(client, program, build)
    wanted = [*("'" + f for f in FORMULAS), "Plain - name"]  # names are stripped: no tab, CR

    direct = csv_rows(report(client, program, "all_users", format=fmt))
    assert [r["first_name"] for r in direct] == wanted

    answer = ok(api(client, program, "generate_async_report", report_type="all_users", format=fmt))
    wait_idle(Worker(client.app.state.session_factory))  # type: ignore[attr-defined]
    done = poll(client, program, answer["status_url"])
    written = csv_rows(client.get(done["download_url"].removeprefix("http://testserver")))
    assert [r["first_name"] for r in written] == wanted


@pytest.mark.parametrize("action", ["get_report", "generate_async_report"])
def test_report_errors_follow_the_requested_format(
    client: TestClient, program: Program, action: str
) -> None:
    refused = api(client, program, action, report_type="all_users", format="xml")
    assert refused.status_code == 400
    assert refused.headers["content-type"].startswith("application/xml")
    root = parse_xml(refused.content)
    assert root.findtext("field") == "format"
    assert root.findtext("message")

    unknown = api(client, program, action, report_type="nope", format="xml")
    assert unknown.status_code == 400
    assert parse_xml(unknown.content).findtext("field") in {"report_type", "format"}

    # Without format=xml errors stay JSON, and csv/xlsx still pass to the action.
    fails(api(client, program, action, report_type="nope", format="csv"), 400, "report_type")
    fails(api(client, program, action, report_type="nope"), 400, "report_type")
