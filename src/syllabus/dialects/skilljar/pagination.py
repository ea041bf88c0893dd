"""List pages as Skilljar clients read them: ``{"next", "previous", "results"}`` (+ ``count``).

Cursor pagination by default for lists whose official document says so (``/v1/users``), page
numbers elsewhere; either way ``?page=N`` asks for page numbers (with ``count``) and
``?cursor=`` for cursors. ``next``/``previous`` are absolute URLs built from the request's own
scheme and host, keeping its other parameters. ``page_size`` is honoured up to 10,000.
The cursor is opaque (the keyset position, encoded like an id): following ``next`` visits
every row exactly once even while rows are added.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from syllabus.dialects.skilljar.errors import FieldErrors, field_error
from syllabus.dialects.skilljar.ids import IdCodec
from syllabus.queries.pages import Window

if TYPE_CHECKING:
    from syllabus.dialects.skilljar.query_params import Paging

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 10_000
CURSOR_KIND = "cursor"


@dataclass(frozen=True)
class PageRequest:
    numbered: bool
    size: int
    page: int = 1
    after: int | None = None
    before: int | None = None

    def window(self) -> Window:
        """The rows to fetch: one more than a page, to know whether there is a next."""
        if self.numbered:
            return Window(limit=self.size + 1, offset=(self.page - 1) * self.size)
        return Window(limit=self.size + 1, after=self.after, before=self.before)


def page_request(paging: Paging, ids: IdCodec, *, cursor_default: bool) -> PageRequest:
    """The page a list route was asked for (its ``Paging`` parameters, read in DRF's order)."""
    size = min(paging.page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    cursor = paging.cursor
    page = paging.page
    if cursor:
        direction, token = cursor[:1], cursor[1:]
        position = ids.decode(CURSOR_KIND, token)
        if direction not in {"n", "p"} or position is None:
            raise field_error("cursor", "Invalid cursor")
        # ``position`` is one more than the key, so that key 0 ("from the start") encodes.
        if direction == "n":
            return PageRequest(numbered=False, size=size, after=position - 1)
        return PageRequest(numbered=False, size=size, before=position - 1)
    if page is not None or not cursor_default:
        return PageRequest(numbered=True, size=size, page=page or 1)
    return PageRequest(numbered=False, size=size)


def _cursor_url(request: Request, ids: IdCodec, direction: str, key: int) -> str:
    token = direction + ids.encode(CURSOR_KIND, key + 1)
    return str(request.url.remove_query_params("page").include_query_params(cursor=token))


def _page_url(request: Request, page: int) -> str:
    url = request.url.remove_query_params("cursor")
    if page == 1:
        return str(url.remove_query_params("page"))
    return str(url.include_query_params(page=page))


def envelope(
    request: Request,
    ids: IdCodec,
    pr: PageRequest,
    rows: Sequence[Any],
    render: Callable[[Any], dict[str, Any]],
    *,
    key: Callable[[Any], int] = lambda row: int(row.id),
    count: Callable[[], int] | None = None,
) -> dict[str, Any]:
    """The page body from the window's rows (``size + 1`` of them when there is more)."""
    more = len(rows) > pr.size
    if pr.numbered:
        page_rows = rows[: pr.size]
        total = count() if count is not None else None
        if pr.page > 1 and not page_rows:
            raise FieldErrors({"detail": "Invalid page."}, status=404)
        body: dict[str, Any] = {
            "count": total,
            "next": _page_url(request, pr.page + 1) if more else None,
            "previous": _page_url(request, pr.page - 1) if pr.page > 1 else None,
            "results": [render(row) for row in page_rows],
        }
        return body
    if pr.before is not None:
        # Fetched newest-first and reversed: the extra row, if any, is the first one.
        page_rows = rows[1:] if more else rows
        previous = _cursor_url(request, ids, "p", key(page_rows[0])) if more else None
        next_key = key(page_rows[-1]) if page_rows else max(pr.before - 1, 0)
        next_url: str | None = _cursor_url(request, ids, "n", next_key)
    else:
        page_rows = rows[: pr.size]
        next_url = _cursor_url(request, ids, "n", key(page_rows[-1])) if more else None
        previous = None
        if pr.after:
            first = key(page_rows[0]) if page_rows else pr.after + 1
            previous = _cursor_url(request, ids, "p", first)
    return {
        "next": next_url,
        "previous": previous,
        "results": [render(row) for row in page_rows],
    }
