"""Jira webhooks end to end in process: turned on for a connection (registered by Jira's admin
webhook API), an issue created in the sandbox Jira is delivered signed to the API, accepted
once, mapped to its project and refreshed by the background job, marked as a webhook's figure."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import select

from projecthub.core.clock import utcnow
from projecthub.jobs import work
from projecthub.models import AuditEvent, StatusSnapshot, WebhookDelivery, WebhookEndpoint
from projecthub.services.status.sync import claim, refresh_project
from projecthub.services.webhooks import setup
from projecthub.services.webhooks.endpoints import prepare_endpoint
from projecthub.services.webhooks.receive import purge_expired_deliveries
from tests.services.provisioning.world import TENANT
from tests.services.webhooks.hooks_world import (
    create_issue,
    deliver_to_api,
    job_context,
    provisioned_jira,
    sync_config,
    turn_on,
)


def jira_snapshot(db):
    db.expire_all()
    return db.exec(select(StatusSnapshot).where(StatusSnapshot.tool == "jira")).one()


async def turn_on_jira(world):
    return await turn_on(world, "jira")


async def test_an_issue_created_in_jira_refreshes_only_its_project_by_webhook(world, db, notes):
    sender = deliver_to_api(world)
    web = await provisioned_jira(world, db, "WEBX")
    other = await provisioned_jira(world, db, "OTHR")
    for project_id in (web, other):
        await refresh_project(project_id, sync_config(world))
    turned_on = await turn_on_jira(world)
    assert turned_on.mode == "registered" and turned_on.instructions == []
    hooks = list(world.sandbox.vendors["jira"].tenant(TENANT).hooks.values())
    assert [h.url for h in hooks] == [turned_on.url] and hooks[0].secret == turned_on.secret

    created = await create_issue(world, "WEBX", "Fix the header")
    assert created.status_code == 201
    await sender.drain()
    assert [s.status for s in sender.sent] == [202]
    assert len(notes.webhooks) == 1  # the job was asked for, after the commit

    world.clock.advance(5)
    refreshed = await work.handle_webhook(job_context(world, notes), str(notes.webhooks[0]))
    assert refreshed == 1
    snaps = {s.project_id: s for s in db.exec(select(StatusSnapshot)).all()}
    assert snaps[web].data.to_do == 1 and snaps[web].refreshed_by == "webhook"
    assert snaps[web].fetched_at == world.clock.now()
    assert snaps[other].refreshed_by == "sync" and snaps[other].fetched_at != world.clock.now()
    assert db.exec(select(WebhookDelivery)).one().handled_at is not None


async def test_a_replayed_delivery_is_refused_and_audited(world, db, notes, client):
    sender = deliver_to_api(world)
    await provisioned_jira(world, db)
    await turn_on_jira(world)
    await create_issue(world, "WEBX", "Once")
    await sender.drain()
    first = sender.sent[0]
    token = first.url.rsplit("/", 1)[-1]
    again = client.post(f"/api/v1/hooks/{token}", headers=first.headers,
                        content=json.dumps(first.body, separators=(",", ":")))
    assert again.status_code == 409 and again.json() == {"detail": "Conflict."}
    assert len(notes.webhooks) == 1
    db.expire_all()
    actions = db.exec(select(AuditEvent.action)).all()
    assert "webhook.replayed" in actions


async def test_a_sync_already_running_makes_the_job_try_again_shortly(world, db, notes):
    sender = deliver_to_api(world)
    web = await provisioned_jira(world, db)
    await turn_on_jira(world)
    await create_issue(world, "WEBX", "Busy")
    await sender.drain()
    busy = sync_config(world)
    busy.worker_id = "someone-else"
    assert claim(web, busy)
    await work.handle_webhook(job_context(world, notes), str(notes.webhooks[0]))
    assert [j.task for j in notes.deferred] == ["handle_webhook"]
    assert notes.deferred[0].args["attempt"] == 2 and notes.deferred[0].run_at is not None


async def test_turning_off_removes_the_registration_and_refuses_deliveries(world, db, notes,
                                                                           client):
    sender = deliver_to_api(world)
    await provisioned_jira(world, db)
    on = await turn_on_jira(world)
    config = world.config()
    await setup.turn_off(config.session_factory, world.owner_principal,
                         config.tools_factory(world.owner_principal),
                         world.connection_ids["jira"])
    assert world.sandbox.vendors["jira"].tenant(TENANT).hooks == {}
    assert db.exec(select(WebhookEndpoint)).all() == []
    token = on.url.rsplit("/", 1)[-1]
    assert client.post(f"/api/v1/hooks/{token}", json={}).status_code == 401
    assert sender.sent == []


async def test_turning_on_again_replaces_the_address_and_the_registration(world, db, notes):
    await provisioned_jira(world, db)
    first = await turn_on_jira(world)
    second = await turn_on_jira(world)
    assert first.url != second.url and first.secret != second.secret
    hooks = world.sandbox.vendors["jira"].tenant(TENANT).hooks
    assert [h.url for h in hooks.values()] == [second.url]


async def test_without_admin_rights_in_jira_the_admin_gets_instructions(world, db, notes):
    await provisioned_jira(world, db)
    jira = world.sandbox.vendors["jira"].tenant(TENANT)
    for user in jira.users:
        user.site_admin = False
    done = await turn_on_jira(world)
    assert done.mode == "manual" and done.problem
    assert done.instructions and any("WebHooks" in line for line in done.instructions)
    assert done.url.startswith("http") and done.secret


def test_expired_delivery_ids_are_purged(db, world):
    new = prepare_endpoint(db, world.owner_principal, world.connection_ids["jira"])
    db.flush()
    now = utcnow()
    for key, expires in (("old", now - timedelta(seconds=1)), ("new", now + timedelta(hours=1))):
        db.add(WebhookDelivery(organization_id=world.org.id, endpoint_id=new.endpoint_id,
                               delivery_key=key, expires_at=expires))
    db.flush()
    purge_expired_deliveries(db, now)
    assert db.exec(select(WebhookDelivery.delivery_key)).all() == ["new"]
