"""Lists only through these async iterators, one per vendor paging style.

Each style differs only in how the next request is derived from the current reply, so one loop
(:func:`_paginate`) fetches and validates pages and a small strategy function per style says what
comes next. Items are validated into the caller's pydantic model before they leave.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from projecthub.connectors.base import ConnectorClient, JsonResponse
from projecthub.connectors.errors import ServerError

M = TypeVar("M", bound=BaseModel)
Params = dict[str, str | int | bool]
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


@dataclass(frozen=True)
class PageRequest:
    """Where the next page comes from: a URL plus query parameters or a JSON body."""

    url: str | httpx.URL
    params: Params | None = None
    body: dict[str, Any] | None = None


NextPage = Callable[[PageRequest, JsonResponse, int], PageRequest | None]
"""(request just sent, its reply, items on that page) → the next request, or ``None`` at the end."""


async def _paginate(
    client: ConnectorClient, method: str, first: PageRequest, items_key: str, model: type[M],
    next_page: NextPage, *, read: bool = True,
    on_last: Callable[[JsonResponse], None] | None = None,
) -> AsyncIterator[M]:
    """``on_last`` receives the last page's reply, for what a vendor puts there (Graph's
    delta link)."""
    request: PageRequest | None = first
    seen: set[str] = set()
    while request is not None:
        response = await client.request(method, request.url, params=request.params,
                                        json_body=request.body, read=read)
        body = response.body if isinstance(response.body, dict) else {}
        items = body.get(items_key)
        if not isinstance(items, list):
            raise ServerError(client.tool, response.status, response.request_id,
                              f"page without a '{items_key}' list")
        for item in items:
            yield response.model(model, item)
        request = next_page(request, response, len(items))
        if request is None and on_last is not None:
            on_last(response)
        marker = repr(request)
        if marker in seen:
            raise ServerError(client.tool, response.status, response.request_id,
                              "vendor returned the same next page twice")
        seen.add(marker)


def iter_next_page_token(
    client: ConnectorClient, path: str, model: type[M], *, items_key: str,
    params: Params | None = None, body: dict[str, Any] | None = None, page_size: int = 50,
) -> AsyncIterator[M]:
    """Jira ``/search/jql``: follow ``nextPageToken`` until ``isLast`` (POST body or GET query)."""
    method = "POST" if body is not None else "GET"
    first = PageRequest(
        path,
        None if body is not None else {**(params or {}), "maxResults": page_size},
        None if body is None else {**body, "maxResults": page_size},
    )

    def next_page(current: PageRequest, response: JsonResponse, _count: int) -> PageRequest | None:
        token = response.body.get("nextPageToken")
        if response.body.get("isLast") is True or not token:
            return None
        if current.body is not None:
            return replace(current, body={**current.body, "nextPageToken": token})
        return replace(current, params={**(current.params or {}), "nextPageToken": token})

    return _paginate(client, method, first, items_key, model, next_page)


def iter_start_at(
    client: ConnectorClient, path: str, model: type[M], *, items_key: str = "values",
    params: Params | None = None, page_size: int = 50,
) -> AsyncIterator[M]:
    """Jira/Agile offset lists: ``startAt``/``maxResults`` until ``isLast``, ``total`` or empty."""
    first = PageRequest(path, {**(params or {}), "startAt": 0, "maxResults": page_size})

    def next_page(current: PageRequest, response: JsonResponse, count: int) -> PageRequest | None:
        body, query = response.body, current.params or {}
        start = int(body.get("startAt", query.get("startAt", 0)))
        total = body.get("total")
        if count == 0 or body.get("isLast") is True:
            return None
        if body.get("isLast") is None and isinstance(total, int) and start + count >= total:
            return None
        return replace(current, params={**query, "startAt": start + count})

    return _paginate(client, "GET", first, items_key, model, next_page)


def iter_link_cursor(
    client: ConnectorClient, path: str, model: type[M], *, items_key: str = "results",
    params: Params | None = None, page_size: int = 25,
) -> AsyncIterator[M]:
    """Confluence v2: follow the ``Link: <…>; rel="next"`` header, else ``_links.next``."""
    first = PageRequest(path, {**(params or {}), "limit": page_size})

    def next_page(_current: PageRequest, response: JsonResponse, _count: int) -> PageRequest | None:
        match = _LINK_NEXT.search(response.headers.get("link", ""))
        links = response.body.get("_links") or {}
        link = match.group(1) if match else links.get("next")
        return PageRequest(client.resolve_link(link, response)) if link else None

    return _paginate(client, "GET", first, items_key, model, next_page)


def iter_context_cursor(
    client: ConnectorClient, path: str, model: type[M], *, items_key: str = "results",
    params: Params | None = None, page_size: int = 25,
) -> AsyncIterator[M]:
    """Confluence v1 search: ``_links.next`` carries an opaque cursor and is relative to the
    ``/wiki`` context, so it is followed from ``_links.base``."""
    first = PageRequest(path, {**(params or {}), "limit": page_size})

    def next_page(_current: PageRequest, response: JsonResponse, _count: int) -> PageRequest | None:
        links = response.body.get("_links") or {}
        link, base = links.get("next"), links.get("base")
        if not link or not isinstance(base, str):
            return None
        return PageRequest(client.resolve_link(f"{base.rstrip('/')}{link}", response))

    return _paginate(client, "GET", first, items_key, model, next_page)


def iter_start_limit(
    client: ConnectorClient, path: str, model: type[M], *, items_key: str = "results",
    params: Params | None = None, page_size: int = 25,
) -> AsyncIterator[M]:
    """Confluence v1 offset lists: ``start``/``limit`` while the reply links a ``next`` page.

    The offset is computed rather than the link followed, because v1 links are relative to the
    ``/wiki`` context, not to the host.
    """
    first = PageRequest(path, {**(params or {}), "start": 0, "limit": page_size})

    def next_page(current: PageRequest, response: JsonResponse, count: int) -> PageRequest | None:
        query = current.params or {}
        if count == 0 or not (response.body.get("_links") or {}).get("next"):
            return None
        start = int(response.body.get("start", query.get("start", 0)))
        return replace(current, params={**query, "start": start + count})

    return _paginate(client, "GET", first, items_key, model, next_page)


def iter_page_number(
    client: ConnectorClient, path: str, model: type[M], *, params: Params | None = None,
    page_size: int = 200,
) -> AsyncIterator[M]:
    """Productive JSON:API: ``page[number]``/``page[size]`` up to ``meta.total_pages``."""
    first = PageRequest(path, {**(params or {}), "page[number]": 1, "page[size]": page_size})

    def next_page(current: PageRequest, response: JsonResponse, count: int) -> PageRequest | None:
        query = current.params or {}
        number = int(query.get("page[number]", 1))
        total_pages = (response.body.get("meta") or {}).get("total_pages")
        if count == 0 or not isinstance(total_pages, int) or number >= total_pages:
            return None
        return replace(current, params={**query, "page[number]": number + 1})

    return _paginate(client, "GET", first, "data", model, next_page)


def iter_odata(
    client: ConnectorClient, path: str | httpx.URL, model: type[M], *,
    params: Params | None = None, on_last: Callable[[JsonResponse], None] | None = None,
) -> AsyncIterator[M]:
    """Microsoft Graph: ``value`` pages chained by the absolute ``@odata.nextLink``; ``path``
    may be a link Graph gave (a delta link)."""
    first = PageRequest(path, dict(params) if params else None)

    def next_page(_current: PageRequest, response: JsonResponse, _count: int) -> PageRequest | None:
        link = response.body.get("@odata.nextLink")
        return PageRequest(client.resolve_link(link, response)) if link else None

    return _paginate(client, "GET", first, "value", model, next_page, on_last=on_last)


__all__ = [
    "PageRequest",
    "iter_link_cursor",
    "iter_next_page_token",
    "iter_odata",
    "iter_page_number",
    "iter_start_at",
    "iter_start_limit",
]
