"""The Graph sandbox on the wire, as a client other than our connector would see it; replies go
through the spec-validating transport except where noted (no spec path, or the raw 202)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from projecthub.connectors.clock import FakeClock
from projecthub.sandbox import SandboxApp
from projecthub.sandbox.common import SandboxOptions
from projecthub.sandbox.faults import Fault
from projecthub.sandbox.graph import GraphSandbox, create_graph_sandbox
from projecthub.sandbox.graph_state import SANDBOX_EMAIL
from tests.connectors.graph_setup import GRAPH_SPECS, AcceptedWithoutBody
from tests.connectors.validating import ValidatingTransport
from tests.sandbox.entra import fetch_token

GRAPH = "http://sandbox.test/sandbox/graph/v1.0"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ODATA_JSON = ("application/json;odata.metadata=minimal;odata.streaming=true;"
              "IEEE754Compatible=false;charset=utf-8")
STANDARD = "https://graph.microsoft.com/v1.0/teamsTemplates('standard')"


@pytest.fixture
def sandbox() -> GraphSandbox:
    return create_graph_sandbox(SandboxOptions(sleep=FakeClock().sleep, admin_token="admin"))


@pytest.fixture
def asgi(sandbox) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=SandboxApp({"graph": sandbox}))


@pytest.fixture
async def raw(asgi) -> AsyncIterator[httpx.AsyncClient]:
    """Unvalidated, with a token for tenant ``acme`` (demo data seeded)."""
    async with httpx.AsyncClient(transport=asgi, base_url=GRAPH) as client:
        client.headers["Authorization"] = f"Bearer {await fetch_token(client)}"
        yield client


@pytest.fixture
async def http(asgi, raw) -> AsyncIterator[httpx.AsyncClient]:
    """Every request and reply checked against the Graph v1.0 specs."""
    transport = ValidatingTransport(AcceptedWithoutBody(asgi), GRAPH_SPECS)
    async with httpx.AsyncClient(transport=transport, base_url=GRAPH,
                                 headers={"Authorization": raw.headers["Authorization"]}) as c:
        yield c


async def grant(sandbox: GraphSandbox, raw: httpx.AsyncClient, http: httpx.AsyncClient,
                role: str) -> None:
    """Consent one more app permission in tenant ``acme`` and use a token that carries it."""
    sandbox.tenant("acme").roles.add(role)
    http.headers["Authorization"] = f"Bearer {await fetch_token(raw)}"


def owner_bind(user_id: str) -> dict[str, object]:
    return {"@odata.type": "#microsoft.graph.aadUserConversationMember", "roles": ["owner"],
            "user@odata.bind": f"https://graph.microsoft.com/v1.0/users('{user_id}')"}


async def test_replies_carry_graphs_ids_and_content_type_and_echo_the_callers(http):
    plain = await http.get("/users", params={"$top": 1})
    assert UUID.fullmatch(plain.headers["request-id"])
    assert plain.headers["client-request-id"] == plain.headers["request-id"]
    assert plain.headers["content-type"] == ODATA_JSON
    assert plain.headers["odata-version"] == "4.0" and plain.headers["x-ms-ags-diagnostic"]
    mine = await http.get("/users/nobody@x.test", headers={"client-request-id": "my-id-1"})
    inner = mine.json()["error"]["innerError"]
    assert mine.headers["client-request-id"] == inner["client-request-id"] == "my-id-1"
    assert mine.headers["request-id"] == inner["request-id"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", inner["date"])


@pytest.mark.parametrize(("authorization", "message"), [
    (None, "Access token is empty."),
    ("Bearer not-a-jwt", "IDX14100: JWT is not well formed"),
    ("Bearer a.b.c", "Access token validation failure. Invalid signature."),
])
async def test_bad_tokens_get_graphs_401(http, authorization, message):
    headers = {"Authorization": authorization} if authorization else {}
    http.headers.pop("Authorization")
    response = await http.get("/users", headers=headers)
    error = response.json()["error"]
    assert (response.status_code, error["code"]) == (401, "InvalidAuthenticationToken")
    assert error["message"].startswith(message)
    assert response.headers["www-authenticate"].startswith('Bearer realm=""')


async def test_expired_and_revoked_tokens_are_refused(http, sandbox):
    expired = sandbox.issuer.issue("acme", "app", "dir", lifetime=-1)
    response = await http.get("/users", headers={"Authorization": f"Bearer {expired}"})
    assert response.json()["error"]["message"] == (
        "Lifetime validation failed, the token is expired.")
    sandbox.reset()
    assert (await http.get("/users")).status_code == 401


async def test_tenants_are_chosen_by_the_secret_and_isolated(http, raw, sandbox):
    await grant(sandbox, raw, http, "Group.Create")
    body = {"displayName": "Private", "mailNickname": "private1", "mailEnabled": True,
            "securityEnabled": False, "groupTypes": ["Unified"]}
    assert (await http.post("/groups", json=body)).status_code == 201
    other = await fetch_token(raw, "sandbox-other")
    found = await http.get("/groups", params={"$filter": "mailNickname eq 'private1'"},
                           headers={"Authorization": f"Bearer {other}"})
    assert found.json()["value"] == []


async def test_display_names_repeat_but_a_taken_nickname_is_a_400_object_conflict(
        http, raw, sandbox):
    await grant(sandbox, raw, http, "Group.Create")
    body = {"displayName": "Same", "mailNickname": "same", "mailEnabled": True,
            "securityEnabled": False, "groupTypes": ["Unified"]}
    first = await http.post("/groups", json=body)
    assert first.status_code == 201 and "/directoryObjects/" in first.headers["location"]
    twin = await http.post("/groups", json={**body, "mailNickname": "same2"})
    assert twin.status_code == 201 and twin.json()["displayName"] == "Same"
    taken = await http.post("/groups", json={**body, "mailNickname": "SAME"})
    error = taken.json()["error"]
    assert (taken.status_code, error["code"]) == (400, "Request_BadRequest")
    assert error["details"] == [{"code": "ObjectConflict", "target": "mailNickname",
                                 "message": error["message"]}]


async def test_team_creation_is_202_without_body_then_an_operation_in_progress(raw, http):
    owner = (await http.get(f"/users/{SANDBOX_EMAIL}")).json()["id"]
    accepted = await raw.post("/teams", json={"template@odata.bind": STANDARD,
                                              "displayName": "Async", "members": [
                                                  owner_bind(owner)]})
    assert (accepted.status_code, accepted.content) == (202, b"")
    assert accepted.headers["content-length"] == "0"
    match = re.fullmatch(r"/teams\('([^']+)'\)/operations\('([^']+)'\)",
                         accepted.headers["location"])
    assert match and accepted.headers["content-location"] == f"/teams('{match.group(1)}')"
    team_id, operation_id = match.groups()
    states = [(await http.get(f"/teams/{team_id}/operations/{operation_id}")).json()["status"]
              for _ in range(3)]
    assert states == ["inProgress", "inProgress", "succeeded"]
    team = (await http.get(f"/teams/{team_id}")).json()
    assert team["displayName"] == "Async" and team["webUrl"].endswith(team["tenantId"])


async def test_a_creation_finishes_as_the_tenant_is_used_even_if_nobody_polls(raw, http):
    owner = (await http.get(f"/users/{SANDBOX_EMAIL}")).json()["id"]
    accepted = await raw.post("/teams", json={"template@odata.bind": STANDARD,
                                              "displayName": "Unpolled", "members": [
                                                  owner_bind(owner)]})
    team_id = re.fullmatch(r"/teams\('([^']+)'\)", accepted.headers["content-location"])[1]
    assert (await http.get(f"/teams/{team_id}")).status_code == 404
    assert (await http.get("/users", params={"$top": 1})).status_code == 200
    assert (await http.get(f"/teams/{team_id}")).json()["displayName"] == "Unpolled"


async def test_team_creation_needs_the_standard_template_and_an_owner(http):
    missing_owner = await http.post("/teams", json={"template@odata.bind": STANDARD,
                                                    "displayName": "Ownerless"})
    assert missing_owner.status_code == 400
    bad_template = await http.post("/teams", json={"displayName": "X", "template@odata.bind":
                                                   "https://graph.microsoft.com/v1.0/x"})
    assert bad_template.json()["error"]["code"] == "BadRequest"


async def test_lists_page_with_absolute_next_links_bound_to_their_query(http, sandbox):
    state = sandbox.tenant("acme")
    for n in range(3):
        state.add_user(f"person{n}@projecthub.example", f"Person {n}")
    seen, url = [], "/users?$top=3&$select=id,mail"
    while url:
        page = (await http.get(url)).json()
        assert set(page["value"][0]) == {"id", "mail"}
        seen += [u["mail"] for u in page["value"]]
        url = page.get("@odata.nextLink")
        assert url is None or (url.startswith(GRAPH + "/users?") and "$skiptoken=" in url)
    assert len(seen) == len(set(seen)) == 7
    first = (await http.get("/users?$top=3")).json()["@odata.nextLink"]
    moved = await http.get(first.replace("%24top=3", "").replace("$top=3", "$top=4"))
    assert moved.json()["error"]["message"] == "Specified skip token is invalid."


@pytest.mark.parametrize(("query", "code"), [
    ({"$top": "1000"}, "Request_UnsupportedQuery"),
    ({"$filter": "officeLocation eq 'x'"}, "Request_UnsupportedQuery"),
    ({"$filter": "mail eq"}, "BadRequest"),
])
async def test_unsupported_queries_are_graphs_400s(http, query, code):
    response = await http.get("/users", params=query)
    assert (response.status_code, response.json()["error"]["code"]) == (400, code)


async def test_filters_compare_directory_strings_case_insensitively(http):
    query = ("startswith(displayName,'ana') or (mail eq 'BEN.OKAFOR@projecthub.example' "
             "and accountEnabled eq true)")
    found = (await http.get("/users", params={"$filter": query})).json()["value"]
    assert sorted(u["displayName"] for u in found) == ["Ana López", "Ben Okafor"]


async def test_missing_permission_is_a_403_in_the_services_wording(http, raw, sandbox):
    sandbox.tenant("acme").roles.clear()
    await grant(sandbox, raw, http, "User.Read.All")
    groups = await http.get("/groups")
    assert groups.json()["error"]["code"] == "Authorization_RequestDenied"
    plans = await http.post("/planner/plans", json={"title": "x", "container": {"url": "y"}})
    assert plans.status_code == 403 and "Tasks.ReadWrite.All" in plans.text


async def test_rate_limit_fault_is_graphs_429_with_retry_after(http, sandbox):
    sandbox.faults.add(Fault(kind="rate_limit", retry_after=9, path_prefix="/v1.0/users"))
    throttled = await http.get("/users")
    assert (throttled.status_code, throttled.headers["retry-after"]) == (429, "9")
    error = throttled.json()["error"]
    assert error["code"] == "TooManyRequests"
    assert error["innerError"]["request-id"] == throttled.headers["request-id"]


async def test_unreadable_body_and_unknown_paths_use_graphs_envelope(http, raw):
    broken = await raw.post("/teams", content=b"{nope",
                             headers={"content-type": "application/json"})
    assert broken.json()["error"]["message"].startswith("Unable to read JSON request payload")
    unknown = await raw.get("/nothing/here")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "NotFound"


async def test_demo_tenant_has_people_a_team_with_channels_and_a_plan(sandbox):
    state = sandbox.tenant("demo")
    assert [u.display_name for u in state.users.values()] == [
        "Demo Admin", "Ana López", "Ben Okafor", "Former Staff"]
    (team,) = state.teams.values()
    assert [c.display_name for c in team.channels] == ["General", "Design"]
    (plan,) = state.plans.values()
    assert plan.group_id == team.id
    assert sorted(t.percent_complete for t in state.tasks.values()) == [0, 0, 0, 50, 50, 100, 100]


async def test_without_demo_seed_tenants_start_empty():
    sandbox = create_graph_sandbox(SandboxOptions(seed_demo=False))
    state = sandbox.tenant("acme")
    assert (state.users, state.groups, state.teams) == ({}, {}, {})


async def test_channel_messages_are_posted_kept_and_listed(sandbox, raw, http):
    """Notifications post ``chatMessage``s into a channel; the sandbox keeps them for reading."""
    team_id = (await http.get("/teams")).json()["value"][0]["id"]
    channels = (await http.get(f"/teams/{team_id}/channels")).json()["value"]
    general = next(c for c in channels if c["displayName"] == "General")
    posted = await http.post(f"/teams/{team_id}/channels/{general['id']}/messages", json={
        "subject": "Website is now red",
        "body": {"contentType": "html", "content": "<p><b>Website is now red</b></p>"}})
    assert posted.status_code == 201, posted.text
    message = posted.json()
    assert message["body"] == {"contentType": "html", "content": "<p><b>Website is now red</b></p>"}
    assert message["channelIdentity"] == {"teamId": team_id, "channelId": general["id"]}
    listed = (await http.get(f"/teams/{team_id}/channels/{general['id']}/messages")).json()
    assert [m["id"] for m in listed["value"]] == [message["id"]]
    (team,) = [t for t in sandbox.tenant("acme").teams.values() if t.id == team_id]
    assert [m.subject for c in team.channels for m in c.messages] == ["Website is now red"]
    empty = await http.post(f"/teams/{team_id}/channels/{general['id']}/messages",
                            json={"body": {"contentType": "text", "content": " "}})
    assert empty.status_code == 400
    missing = await http.post(f"/teams/{team_id}/channels/19:nope@thread.tacv2/messages",
                              json={"body": {"content": "hi"}})
    assert missing.status_code == 404
    sandbox.tenant("acme").roles.discard("ChannelMessage.Send")
    http.headers["Authorization"] = f"Bearer {await fetch_token(raw)}"
    refused = await http.post(f"/teams/{team_id}/channels/{general['id']}/messages",
                              json={"body": {"content": "hi"}})
    assert refused.status_code == 403 and "ChannelMessage.Send" in refused.text


async def test_the_demo_app_paces_team_operations_with_retry_after():
    """The app's own sandbox asks for a poll a second (a demo team takes seconds, not the
    connector's ten-second default); without the option no Retry-After is sent."""
    from projecthub.app import DEMO_POLL_SECONDS  # the value the app builds its sandbox with
    from projecthub.sandbox import create_sandbox_app

    for seconds, expected in ((DEMO_POLL_SECONDS, "1"), (None, None)):
        app = create_sandbox_app(sleep=FakeClock().sleep, graph_poll_seconds=seconds)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url=GRAPH) as client:
            client.headers["Authorization"] = f"Bearer {await fetch_token(client)}"
            owner = (await client.get(f"/users/{SANDBOX_EMAIL}")).json()["id"]
            accepted = await client.post("/teams", json={
                "template@odata.bind": STANDARD, "displayName": "Paced",
                "members": [owner_bind(owner)]})
            team, operation = re.findall(r"'([^']+)'", accepted.headers["location"])
            polled = await client.get(f"/teams/{team}/operations/{operation}")
        assert accepted.status_code == 202 and polled.json()["status"] == "inProgress"
        assert accepted.headers.get("retry-after") == expected
        assert polled.headers.get("retry-after") == expected
