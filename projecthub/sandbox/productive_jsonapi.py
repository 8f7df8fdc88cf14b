"""Productive's JSON:API envelope as recorded in real traffic (tests/vendor_fixtures/productive).

Documents carry ``meta.settings`` (organization flags) on every success body; lists add
``links`` with percent-encoded brackets, keys sorted as Rails writes them, ``prev`` only after
page 1, and ``meta`` paging numbers. Errors are ``errors[]`` with *string* statuses, except the
documented ``Unsupported Filter`` 400, whose status is a number.
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import Response

CONTENT_TYPE = "application/vnd.api+json; charset=utf-8"
DEFAULT_PAGE_SIZE = 30
MAX_PAGE_SIZE = 200
RECORD_NOT_FOUND = {"status": "404", "code": "record_not_found", "title": "Record Not Found",
                    "detail": "The requested record was not found", "meta": {}, "source": {}}
SETTINGS = {
    "systemFlags": {"setting_type": "systemFlags", "updated_at": "2025-09-15T14:27:54.393+02:00",
                    "value": json.dumps(["budgetOriginDealId", "projectNavigationRedesign",
                                         "workflowsMultipleClosedStatuses"])},
    "taxMandatoryCountries": {"setting_type": "json", "updated_at": "2025-07-15T14:03:33.143+02:00",
                              "value": json.dumps(["AT", "DE", "HR", "SI"])},
    "taxIdsPerCountry": {"setting_type": "json", "updated_at": "2025-07-15T14:03:33.143+02:00",
                         "value": json.dumps({"HR": [{"tax_id_code": "eu_vat",
                                                      "example": "HR12345678901"}]})},
}
_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 409: "Conflict", 415: "Unsupported Media Type",
           422: "Unprocessable Entity", 429: "Too Many Requests", 500: "Internal Server Error",
           502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


class JsonApiError(Exception):
    """Raised by a handler to answer ``errors`` with ``status``."""

    def __init__(self, status: int, errors: Sequence[dict[str, Any]]) -> None:
        super().__init__(status)
        self.status = status
        self.errors = list(errors)

    @classmethod
    def not_found(cls) -> JsonApiError:
        return cls(404, [RECORD_NOT_FOUND])

    @classmethod
    def invalid(cls, fields: dict[str, str]) -> JsonApiError:
        """One ``invalid_attribute`` entry per field; relationships point at attributes too."""
        return cls(422, [{"status": "422", "code": "invalid_attribute",
                          "title": "Invalid Attribute", "detail": detail, "meta": {},
                          "source": {"pointer": f"data/attributes/{name}"}}
                         for name, detail in fields.items()])

    @classmethod
    def unsupported_filter(cls, name: str) -> JsonApiError:
        return cls(400, [{"status": 400, "title": "Unsupported Filter",
                          "detail": f"Filter '{name}' is not supported on this endpoint"}])

    @classmethod
    def bad_request(cls, detail: str, status: int = 400) -> JsonApiError:
        return cls(status, [generic_error(status, detail)])


def generic_error(status: int, detail: str) -> dict[str, Any]:
    """An error entry for cases no recording shows (401, 415, 429, 5xx): the 404's shape."""
    title = _TITLES.get(status, "Error")
    return {"status": str(status), "code": title.lower().replace(" ", "_"), "title": title,
            "detail": detail, "meta": {}, "source": {}}


class JsonApiResponse(Response):
    """Compact JSON with Productive's content type, ETag and cache headers."""

    def __init__(self, content: Any, status_code: int = 200) -> None:
        super().__init__(content, status_code)
        success = 200 <= status_code < 300
        if success:
            digest = hashlib.md5(self.body, usedforsecurity=False).hexdigest()
            self.headers["etag"] = f'W/"{digest}"'
        self.headers["cache-control"] = (
            "max-age=0, private, must-revalidate" if success else "no-cache")
        self.headers["vary"] = "Accept,Origin,Accept-Encoding"
        self.headers["content-type"] = CONTENT_TYPE

    def render(self, content: Any) -> bytes:
        return json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()


def error_response(status: int, errors: Sequence[dict[str, Any]]) -> Response:
    return JsonApiResponse({"errors": list(errors)}, status)


def render_error(status: int, message: str, field_errors: dict[str, str]) -> Response:
    """The frame's hook (auth, faults, unknown routes, unreadable JSON) in Productive's shape."""
    if status == 404:
        return error_response(404, [RECORD_NOT_FOUND])
    if status == 422 and field_errors:
        return error_response(422, JsonApiError.invalid(field_errors).errors)
    return error_response(status, [generic_error(status, message)])


def reply_headers() -> dict[str, str]:
    """Headers every recorded reply carries, errors and 204s included."""
    return {"x-request-id": str(uuid.uuid4()), "x-runtime": "0.021337",
            "x-frame-options": "SAMEORIGIN", "x-content-type-options": "nosniff",
            "x-xss-protection": "0", "x-permitted-cross-domain-policies": "none",
            "referrer-policy": "strict-origin-when-cross-origin"}


def single(resource: dict[str, Any], included: Sequence[dict[str, Any]] = (),
           status: int = 200) -> Response:
    body: dict[str, Any] = {"data": resource}
    if included:
        body["included"] = list(included)
    body["meta"] = {"settings": SETTINGS}
    return JsonApiResponse(body, status)


def page_of(request: Request) -> tuple[int, int]:
    """The requested ``(page number, page size)``, defaulted and capped at 200."""
    number = _positive(request.query_params.get("page[number]"), 1)
    size = min(_positive(request.query_params.get("page[size]"), DEFAULT_PAGE_SIZE),
               MAX_PAGE_SIZE)
    return number, size


def listing(request: Request, rows: Sequence[dict[str, Any]], number: int, size: int,
            total: int, included: Sequence[dict[str, Any]] = ()) -> Response:
    """One page of a collection with Productive's ``links`` and ``meta``."""
    pages = math.ceil(total / size)
    links = {"first": _page_link(request, 1, size),
             "last": _page_link(request, max(pages, 1), size)}
    if number > 1:
        links["prev"] = _page_link(request, number - 1, size)
    if number < pages:
        links["next"] = _page_link(request, number + 1, size)
    body: dict[str, Any] = {"data": list(rows)}
    if included:
        body["included"] = list(included)
    body["links"] = links
    body["meta"] = {"current_page": number, "total_pages": pages, "total_count": total,
                    "page_size": size, "max_page_size": MAX_PAGE_SIZE, "settings": SETTINGS}
    return JsonApiResponse(body)


def timestamp(moment: datetime | None) -> str | None:
    """Rails' format: milliseconds and a ``+01:00`` style offset."""
    return None if moment is None else moment.isoformat(timespec="milliseconds")


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _page_link(request: Request, number: int, size: int) -> str:
    pairs = [(k, v) for k, v in request.query_params.multi_items()
             if k not in ("page[number]", "page[size]")]
    pairs += [("page[number]", str(number)), ("page[size]", str(size))]
    query = urlencode(sorted(pairs, key=lambda kv: kv[0]), quote_via=quote)
    return str(request.url.replace(query=query))


def _positive(raw: str | None, default: int) -> int:
    try:
        value = int(raw) if raw is not None else default
    except ValueError:
        return default
    return value if value >= 1 else default


__all__ = [
    "CONTENT_TYPE",
    "MAX_PAGE_SIZE",
    "RECORD_NOT_FOUND",
    "SETTINGS",
    "JsonApiError",
    "JsonApiResponse",
    "day",
    "error_response",
    "generic_error",
    "listing",
    "page_of",
    "render_error",
    "reply_headers",
    "single",
    "timestamp",
]
