"""A provisioning test world: an organization with connections pointing at in-process sandboxes,
and a runner whose connectors reach them through ``httpx.ASGITransport``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlmodel import Session

from projecthub.connectors.clock import FakeClock
from projecthub.models import Organization, User
from projecthub.sandbox import SandboxApp, create_sandbox_app
from projecthub.sandbox.jira_state import SANDBOX_EMAIL
from projecthub.services import connections
from projecthub.services.principal import Principal
from projecthub.services.provisioning.runner import RunnerConfig
from projecthub.services.templates import library
from projecthub.services.tool_clients import ToolClients
from tests.connectors.productive_validating import ProductiveValidatingTransport
from tests.factories import make_org, make_user, principal

SANDBOX_HOST = "http://127.0.0.1:9"  # never dialled: the transport below answers in-process
TENANT = "acme"


@dataclass
class World:
    db: Session
    org: Organization
    owner: User
    owner_principal: Principal
    sandbox: SandboxApp
    clock: FakeClock
    connection_ids: dict[str, str]
    template_version_id: str

    def config(self, *, worker: str = "worker-test", lease_seconds: int = 60) -> RunnerConfig:
        transport = httpx.ASGITransport(app=self.sandbox)
        # Productive traffic is checked against the vendor's resource schema on the way.
        productive = ProductiveValidatingTransport(transport)

        def transport_for(url: str) -> httpx.AsyncBaseTransport:
            return productive if url.endswith("/sandbox/productive") else transport

        def tools(p: Principal) -> ToolClients:
            return ToolClients(lambda: Session(self.db.get_bind(), expire_on_commit=False), p,
                               transport_factory=transport_for, clock=self.clock)

        return RunnerConfig(session_factory=lambda: Session(self.db.get_bind(),
                                                            expire_on_commit=False),
                            tools_factory=tools, worker_id=worker,
                            lease=timedelta(seconds=lease_seconds))


def build_world(db: Session) -> World:
    clock = FakeClock()
    sandbox = create_sandbox_app(sleep=clock.sleep, seed_demo=False)
    owner = make_user(db, email="pm@example.com", name="Pat Manager")
    org = make_org(db, owner, slug="acme")
    p = principal(db, owner, org)
    jira_state = sandbox.vendors["jira"].tenant(TENANT)
    jira_state.add_user(SANDBOX_EMAIL, "Sandbox Admin", site_admin=True)
    jira_state.add_user("pm@example.com", "Pat Manager")
    jira = connections.create_connection(
        db, p, tool="jira", name="Jira", base_url=f"{SANDBOX_HOST}/sandbox/jira",
        settings_values={"email": SANDBOX_EMAIL}, secret_values={"api_token": f"sandbox-{TENANT}"})
    site = sandbox.vendors["confluence"].tenant(TENANT)
    site.add_account(SANDBOX_EMAIL, "Sandbox Admin")
    site.now = clock.now
    confluence = connections.create_connection(
        db, p, tool="confluence", name="Confluence",
        base_url=f"{SANDBOX_HOST}/sandbox/confluence",
        settings_values={"email": SANDBOX_EMAIL}, secret_values={"api_token": f"sandbox-{TENANT}"})
    prod_state = sandbox.vendors["productive"].tenant(TENANT)
    prod_state.clock = clock.now  # its activity feed
    prod_state.add_person("Pat", "Manager", "pm@example.com")
    prod_state.add_company("Acme Retail GmbH")
    productive = connections.create_connection(
        db, p, tool="productive", name="Productive",
        base_url=f"{SANDBOX_HOST}/sandbox/productive",
        settings_values={"organization_id": "1000"},
        secret_values={"api_token": f"sandbox-{TENANT}"})
    directory = sandbox.vendors["graph"].tenant(TENANT)
    directory.add_user("pm@example.com", "Pat Manager")
    graph = connections.create_connection(
        db, p, tool="graph", name="Microsoft 365", base_url=f"{SANDBOX_HOST}/sandbox/graph",
        settings_values={"tenant_id": "contoso.onmicrosoft.com",
                         "client_id": "6731de76-14a6-49ae-97bc-6eba6914391e",
                         "authority_host": f"{SANDBOX_HOST}/sandbox/graph/login"},
        secret_values={"client_secret": f"sandbox-{TENANT}"})
    template = library.list_templates(db, p)[0]
    db.commit()  # the runner's sessions must see the connections and the built-in template
    return World(db, org, owner, p, sandbox, clock,
                 {"jira": str(jira.id), "confluence": str(confluence.id),
                  "productive": str(productive.id), "graph": str(graph.id)},
                 str(template.version_id))


def answers(world: World, **overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "name": "Website relaunch", "key": "WEBX", "project_type": "internal",
        "project_manager": str(world.owner.id), "jira_mode": "create",
        "jira_connection": world.connection_ids.get("jira"), "confluence_mode": "skip",
        "confluence_connection": world.connection_ids.get("confluence"),
        "productive_connection": world.connection_ids.get("productive"),
        "graph_connection": world.connection_ids.get("graph"),
        "client_company": "Acme Retail GmbH",
        "m365_mode": "skip", "productive_mode": "skip"}
    base.update(overrides)
    return base


def all_tools_answers(world: World) -> dict[str, object]:
    """Answers that create something in all four tools: a project, pages, a team and a budget."""
    return answers(world, project_type="client", confluence_mode="create",
                   starter_pages=["Project charter"], m365_mode="create",
                   team_name="Website Relaunch", channels=["Planning"], planner=True,
                   productive_mode="create", budget_type="time_and_materials",
                   budget_amount=5000, billable_hours=40)
