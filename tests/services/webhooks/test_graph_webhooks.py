"""Graph change notifications end to end in process: turning them on creates a subscription in
the sandbox Graph, which first performs the validation handshake against the API; a change to
the project's group is delivered with our clientState and refreshes the project; the periodic
renewal extends subscriptions before Graph would delete them."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlmodel import select

from projecthub.core.clock import utcnow
from projecthub.jobs import work
from projecthub.models import ProjectResource, StatusSnapshot, WebhookEndpoint
from projecthub.services.webhooks.renewal import renew_subscriptions
from tests.sandbox.entra import fetch_token
from tests.services.provisioning.world import SANDBOX_HOST, TENANT
from tests.services.webhooks.hooks_world import (
    deliver_to_api,
    job_context,
    provisioned,
    sync_config,
    turn_on,
)


async def provisioned_team(world, db):
    project_id = await provisioned(world, db, jira_mode="skip", m365_mode="create",
                                   team_name="Harbour", channels=[], planner=True)
    team = db.exec(select(ProjectResource).where(ProjectResource.tool == "graph",
                                                 ProjectResource.kind == "team")).one()
    return project_id, team.external_id


async def turn_on_graph(world):
    return await turn_on(world, "graph")


async def patch_group(world, group_id: str, description: str) -> httpx.Response:
    """As an admin would, through the sandbox Graph's own API."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=world.sandbox),
                                 base_url=f"{SANDBOX_HOST}/sandbox/graph/v1.0") as client:
        client.headers["Authorization"] = f"Bearer {await fetch_token(client, f'sandbox-{TENANT}')}"
        return await client.patch(f"/groups/{group_id}", json={"description": description})


async def test_subscription_handshake_then_a_group_change_refreshes_the_project(world, db,
                                                                              notes):
    sender = deliver_to_api(world)
    project_id, group_id = await provisioned_team(world, db)
    done = await turn_on_graph(world)
    assert done.mode == "registered" and done.expires_at is not None, done.problem
    subs = list(world.sandbox.vendors["graph"].tenant(TENANT).subscriptions.values())
    assert [s.url for s in subs] == [done.url] and subs[0].client_state == done.secret

    assert (await patch_group(world, group_id, "Now with a harbour")).status_code == 204
    await sender.drain()
    assert [s.status for s in sender.sent] == [202]
    world.clock.advance(5)
    assert await work.handle_webhook(job_context(world, notes), str(notes.webhooks[0])) == 1
    db.expire_all()
    refreshed = {s.kind: s.refreshed_by for s in db.exec(select(StatusSnapshot).where(
        StatusSnapshot.project_id == project_id)).all()}
    assert refreshed["plan"] == "webhook"


async def test_a_notification_without_our_client_state_is_refused(world, db, notes, client):
    await provisioned_team(world, db)
    done = await turn_on_graph(world)
    path = "/api/v1/hooks/" + done.url.rsplit("/", 1)[-1]
    forged = client.post(path, json={"value": [{"clientState": "guess", "changeType": "updated",
                                                "resourceData": {"id": "x"}}]})
    assert forged.status_code == 401 and notes.webhooks == []
    handshake = client.post(path, params={"validationToken": "echo me"})
    assert handshake.status_code == 200 and handshake.text == "echo me"
    assert handshake.headers["content-type"].startswith("text/plain")


async def test_an_endpoint_that_fails_the_handshake_gets_no_subscription(world, db, notes,
                                                                         monkeypatch):
    sender = deliver_to_api(world)

    async def refuse(_method, _url):
        return httpx.Response(404)
    monkeypatch.setattr(sender, "request", refuse)
    await provisioned_team(world, db)
    done = await turn_on_graph(world)
    assert done.mode == "manual" and "validation" in done.problem
    assert world.sandbox.vendors["graph"].tenant(TENANT).subscriptions == {}


async def test_renewal_extends_subscriptions_ending_within_a_day(world, db, notes):
    deliver_to_api(world)
    await provisioned_team(world, db)
    await turn_on_graph(world)
    row = db.exec(select(WebhookEndpoint)).one()
    soon = utcnow() + timedelta(hours=2)
    row.expires_at = soon
    db.add(row)
    db.commit()
    config = sync_config(world)
    assert await renew_subscriptions(config.session_factory, config.tools_factory,
                                     utcnow()) == 1
    db.expire_all()
    renewed = db.exec(select(WebhookEndpoint)).one().expires_at
    assert renewed > soon + timedelta(days=2)
    sub = next(iter(world.sandbox.vendors["graph"].tenant(TENANT).subscriptions.values()))
    assert sub.expires.startswith(renewed.strftime("%Y-%m-%dT%H:%M"))
    assert await renew_subscriptions(config.session_factory, config.tools_factory,
                                     utcnow()) == 0
