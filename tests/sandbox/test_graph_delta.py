"""``GET /groups/delta`` in the Graph sandbox, on the wire and checked against the Groups spec:
a full round page by page ending in a delta link, then only what changed (a rename, a team's
archiving, a membership, a deletion as ``@removed``), ``$select`` deciding what is tracked,
``$deltatoken=latest``, ``$filter`` by id, and ``syncStateNotFound`` for an expired token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from projecthub.connectors.clock import FakeClock
from projecthub.sandbox import SandboxApp
from projecthub.sandbox.graph_state import GraphState
from tests.connectors.graph_setup import (
    GRAPH_SPECS,
    GRAPH_URL,
    AcceptedWithoutBody,
    graph_state,
    make_sandbox,
)
from tests.connectors.validating import ValidatingTransport
from tests.sandbox.entra import fetch_token


@pytest.fixture
def app() -> SandboxApp:
    return make_sandbox(FakeClock())


@pytest.fixture
def state(app) -> GraphState:
    return graph_state(app)


@pytest.fixture
async def http(app) -> AsyncIterator[httpx.AsyncClient]:
    asgi = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=asgi, base_url=GRAPH_URL) as raw:
        token = await fetch_token(raw)
    transport = ValidatingTransport(AcceptedWithoutBody(asgi), GRAPH_SPECS)
    async with httpx.AsyncClient(transport=transport, base_url=GRAPH_URL,
                                 headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


async def round_of(http: httpx.AsyncClient, url: str, **params: str) -> tuple[list[Any], str]:
    """Every page of one round: the items and the round's delta link."""
    items: list[Any] = []
    response = await http.get(url, params=params or None)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["value"]
        if "@odata.deltaLink" in body:
            assert "@odata.nextLink" not in body
            return items, body["@odata.deltaLink"]
        response = await http.get(body["@odata.nextLink"])


async def test_a_full_round_pages_every_group_then_gives_a_delta_link(http, state):
    state.page_size = 1
    items, link = await round_of(http, "/groups/delta", **{"$select": "displayName"})
    assert sorted(i["displayName"] for i in items) == ["All Company", "Website Relaunch"]
    assert all(set(i) == {"id", "displayName"} for i in items)
    assert parse_qs(urlsplit(link).query).keys() == {"$deltatoken"}
    assert (await round_of(http, link))[0] == []


async def test_the_next_round_names_only_changed_groups_and_deleted_ones(http, state):
    _, link = await round_of(http, "/groups/delta", **{"$select": "id,displayName"})
    web = next(g for g in state.groups.values() if g.display_name == "Website Relaunch")
    everyone = next(g for g in state.groups.values() if g.display_name == "All Company")
    assert (await http.patch(f"/teams/{web.id}", json={"displayName": "Relaunch"})).status_code \
        == 204
    state.remove_group(everyone.id)
    changes, link = await round_of(http, link)
    assert {"id": web.id, "displayName": "Relaunch"} in changes
    assert {"@odata.type": "#microsoft.graph.group", "id": everyone.id,
            "@removed": {"reason": "changed"}} in changes
    assert len(changes) == 2
    assert (await round_of(http, link))[0] == []


async def test_only_selected_properties_are_tracked(http, state):
    """A team archived, or a member added, lists the group for a round tracking those
    properties (or all of them) and not for one tracking the name alone."""
    web = next(g for g in state.groups.values() if g.is_team)
    _, names = await round_of(http, "/groups/delta", **{"$select": "displayName"})
    _, everything = await round_of(http, "/groups/delta")
    _, members = await round_of(http, "/groups/delta", **{"$select": "members"})
    state.team_creation_polls = 0
    state.start_archiving(state.teams[web.id], archive=True)
    state.add_member(state.teams[web.id], state.user("ben.okafor@projecthub.example"))
    await http.get(f"/teams/{web.id}")  # time passes: the archiving finishes
    assert state.teams[web.id].archived
    assert (await round_of(http, names))[0] == []
    assert [g["id"] for g in (await round_of(http, everything))[0]] == [web.id]
    assert [g["id"] for g in (await round_of(http, members))[0]] == [web.id]


async def test_latest_gives_a_link_without_the_groups(http, state):
    response = await http.get("/groups/delta", params={"$deltatoken": "latest"})
    assert response.status_code == 200 and response.json()["value"] == []
    link = response.json()["@odata.deltaLink"]
    assert (await round_of(http, link))[0] == []
    group = state.add_group("Launch", "launch")
    assert [g["id"] for g in (await round_of(http, link))[0]] == [group.id]


async def test_a_filter_by_ids_keeps_the_round_to_those_groups(http, state):
    web, everyone = sorted(state.groups.values(), key=lambda g: not g.is_team)
    items, link = await round_of(http, "/groups/delta", **{
        "$filter": f"id eq '{web.id}'", "$select": "displayName"})
    assert [i["id"] for i in items] == [web.id]
    state.remove_group(everyone.id)
    assert (await round_of(http, link))[0] == []
    many = " or ".join(f"id eq '{n}'" for n in range(51))
    refused = await http.get("/groups/delta", params={"$filter": many})
    assert refused.status_code == 400


async def test_an_expired_or_unknown_token_must_start_over(http, state):
    clock = FakeClock()
    state.changes.now = clock.now
    _, link = await round_of(http, "/groups/delta")
    clock.advance(timedelta(days=7, seconds=1).total_seconds())
    expired = await http.get(link)
    assert expired.status_code == 400
    assert expired.json()["error"]["code"] == "syncStateNotFound"
    unknown = await http.get("/groups/delta", params={"$deltatoken": "not-a-token"})
    assert unknown.json()["error"]["code"] == "syncStateNotFound"
    _, fresh = await round_of(http, "/groups/delta", **{"$deltatoken": "latest"})
    state.changes.forget_tokens()
    assert (await http.get(fresh)).json()["error"]["code"] == "syncStateNotFound"


async def test_the_delta_needs_a_group_read_permission(http, state, app):
    state.roles.difference_update({"Group.Read.All"})
    asgi = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=asgi, base_url=GRAPH_URL) as raw:
        raw.headers["Authorization"] = f"Bearer {await fetch_token(raw)}"
        refused = await raw.get("/groups/delta")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "Authorization_RequestDenied"
