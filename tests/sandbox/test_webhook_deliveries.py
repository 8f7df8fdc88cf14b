"""The sandboxes call back as the vendors do: Jira's admin webhooks deliver a signed
``jira:issue_created`` whose issue is the very issue the spec-checked REST API answers; Graph
validates a subscription's endpoint before creating it, answers subscriptions with the
properties Graph's metadata gives the entity, and notifies a group change with our clientState
(the change itself a spec-checked ``PATCH /groups/{id}``)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from projecthub.connectors.clock import FakeClock
from projecthub.core.signatures import hub_signature
from projecthub.sandbox import create_sandbox_app
from projecthub.sandbox.jira_state import SANDBOX_EMAIL
from tests.connectors.graph_setup import GRAPH_SPECS
from tests.connectors.jira_setup import JIRA_SPECS, SITE, TOKEN
from tests.connectors.productive_schema import load_schema
from tests.connectors.validating import ValidatingTransport
from tests.sandbox.entra import fetch_token

CSDL = Path("/work/shared/specs/msgraph/v1.0-Prod.csdl.xml")
GRAPH = "http://sandbox.test/sandbox/graph/v1.0"
HOOK = "https://app.example/api/v1/hooks/abc"


class Receiver:
    """The app's side: records each delivery; echoes Graph's validation token."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        token = request.url.params.get("validationToken")
        if token is not None:
            return httpx.Response(200, text=token, headers={"content-type": "text/plain"})
        return httpx.Response(202)


@pytest.fixture
def receiver():
    return Receiver()


@pytest.fixture
def sandbox(receiver):
    return create_sandbox_app(sleep=FakeClock().sleep, webhook_transport=httpx.MockTransport(
        receiver))


async def test_jira_delivers_the_created_issue_signed(sandbox, receiver):
    asgi = httpx.ASGITransport(app=sandbox)
    auth = (SANDBOX_EMAIL, TOKEN)
    async with httpx.AsyncClient(transport=asgi, base_url=SITE, auth=auth) as raw, \
            httpx.AsyncClient(transport=ValidatingTransport(asgi, JIRA_SPECS), base_url=SITE,
                              auth=auth) as checked:
        made = await raw.post("/rest/webhooks/1.0/webhook", json={
            "name": "ProjectHub", "url": HOOK, "events": ["jira:issue_created"],
            "secret": "s3cret"})
        assert made.status_code == 201 and "s3cret" not in made.text
        listed = await raw.get("/rest/webhooks/1.0/webhook")
        assert [h["url"] for h in listed.json()] == [HOOK] and "s3cret" not in listed.text
        project = (await checked.get("/rest/api/3/project/search")).json()["values"][0]
        created = await checked.post("/rest/api/3/issue", json={"fields": {
            "project": {"key": project["key"]}, "summary": "Hooked",
            "issuetype": {"name": "Task"}}})
        assert created.status_code == 201
        await sandbox.vendors["jira"].webhooks.drain()
        issue = (await checked.get(f"/rest/api/3/issue/{created.json()['key']}")).json()
    [delivery] = receiver.requests
    assert delivery.headers["x-hub-signature"] == hub_signature("s3cret", delivery.content)
    assert delivery.headers["x-atlassian-webhook-identifier"]
    body = json.loads(delivery.content)
    assert body["webhookEvent"] == "jira:issue_created" and body["issue"] == issue
    assert abs(body["timestamp"] / 1000 - datetime.now(UTC).timestamp()) < 60


async def test_only_jira_admins_manage_webhooks(sandbox):
    jira = sandbox.vendors["jira"].tenant("acme")
    for user in jira.users:
        user.site_admin = False
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox), base_url=SITE,
                                 auth=(SANDBOX_EMAIL, TOKEN)) as raw:
        refused = await raw.post("/rest/webhooks/1.0/webhook", json={
            "name": "x", "url": HOOK, "events": ["jira:issue_created"]})
    assert refused.status_code == 403


def _subscription_properties() -> set[str]:
    ns = {"e": "http://docs.oasis-open.org/odata/ns/edm"}
    root = ET.parse(CSDL).getroot()
    entity = root.find(".//e:EntityType[@Name='subscription']", ns)
    assert entity is not None
    return {p.get("Name") for p in entity.findall("e:Property", ns)} | {"id"}


async def test_graph_validates_then_subscribes_then_notifies(sandbox, receiver):
    asgi = httpx.ASGITransport(app=sandbox)
    async with httpx.AsyncClient(transport=asgi, base_url=GRAPH) as raw:
        raw.headers["Authorization"] = f"Bearer {await fetch_token(raw)}"
        expires = (datetime.now(UTC) + timedelta(days=2)).isoformat()
        made = await raw.post("/subscriptions", json={
            "changeType": "updated", "notificationUrl": HOOK, "resource": "groups",
            "clientState": "our-state", "expirationDateTime": expires})
        assert made.status_code == 201, made.text
        assert [r.url.params.get("validationToken") is not None
                for r in receiver.requests] == [True]
        sub = made.json()
        assert set(sub) - {"@odata.context"} <= _subscription_properties()
        too_long = await raw.patch(f"/subscriptions/{sub['id']}", json={
            "expirationDateTime": (datetime.now(UTC) + timedelta(days=40)).isoformat()})
        assert too_long.status_code == 400
        group = (await raw.get("/groups")).json()["value"][0]
        groups_spec = tuple(b for b in GRAPH_SPECS if b.spec.endswith("Groups.v1.0.yml"))
        checked = httpx.AsyncClient(transport=ValidatingTransport(asgi, groups_spec),
                                    base_url=GRAPH, headers=dict(raw.headers))
        async with checked:
            changed = await checked.patch(f"/groups/{group['id']}",
                                          json={"description": "Changed"})
        assert changed.status_code == 204
        await sandbox.vendors["graph"].webhooks.drain()
    note = json.loads(receiver.requests[-1].content)["value"][0]
    assert note["clientState"] == "our-state" and note["resourceData"]["id"] == group["id"]
    assert note["subscriptionId"] == sub["id"] and note["changeType"] == "updated"


async def test_graph_refuses_an_endpoint_that_fails_the_handshake(sandbox, receiver):
    sandbox.vendors["graph"].webhooks._transport = httpx.MockTransport(
        lambda _r: httpx.Response(404))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox),
                                 base_url=GRAPH) as raw:
        raw.headers["Authorization"] = f"Bearer {await fetch_token(raw)}"
        refused = await raw.post("/subscriptions", json={
            "changeType": "updated", "notificationUrl": HOOK, "resource": "groups",
            "clientState": "s", "expirationDateTime": (
                datetime.now(UTC) + timedelta(days=1)).isoformat()})
    assert refused.status_code == 400
    assert "validation" in refused.json()["error"]["message"]


async def test_productive_delivers_the_new_record_as_the_schema_describes(sandbox, receiver):
    headers = {"Content-Type": "application/vnd.api+json", "X-Auth-Token": "sandbox-acme",
               "X-Organization-Id": "1000"}
    prod = sandbox.vendors["productive"].tenant("acme")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox), headers=headers,
                                 base_url="http://sandbox.test/sandbox/productive/api/v2") as c:
        hook = await c.post("/webhooks", json={"data": {"type": "webhooks", "attributes": {
            "url": HOOK + "?secret=s", "event": "companies"}}})
        assert hook.status_code == 400  # companies are not an event Productive offers here
        hook = await c.post("/webhooks", json={"data": {"type": "webhooks", "attributes": {
            "url": HOOK + "?secret=s", "event": "deals"}}})
        assert hook.status_code == 201
        budget = next(d for d in prod.table("deals").values() if d.budget)
        made = await c.post("/deals", json={"data": {
            "type": "deals", "attributes": {"name": "Change request", "deal_type_id": 2,
                                            "budget": True},
            "relationships": {
                name: {"data": {"type": kind, "id": getattr(budget, f"{name}_id")}}
                for name, kind in (("project", "projects"), ("company", "companies"),
                                   ("responsible", "people"),
                                   ("subsidiary", "subsidiaries"))}}})
        assert made.status_code == 201, made.text
        await sandbox.vendors["productive"].webhooks.drain()
    [delivery] = receiver.requests
    assert delivery.url.params["secret"] == "s" and "x-hub-signature" not in delivery.headers
    body = json.loads(delivery.content)
    assert load_schema().check_resource(body["data"], "deals") == []
    assert body["data"]["relationships"]["project"]["data"]["id"] == budget.project_id


async def test_jira_transitions_are_spec_shaped_and_announce_the_update(sandbox, receiver):
    asgi = httpx.ASGITransport(app=sandbox)
    auth = (SANDBOX_EMAIL, TOKEN)
    async with httpx.AsyncClient(transport=asgi, base_url=SITE, auth=auth) as raw, \
            httpx.AsyncClient(transport=ValidatingTransport(asgi, JIRA_SPECS), base_url=SITE,
                              auth=auth) as checked:
        await raw.post("/rest/webhooks/1.0/webhook", json={
            "name": "ProjectHub", "url": HOOK, "events": ["jira:issue_updated"],
            "secret": "s3cret"})
        project = (await checked.get("/rest/api/3/project/search")).json()["values"][0]
        made = await checked.post("/rest/api/3/issue", json={"fields": {
            "project": {"key": project["key"]}, "summary": "Move me",
            "issuetype": {"name": "Task"}}})
        key = made.json()["key"]
        offered = (await checked.get(f"/rest/api/3/issue/{key}/transitions")).json()
        done = next(t for t in offered["transitions"] if t["to"]["name"] == "Done")
        moved = await checked.post(f"/rest/api/3/issue/{key}/transitions",
                                   json={"transition": {"id": done["id"]}})
        assert moved.status_code == 204
        again = await raw.post(f"/rest/api/3/issue/{key}/transitions",
                               json={"transition": {"id": done["id"]}})
        assert again.status_code == 400
        await sandbox.vendors["jira"].webhooks.drain()
    [delivery] = receiver.requests  # only the update was asked for
    body = json.loads(delivery.content)
    assert body["webhookEvent"] == "jira:issue_updated"
    assert body["issue"]["fields"]["status"]["name"] == "Done"
