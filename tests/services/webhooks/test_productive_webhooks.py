"""Productive: no registration by API and no signature, so turning it on answers an address
with the secret in its query; registered in the sandbox Productive, a new budget on the
project is delivered (JSON:API, unsigned) and refreshes that project's Productive figures."""

from __future__ import annotations

import httpx
from sqlmodel import select

from projecthub.jobs import work
from projecthub.models import StatusSnapshot
from tests.services.provisioning.world import SANDBOX_HOST, TENANT
from tests.services.webhooks.hooks_world import deliver_to_api, job_context, provisioned, turn_on

JSON_API = {"Content-Type": "application/vnd.api+json", "X-Auth-Token": f"sandbox-{TENANT}",
            "X-Organization-Id": "1000"}


def ref(kind: str, ident: str) -> dict:
    return {"data": {"type": kind, "id": ident}}


async def test_a_new_budget_in_productive_refreshes_its_project(world, db, notes):
    sender = deliver_to_api(world)
    project_id = await provisioned(world, db, jira_mode="skip", project_type="client",
                                   productive_mode="create", budget_type="fixed",
                                   budget_amount=1000)
    done = await turn_on(world, "productive")
    assert done.mode == "manual" and done.url.endswith(f"?secret={done.secret}")
    prod = world.sandbox.vendors["productive"].tenant(TENANT)
    budget = next(iter(prod.table("deals").values()))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=world.sandbox),
                                 base_url=f"{SANDBOX_HOST}/sandbox/productive/api/v2",
                                 headers=JSON_API) as client:
        hook = await client.post("/webhooks", json={"data": {
            "type": "webhooks", "attributes": {"url": done.url, "event": "deals"}}})
        assert hook.status_code == 201
        made = await client.post("/deals", json={"data": {
            "type": "deals", "attributes": {"name": "Change request", "deal_type_id": 2,
                                            "budget": True},
            "relationships": {"project": ref("projects", budget.project_id),
                              "company": ref("companies", budget.company_id),
                              "responsible": ref("people", budget.responsible_id),
                              "subsidiary": ref("subsidiaries", budget.subsidiary_id)}}})
        assert made.status_code == 201, made.text
    await sender.drain()
    assert [s.status for s in sender.sent] == [202] and "X-Hub-Signature" not in \
        sender.sent[0].headers
    assert await work.handle_webhook(job_context(world, notes), str(notes.webhooks[0])) == 1
    db.expire_all()
    snap = db.exec(select(StatusSnapshot).where(StatusSnapshot.tool == "productive",
                                                StatusSnapshot.kind == "project")).one()
    assert snap.refreshed_by == "webhook" and snap.project_id == project_id
