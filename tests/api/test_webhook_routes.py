"""Webhooks over the API: admins turn a connection's webhook on (the address and secret answered
once) and off; the delivery endpoint accepts what the vendor signed, and refuses forged,
unsigned, stale, replayed and unknown deliveries with one bare answer each, audited."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from sqlmodel import select

from projecthub.api.routes import webhooks as route
from projecthub.core.signatures import hub_signature
from projecthub.models import AuditEvent, Role, WebhookDelivery
from projecthub.services.webhooks.receive import AUDITED_REFUSALS_PER_IP
from tests.api.tokens import bearer
from tests.factories import add_member, user_of
from tests.services.provisioning.world import World, build_world
from tests.services.webhooks.hooks_world import deliver_to_api


@pytest.fixture
def world(db, monkeypatch) -> World:
    world = build_world(db)
    monkeypatch.setattr(route, "tool_clients", world.config().tools_factory)
    return world


def hook_url(world: World, tool: str = "jira") -> str:
    return f"/api/v1/orgs/{world.org.slug}/connections/{world.connection_ids[tool]}/webhook"


def turn_on(client, db, world, tool: str = "jira") -> dict:
    response = client.post(hook_url(world, tool), headers=bearer(db, world.owner, world.org))
    assert response.status_code == 201, response.text
    return response.json()


def jira_delivery(secret: str, *, key: str = "WEBX", sent_ms: int | None = None,
                  delivery_id: str | None = None) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"timestamp": sent_ms or int(time.time() * 1000),
                       "webhookEvent": "jira:issue_updated",
                       "issue": {"id": "10001", "key": f"{key}-1", "fields": {
                           "project": {"id": "10000", "key": key}}}}).encode()
    return body, {"Content-Type": "application/json",
                  "X-Atlassian-Webhook-Identifier": delivery_id or str(uuid.uuid4()),
                  "X-Hub-Signature": hub_signature(secret, body)}


def path_of(setup: dict) -> str:
    return "/api/v1/hooks/" + setup["url"].rsplit("/", 1)[-1].split("?")[0]


def audited(db) -> list[str]:
    db.expire_all()
    return list(db.exec(select(AuditEvent.action)).all())


def test_turn_on_answers_address_and_secret_once_then_read_and_turn_off(client, db, world):
    setup = turn_on(client, db, world)
    assert setup["mode"] == "registered" and setup["secret"] and "/api/v1/hooks/" in setup["url"]
    headers = bearer(db, world.owner, world.org)
    read = client.get(hook_url(world), headers=headers)
    assert read.status_code == 200 and read.json()["mode"] == "registered"
    assert setup["secret"] not in read.text and path_of(setup) not in read.text
    assert client.delete(hook_url(world), headers=headers).status_code == 204
    assert client.get(hook_url(world), headers=headers).json() is None
    assert client.post(path_of(setup), content=b"{}").status_code == 401


def test_members_may_not_manage_webhooks(client, db, world):
    member = add_member(db, world.org, role=Role.MEMBER)
    headers = bearer(db, user_of(db, member), world.org)
    assert client.post(hook_url(world), headers=headers).status_code == 403
    assert client.get(hook_url(world), headers=headers).status_code == 403


def test_a_signed_jira_delivery_is_accepted_with_202(client, db, world):
    setup = turn_on(client, db, world)
    body, headers = jira_delivery(setup["secret"])
    response = client.post(path_of(setup), content=body, headers=headers)
    assert response.status_code == 202 and response.content == b""
    delivery = db.exec(select(WebhookDelivery)).one()
    assert delivery.refs == ["10000", "WEBX"] and delivery.event == "jira:issue_updated"


@pytest.mark.parametrize("forgery", ["bad signature", "unsigned", "stale", "no id", "not json"])
def test_forged_jira_deliveries_are_401_without_detail_and_audited(client, db, world, forgery):
    setup = turn_on(client, db, world)
    body, headers = jira_delivery(setup["secret"])
    if forgery == "bad signature":
        headers["X-Hub-Signature"] = hub_signature("guessed", body)
    elif forgery == "unsigned":
        del headers["X-Hub-Signature"]
    elif forgery == "stale":
        body, headers = jira_delivery(setup["secret"],
                                      sent_ms=int((time.time() - 3600) * 1000))
    elif forgery == "no id":
        del headers["X-Atlassian-Webhook-Identifier"]
    else:
        body = b"not json"
        headers["X-Hub-Signature"] = hub_signature(setup["secret"], body)
    response = client.post(path_of(setup), content=body, headers=headers)
    assert response.status_code == 401 and response.json() == {"detail": "Unauthorized."}
    assert "webhook.forged" in audited(db)
    assert db.exec(select(WebhookDelivery)).all() == []


def test_a_replayed_jira_delivery_is_409(client, db, world):
    setup = turn_on(client, db, world)
    body, headers = jira_delivery(setup["secret"])
    assert client.post(path_of(setup), content=body, headers=headers).status_code == 202
    again = client.post(path_of(setup), content=body, headers=headers)
    assert again.status_code == 409 and again.json() == {"detail": "Conflict."}
    assert "webhook.replayed" in audited(db)


def test_an_unknown_endpoint_is_401_and_audited(client, db, world):
    turn_on(client, db, world)
    response = client.post("/api/v1/hooks/not-a-real-token", content=b"{}")
    assert response.status_code == 401 and response.json() == {"detail": "Unauthorized."}
    assert "webhook.unknown" in audited(db)


def test_an_oversized_delivery_is_refused(client, db, world):
    setup = turn_on(client, db, world)
    response = client.post(path_of(setup), content=b"x" * 1_000_001)
    assert response.status_code == 413


def test_productive_deliveries_need_the_secret_in_the_query(client, db, world):
    setup = turn_on(client, db, world, "productive")
    assert setup["mode"] == "manual" and "?secret=" in setup["url"]
    assert any("Productive" in step for step in setup["instructions"])
    body = json.dumps({"data": {"type": "tasks", "id": "7", "relationships": {
        "project": {"data": {"type": "projects", "id": "42"}}}}}).encode()
    path = path_of(setup)
    good = client.post(path, params={"secret": setup["secret"]}, content=body)
    assert good.status_code == 202
    assert client.post(path, params={"secret": setup["secret"]},
                       content=body).status_code == 409
    assert client.post(path, params={"secret": "guess"}, content=body).status_code == 401
    assert client.post(path, content=body).status_code == 401


def test_graph_handshake_is_echoed_as_text_and_client_state_checked(client, db, world):
    deliver_to_api(world)  # the sandbox Graph validates the endpoint on the way
    setup = turn_on(client, db, world, "graph")
    assert setup["mode"] == "registered", setup["problem"]
    path = path_of(setup)
    echo = client.post(path, params={"validationToken": "Validation: Testing client"})
    assert echo.status_code == 200 and echo.text == "Validation: Testing client"
    assert echo.headers["content-type"].startswith("text/plain")
    note = {"value": [{"clientState": setup["secret"], "changeType": "updated",
                       "resourceData": {"id": "g-1"}}]}
    assert client.post(path, json=note).status_code == 202
    assert client.post(path, json=note).status_code == 409
    note["value"][0]["clientState"] = "guess"
    assert client.post(path, json=note).status_code == 401


def test_a_flood_of_guessed_endpoints_cannot_bury_the_audit_log(client, db, world):
    """Every guess is refused alike, but only the first ones an hour from one address are
    audited: the log keeps its other events readable."""
    turn_on(client, db, world)
    for n in range(AUDITED_REFUSALS_PER_IP + 15):
        response = client.post(f"/api/v1/hooks/guess-{n}", content=b"{}")
        assert response.status_code == 401 and response.json() == {"detail": "Unauthorized."}
    assert audited(db).count("webhook.unknown") == AUDITED_REFUSALS_PER_IP
