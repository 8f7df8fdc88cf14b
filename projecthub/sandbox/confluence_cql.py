"""Confluence v1 content search (``GET /wiki/rest/api/content/search?cql=…``), for the slice of
CQL the status sync's change query uses.

Supported: clauses joined by ``AND``: ``type = page``, ``space = KEY`` or ``space in (…)``, and
``lastmodified`` with ``>``, ``>=``, ``<``, ``<=`` against ``now()``, ``now("-15m")`` (units
``w d h m``), or a ``yyyy-MM-dd`` / ``yyyy/MM/dd`` literal with an optional `` HH:mm`` (read in
UTC: sandbox accounts keep UTC as their zone). Anything else is Confluence's 400 "Could not parse
cql". Only current pages are found (trashed and deleted ones are not, as in Confluence). Pages
of results come by an opaque ``cursor`` in ``_links.next``, relative to the ``/wiki`` context.
"""

from __future__ import annotations

import base64
import binascii
import operator
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from projecthub.sandbox.common import SandboxHTTPError, SandboxRoute
from projecthub.sandbox.confluence_state import ConfluenceSite, Page
from projecthub.sandbox.confluence_views import (
    V1,
    ConfluenceJSON,
    query_int,
    root,
    space_v1,
    wiki_base,
)

_CLAUSE = re.compile(
    r"""\s*(type|space|lastmodified)\s*(>=|<=|=|>|<|in)\s*"""
    r"""(\((?:\s*"?[A-Za-z0-9_~-]+"?\s*,?)+\)|now\(\s*(?:"[^"]*")?\s*\)|"[^"]*"|[A-Za-z0-9_~-]+)"""
    r"""\s*""", re.IGNORECASE)
_PERIOD = re.compile(r"([-+])(\d+)([wdhm])")
_MINUTES = {"w": 7 * 24 * 60, "d": 24 * 60, "h": 60, "m": 1}
_LITERAL = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?")
_ORDERED: dict[str, Callable[[Any, Any], bool]] = {
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
MAX_LIMIT = 100

Test = Callable[[Page], bool]


def _refuse(cql: str) -> SandboxHTTPError:
    return SandboxHTTPError(400, f"Could not parse cql : {cql}")


def _instant(value: str, cql: str, now: datetime) -> datetime:
    text = value.strip()
    if text.lower().startswith("now("):
        inner = text[4:-1].strip().strip('"')
        if not inner:
            return now
        period = _PERIOD.fullmatch(inner)
        if period is None:
            raise _refuse(cql)
        minutes = int(period[2]) * _MINUTES[period[3]]
        return now + timedelta(minutes=minutes if period[1] == "+" else -minutes)
    literal = _LITERAL.fullmatch(text.strip('"'))
    if literal is None:
        raise _refuse(cql)
    year, month, day, hour, minute = (int(g) if g else 0 for g in literal.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=UTC)
    except ValueError:
        raise _refuse(cql) from None


def _clause(field: str, op: str, value: str, site: ConfluenceSite, cql: str) -> Test:
    field, op = field.lower(), op.lower()
    if field == "lastmodified" and op in _ORDERED:
        bound, compare = _instant(value, cql, site.now()), _ORDERED[op]
        return lambda page: compare(page.modified_at, bound)
    if field == "type" and op == "=":
        wanted = value.strip('"').lower()
        return lambda _page: wanted == "page"
    if field == "space" and op in ("=", "in"):
        keys = {k.strip().strip('"') for k in value.strip("()").split(",") if k.strip()}
        ids = {s.id for s in site.spaces.values() if s.key in keys}
        return lambda page: page.space_id in ids
    raise _refuse(cql)


def parse(cql: str, site: ConfluenceSite) -> list[Test]:
    """The clauses of ``cql``, each a test on a page; all must hold."""
    tests, rest = [], cql
    while True:
        match = _CLAUSE.match(rest)
        if match is None:
            raise _refuse(cql)
        field, op, value = match.groups()
        tests.append(_clause(field, op, value, site, cql))
        rest = rest[match.end():]
        if not rest.strip():
            return tests
        joiner = re.match(r"\s*and\s+", rest, re.IGNORECASE)
        if joiner is None:
            raise _refuse(cql)
        rest = rest[joiner.end():]


def content_v1(page: Page, site: ConfluenceSite, request: Request,
               expand: set[str]) -> dict[str, Any]:
    space = site.spaces[page.space_id]
    body: dict[str, Any] = {
        "id": str(page.id), "type": "page", "status": page.status, "title": page.title,
        "_expandable": {"space": f"/rest/api/space/{space.key}",
                        "version": "", "history": f"/rest/api/content/{page.id}/history"},
        "_links": {"webui": f"/spaces/{space.key}/pages/{page.id}",
                   "self": f"{wiki_base(request)}/rest/api/content/{page.id}"},
    }
    if "space" in expand:
        body["space"] = space_v1(space, site, request)
        del body["_expandable"]["space"]
    return body


def _offset(token: str | None, cql: str) -> int:
    if not token:
        return 0
    try:
        offset, _, bound = base64.urlsafe_b64decode(token.encode()).decode().partition("|")
        if bound == cql:
            return int(offset)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise SandboxHTTPError(400, "Invalid cursor")


async def search_content(request: Request, site: ConfluenceSite) -> Response:
    cql = request.query_params.get("cql", "")
    tests = parse(cql, site)
    found = sorted((p for p in site.pages.values()
                    if p.status == "current" and all(t(p) for t in tests)), key=lambda p: p.id)
    limit = min(max(query_int(request, "limit", 25), 1), MAX_LIMIT)
    start = _offset(request.query_params.get("cursor"), cql)
    expand = {e.strip() for e in request.query_params.get("expand", "").split(",")}
    page = found[start:start + limit]
    base = wiki_base(request)
    links = {"base": base, "context": f"{root(request)}/wiki",
             "self": f"{base}/rest/api/content/search?{request.url.query}"}
    if start + limit < len(found):
        cursor = base64.urlsafe_b64encode(f"{start + limit}|{cql}".encode()).decode()
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
        links["next"] = f"/rest/api/content/search?{urlencode([*query, ('cursor', cursor)])}"
    return ConfluenceJSON({"results": [content_v1(p, site, request, expand) for p in page],
                           "start": start, "limit": limit, "size": len(page), "_links": links})


ROUTES: list[SandboxRoute[ConfluenceSite]] = [
    SandboxRoute(f"{V1}/content/search", search_content),
]

__all__ = ["ROUTES", "parse"]
