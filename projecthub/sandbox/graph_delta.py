"""``GET /groups/delta``: the groups that were created, changed or deleted since a delta link.

As Graph's docs describe it: a round without a token lists every group, page by page
(``@odata.nextLink`` with a ``$skiptoken``), and its last page carries ``@odata.deltaLink``; a
round from that link lists only the groups changed since, each once in its latest state, a
deleted one as ``{"id", "@removed": {"reason": "changed"}}`` (Entra ID keeps it restorable).
``$deltatoken=latest`` answers a link and no groups. ``$select`` and ``$filter`` (ids only, at
most 50) belong to the first request and are carried by the tokens; only the selected
properties are tracked, so a change to another one does not list the group (a group that
appeared or was deleted always is). Membership is tracked as ``members``; the sandbox does not
send ``members@delta``. An unknown or expired token is Graph's 400 ``syncStateNotFound``
(Microsoft's announcement of 2020-07-03 on the seven-day lifetime of directory delta links).
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from projecthub.sandbox.graph_changes import GroupDelta, SyncState
from projecthub.sandbox.graph_directory import READ_GROUPS
from projecthub.sandbox.graph_odata import parse_filter
from projecthub.sandbox.graph_state import GraphState
from projecthub.sandbox.graph_views import (
    METADATA,
    GraphError,
    GraphJSON,
    group_json,
    require_roles,
)

Item = dict[str, Any]
READ_DELTA = ("GroupMember.Read.All", *READ_GROUPS)
MAX_IDS = 50
DEFAULT_PAGE = 100  # UNVERIFIED: Graph does not document the page size of a group delta
EXPIRED = ("The sync state generation is not found. The delta token is expired and data must "
           "be synchronized again.")


async def group_delta(request: Request, state: GraphState) -> Response:
    require_roles(request, READ_DELTA, directory=True)
    log = state.changes
    query = request.query_params
    delta, skip = query.get("$deltatoken"), query.get("$skiptoken")
    if delta == "latest":
        here = _round(request, since=log.position, state=state)
        return _reply(request, [], "@odata.deltaLink", "$deltatoken", log.issue(here))
    if delta or skip:
        found = log.redeem(str(delta or skip))
        if found is None:
            # UNVERIFIED: that Graph answers an unknown (not only an old) token the same way.
            raise GraphError(400, "syncStateNotFound", EXPIRED)
        current = found if skip else dataclasses.replace(
            found, upto=log.position, issued=log.now())
    else:
        current = _round(request, since=None, state=state)
    items = _items(state, current)
    size = state.page_size or DEFAULT_PAGE
    page = items[current.offset:current.offset + size]
    if current.offset + size < len(items):
        token = log.issue(dataclasses.replace(current, offset=current.offset + size))
        return _reply(request, page, "@odata.nextLink", "$skiptoken", token)
    following = dataclasses.replace(current, since=current.upto, offset=0, issued=log.now())
    return _reply(request, page, "@odata.deltaLink", "$deltatoken", log.issue(following))


def _round(request: Request, *, since: int | None, state: GraphState) -> SyncState:
    """A new round from the request's own ``$select`` and ``$filter``, checked now."""
    raw = request.query_params.get("$select")
    select = frozenset(n.strip() for n in raw.split(",") if n.strip()) if raw else None
    id_filter = request.query_params.get("$filter") or None
    if id_filter is not None:
        parse_filter(id_filter, "Group", ("id",))
        if id_filter.count(" eq ") > MAX_IDS:
            # UNVERIFIED: the docs give the limit (50 ids), not Graph's wording past it.
            raise GraphError(400, "Request_UnsupportedQuery",
                             f"Delta query $filter supports at most {MAX_IDS} ids.")
    position = state.changes.position
    return SyncState(since, position, 0, select, id_filter, state.changes.now())


def _items(state: GraphState, current: SyncState) -> list[Item]:
    """The round's groups: every current one, or those changed within it (latest state)."""
    if current.since is None:
        items = [_group(state, group_id, current) for group_id in sorted(state.groups)]
    else:
        changed = state.changes.between(current.since, current.upto)
        items = [_changed(state, group_id, delta, current)
                 for group_id, delta in changed.items() if _tracked(delta, current.select)]
    if current.id_filter is not None:
        keep = parse_filter(current.id_filter, "Group", ("id",))
        items = [item for item in items if keep(item)]
    return items


def _tracked(delta: GroupDelta, select: frozenset[str] | None) -> bool:
    return delta.appeared or delta.removed or select is None or bool(delta.properties & select)


def _changed(state: GraphState, group_id: str, delta: GroupDelta, current: SyncState) -> Item:
    if delta.removed or group_id not in state.groups:
        return {"@odata.type": "#microsoft.graph.group", "id": group_id,
                "@removed": {"reason": "changed"}}
    return _group(state, group_id, current)


def _group(state: GraphState, group_id: str, current: SyncState) -> Item:
    body = group_json(state.groups[group_id])
    if current.select is None:
        return body
    return {k: v for k, v in body.items() if k == "id" or k in current.select}


def _reply(request: Request, page: list[Item], link_name: str, token_name: str,
           token: str) -> Response:
    link = request.url.replace(query=urlencode([(token_name, token)], safe="$"))
    return GraphJSON({"@odata.context": f"{METADATA}#groups", link_name: str(link),
                      "value": page})


__all__ = ["group_delta"]
