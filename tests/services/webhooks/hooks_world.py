"""Webhook test helpers: sandboxes that post their webhooks to the API app in process, a
provisioned Jira project, and a job queue that records what the receiving route asks for."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import httpx
from sqlmodel import Session

from projecthub.api.main import create_api
from projecthub.jobs import work
from projecthub.sandbox.jira_state import SANDBOX_EMAIL
from projecthub.sandbox.webhooks import WebhookSender
from projecthub.services.provisioning import service
from projecthub.services.provisioning.runner import drive_run
from projecthub.services.status.sync import SyncConfig
from projecthub.services.webhooks import setup
from projecthub.services.webhooks.endpoints import WebhookSetup
from tests.services.provisioning.world import SANDBOX_HOST, TENANT, World, answers


@dataclass
class Notes:
    """The job queue the entry point would install: what was asked, in order."""

    webhooks: list[uuid.UUID] = field(default_factory=list)
    deferred: list[work.Job] = field(default_factory=list)

    def run_ready(self, run_id: uuid.UUID) -> None:
        pass

    def mail_queued(self, message_id: uuid.UUID) -> None:
        pass

    def webhook_received(self, delivery_id: uuid.UUID) -> None:
        self.webhooks.append(delivery_id)

    async def defer(self, job: work.Job) -> bool:
        self.deferred.append(job)
        return True


def deliver_to_api(world: World) -> WebhookSender:
    """The sandbox's deliveries reach the API app over an in-process HTTP transport."""
    sender = WebhookSender(httpx.ASGITransport(app=create_api()))
    for vendor in world.sandbox.vendors.values():
        vendor.webhooks = sender
    return sender


def sync_config(world: World) -> SyncConfig:
    runner = world.config()
    return SyncConfig(session_factory=runner.session_factory,
                      tools_factory=runner.tools_factory, now=world.clock.now)


def job_context(world: World, notes: Notes) -> work.Context:
    return work.Context(notes, world.config(), sync_config(world))


async def turn_on(world: World, tool: str) -> WebhookSetup:
    """An admin's "Receive changes instantly" on the world's connection to ``tool``."""
    config = world.config()
    return await setup.turn_on(config.session_factory, world.owner_principal,
                               config.tools_factory(world.owner_principal),
                               world.connection_ids[tool])


async def provisioned(world: World, db: Session, **overrides: object) -> uuid.UUID:
    """A project provisioned with the built-in template's ``answers(**overrides)``."""
    project, run = service.start_project(
        db, world.owner_principal, template_version_id=world.template_version_id,
        answers=answers(world, **overrides))
    db.commit()
    assert (await drive_run(run.id, world.config())).value == "succeeded"
    return project.id


async def provisioned_jira(world: World, db: Session, key: str = "WEBX") -> uuid.UUID:
    return await provisioned(world, db, key=key, name=f"Project {key}")


async def create_issue(world: World, key: str, summary: str) -> httpx.Response:
    """As anyone would, through the sandbox Jira's REST API."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=world.sandbox),
                                 base_url=f"{SANDBOX_HOST}/sandbox/jira",
                                 auth=(SANDBOX_EMAIL, f"sandbox-{TENANT}")) as client:
        return await client.post("/rest/api/3/issue", json={"fields": {
            "project": {"key": key}, "summary": summary, "issuetype": {"name": "Task"}}})
