"""Confluence: ProjectHub cannot register a site webhook for a Cloud API token, so turning it on
answers the steps with the address and secret; pasted into the sandbox Confluence (as an admin
would in its settings), a page created through the v2 API is delivered signed and refreshes the
project that owns the space."""

from __future__ import annotations

import httpx
from sqlmodel import select

from projecthub.jobs import work
from projecthub.models import StatusSnapshot
from projecthub.sandbox.jira_state import SANDBOX_EMAIL
from tests.services.provisioning.world import SANDBOX_HOST, TENANT
from tests.services.webhooks.hooks_world import deliver_to_api, job_context, provisioned, turn_on


def confluence(world) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=world.sandbox),
                             base_url=f"{SANDBOX_HOST}/sandbox/confluence",
                             auth=(SANDBOX_EMAIL, f"sandbox-{TENANT}"))


async def test_pasted_confluence_webhook_delivers_a_signed_page_event(world, db, notes):
    sender = deliver_to_api(world)
    project_id = await provisioned(world, db, jira_mode="skip", confluence_mode="create",
                                   starter_pages=[])
    done = await turn_on(world, "confluence")
    assert done.mode == "manual" and done.secret and done.instructions
    async with confluence(world) as client:
        pasted = await client.post("/wiki/rest/api/webhooks", json={
            "name": "ProjectHub", "events": ["page_created"], "url": done.url,
            "configuration": {"secret": done.secret}, "active": True})
        assert pasted.status_code == 201 and done.secret not in pasted.text
        space = next(iter(world.sandbox.vendors["confluence"].tenant(TENANT).spaces.values()))
        page = await client.post("/wiki/api/v2/pages", json={
            "spaceId": str(space.id), "status": "current", "title": "Kick-off notes"})
        assert page.status_code == 200, page.text
    await sender.drain()
    assert [s.status for s in sender.sent] == [202]
    assert "X-Hub-Signature" in sender.sent[0].headers
    assert await work.handle_webhook(job_context(world, notes), str(notes.webhooks[0])) == 1
    db.expire_all()
    snap = db.exec(select(StatusSnapshot).where(StatusSnapshot.kind == "space")).one()
    assert snap.refreshed_by == "webhook" and snap.project_id == project_id
