"""A signed-up owner with a freshly provisioned four-tool project, as a new user ends up with one.

``provision_project(page, server, ...)`` signs the owner up (through the REST API, which also logs
the page's context in), connects the four tools to the app's own sandbox, and starts the built-in
template with its defaults (starter pages, extra channels, a Planner plan and a budget); the app's
provisioning worker runs it. Returns once the run has succeeded.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from playwright.sync_api import Page
from sqlalchemy import create_engine
from sqlmodel import Session, select

from projecthub.models import Membership, Organization, ProvisioningRun, RunStatus, User
from projecthub.services import connections
from projecthub.services.principal import actor_for, principal_in_org
from projecthub.services.provisioning import service
from projecthub.services.templates import library
from tests.browser.harness import (
    SANDBOX_PERSON,
    AppServer,
    sandbox_person_joins,
    sign_up_and_log_in,
)

RUN_TIMEOUT_S = 120  # the Teams team is created asynchronously, as in Graph
TOKEN = "sandbox-demo"


@dataclass(frozen=True)
class Provisioned:
    project_id: uuid.UUID
    run_id: uuid.UUID
    org_slug: str


def _connections(db: Session, org: Organization, owner: User, base: str) -> dict[str, str]:
    who = principal_in_org(db, actor_for(owner), org.id)
    values = {
        "jira": ({"email": SANDBOX_PERSON[1]}, {"api_token": TOKEN}),
        "confluence": ({"email": SANDBOX_PERSON[1]}, {"api_token": TOKEN}),
        "productive": ({"organization_id": "1000"}, {"api_token": TOKEN}),
        "graph": ({"tenant_id": "projecthub.example",
                   "client_id": "00000000-0000-0000-0000-0000000a11ce",
                   "authority_host": f"{base}/sandbox/graph/login"}, {"client_secret": TOKEN}),
    }
    return {tool: str(connections.create_connection(
        db, who, tool=tool, name=f"Demo {tool}", base_url=f"{base}/sandbox/{tool}",
        settings_values=settings, secret_values=secrets).id)
        for tool, (settings, secrets) in values.items()}


def _start(server: AppServer, email: str, name: str, key: str, instance_admin: bool,
           skip: tuple[str, ...]) -> Provisioned:
    engine = create_engine(server.database_url)
    try:
        with Session(engine, expire_on_commit=False) as db:
            owner = db.exec(select(User).where(User.email == email)).one()
            owner.is_instance_admin = instance_admin
            org = db.exec(select(Organization).join(
                Membership, Membership.organization_id == Organization.id).where(
                Membership.user_id == owner.id)).one()
            dana = sandbox_person_joins(db, org)
            ids = _connections(db, org, owner, server.base_url)
            db.commit()
            who = principal_in_org(db, actor_for(owner), org.id)
            template = next(t for t in library.list_templates(db, who) if t.is_builtin)
            project, run = service.start_project(
                db, who, template_version_id=template.version_id, answers={
                    "name": name, "key": key, "project_type": "client",
                    "client_company": "Acme Retail GmbH", "start_date": "2026-09-01",
                    "end_date": "2027-03-31", "project_manager": str(dana.id),
                    "jira_connection": ids["jira"], "confluence_connection": ids["confluence"],
                    "graph_connection": ids["graph"], "productive_connection": ids["productive"],
                    "budget_amount": 24000, "billable_hours": 200,
                    **{f"{mode}_mode": "skip" for mode in skip}})
            db.commit()
            return Provisioned(project.id, run.id, org.slug)
    finally:
        engine.dispose()


def _wait_for(server: AppServer, run_id: uuid.UUID) -> None:
    engine = create_engine(server.database_url)
    deadline = time.monotonic() + RUN_TIMEOUT_S
    try:
        while time.monotonic() < deadline:
            with Session(engine) as db:
                run = db.get(ProvisioningRun, run_id)
                assert run is not None
                if run.status == RunStatus.SUCCEEDED:
                    return
                assert run.status != RunStatus.FAILED, f"provisioning failed: {run.error}"
            time.sleep(0.5)
    finally:
        engine.dispose()
    raise AssertionError(f"run {run_id} did not finish within {RUN_TIMEOUT_S}s")


def provision_project(page: Page, server: AppServer, *, email: str, password: str,
                      org_name: str, org_slug: str, name: str, key: str,
                      instance_admin: bool = False, skip: tuple[str, ...] = ()) -> Provisioned:
    """``skip``: the tools left out (their answers' prefix: jira, confluence, m365,
    productive)."""
    sign_up_and_log_in(page, email=email, name="Olu Adeyemi", password=password,
                       org_name=org_name, org_slug=org_slug)
    provisioned = _start(server, email, name, key, instance_admin, skip)
    _wait_for(server, provisioned.run_id)
    return provisioned
