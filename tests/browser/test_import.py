"""Importing 300 existing projects in one action, in the built app against its own sandbox.

The sandbox's Jira gets 301 projects (P000…P300) and its Confluence a space of the same key
for each, through the tools' own REST APIs, and its Productive a project of the same name for
every tenth, through ProjectHub's connector. Ana (a Jira project lead) is a member of the
organization. The admin opens Import projects, searches, selects all; meanwhile someone creates
a project P007 by hand. Import: progress runs to the end, 300 projects are created linked to
their Jira project, Confluence space (and Productive project), P007 is listed as not imported
with the reason, and the tools' people without an account here are named.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, func
from sqlmodel import Session, col, select

from projecthub.connectors.productive_models import ProjectType
from projecthub.models import (
    Membership,
    Organization,
    Project,
    ProjectMember,
    ProjectResource,
    Role,
    User,
)
from projecthub.services import accounts, connections, verification
from projecthub.services.principal import Principal, actor_for, principal_in_org
from projecthub.services.tool_clients import ToolClients
from tests.browser.harness import AppServer, save_screenshot, sign_up_and_log_in, visit

EMAIL = "noor@lattice.example"
PASSWORD = "a kettle of ducks in the morning"
SLUG = "lattice-works"
DEMO_EMAIL = "demo@projecthub.example"
ANA = "ana.lopez@projecthub.example"  # a person the sandbox's Jira already has
TOKEN = "sandbox-imports"  # a tenant of its own: other journeys use the demo one
COUNT = 301


def key_of(i: int) -> str:
    return f"P{i:03d}"


def name_of(i: int) -> str:
    return f"Client Project {i:03d}"


def _parallel(work: Callable[[int], Any], n: int) -> None:
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, range(n)))


def _seed_tools(base: str) -> None:
    """Existing work, made through the tools' own APIs as people made it."""
    auth = (DEMO_EMAIL, TOKEN)
    with httpx.Client(base_url=f"{base}/sandbox", auth=auth, timeout=30) as http:
        me = http.get("/jira/rest/api/3/myself").json()["accountId"]
        ana = http.get("/jira/rest/api/3/user/search", params={"query": ANA}).json()[0]

        def project(i: int) -> None:
            lead = ana["accountId"] if i % 2 else me
            reply = http.post("/jira/rest/api/3/project", json={
                "key": key_of(i), "name": name_of(i), "leadAccountId": lead,
                "projectTypeKey": "software"})
            assert reply.status_code == 201, reply.text
            reply = http.post("/confluence/wiki/api/v2/spaces",
                              json={"key": key_of(i), "name": name_of(i)})
            assert reply.status_code == 201, reply.text

        _parallel(project, COUNT)


async def _seed_productive(tools: ToolClients, connection_id: uuid.UUID) -> None:
    async with tools.productive(connection_id) as prod:
        company = await prod.find_company_by_name("Acme Retail GmbH")
        workflow = await anext(aiter(prod.iter_workflows()))
        me = (await prod.current_identity()).person
        assert company is not None
        for i in range(0, COUNT, 10):
            await prod.create_project(name=name_of(i), project_type=ProjectType.CLIENT,
                                      company_id=company.id, workflow_id=workflow.id,
                                      project_manager_id=me.id)


def _connections(db: Session, who: Principal, base: str) -> dict[str, uuid.UUID]:
    values = {
        "jira": ({"email": DEMO_EMAIL}, {"api_token": TOKEN}),
        "confluence": ({"email": DEMO_EMAIL}, {"api_token": TOKEN}),
        "productive": ({"organization_id": "1000"}, {"api_token": TOKEN}),
        "graph": ({"tenant_id": "projecthub.example",
                   "client_id": "00000000-0000-0000-0000-0000000a11ce",
                   "authority_host": f"{base}/sandbox/graph/login"}, {"client_secret": TOKEN}),
    }
    return {tool: connections.create_connection(
        db, who, tool=tool, name=f"Lattice {tool}", base_url=f"{base}/sandbox/{tool}",
        settings_values=settings, secret_values=secrets).id
        for tool, (settings, secrets) in values.items()}


def _seed(server: AppServer) -> None:
    engine = create_engine(server.database_url)
    try:
        with Session(engine, expire_on_commit=False) as db:
            owner = db.exec(select(User).where(User.email == EMAIL)).one()
            org = db.exec(select(Organization).where(Organization.slug == SLUG)).one()
            who = principal_in_org(db, actor_for(owner), org.id)
            ids = _connections(db, who, server.base_url)
            ana = accounts.create_user(db, email=ANA, password=PASSWORD, display_name="Ana López")
            verification.mark_verified(db, ana)
            db.add(Membership(organization_id=org.id, user_id=ana.id, role=Role.MEMBER))
            verification.mark_verified(db, owner)
            db.commit()
            tools = ToolClients(lambda: Session(engine, expire_on_commit=False), who)
            with ThreadPoolExecutor(1) as pool:  # Playwright's loop runs in this thread
                pool.submit(asyncio.run, _seed_productive(tools, ids["productive"])).result()
        _seed_tools(server.base_url)
    finally:
        engine.dispose()


def _add_by_hand(server: AppServer, key: str) -> None:
    engine = create_engine(server.database_url)
    try:
        with Session(engine) as db:
            org = db.exec(select(Organization).where(Organization.slug == SLUG)).one()
            db.add(Project(organization_id=org.id, name="Pilot (made by hand)", key=key))
            db.commit()
    finally:
        engine.dispose()


def _counts(server: AppServer) -> tuple[int, int, int]:
    engine = create_engine(server.database_url)
    try:
        with Session(engine) as db:
            org = db.exec(select(Organization).where(Organization.slug == SLUG)).one()
            imported = db.exec(select(func.count()).select_from(Project).where(
                Project.organization_id == org.id, col(Project.key).like("P%"),
                Project.lifecycle == "active")).one()
            linked = db.exec(select(func.count()).select_from(ProjectResource).where(
                ProjectResource.organization_id == org.id,
                ProjectResource.origin == "linked")).one()
            ana = db.exec(select(User.id).where(User.email == ANA)).one()
            with_ana = db.exec(select(func.count()).select_from(ProjectMember).where(
                ProjectMember.user_id == ana)).one()
            return int(imported), int(linked), int(with_ana)
    finally:
        engine.dispose()


def test_an_admin_imports_300_projects_with_progress_and_failures_listed(
        page: Page, app_server: AppServer, console_errors: list[str]) -> None:
    sign_up_and_log_in(page, email=EMAIL, name="Noor Haddad", password=PASSWORD,
                       org_name="Lattice Works", org_slug=SLUG)
    _seed(app_server)
    visit(page, "/dashboard")
    page.get_by_role("link", name="Import projects").click()
    page.wait_for_url(re.compile(r"/projects/import$"))
    rows = page.get_by_test_id("import-row")
    expect(rows.first).to_be_visible(timeout=60_000)

    search = page.get_by_label("Search projects")
    search.fill("Client Project 01")
    expect(rows).to_have_count(10)
    first = rows.filter(has_text=name_of(10))
    expect(first).to_contain_text("Matched by key")
    expect(first).to_contain_text("Productive")
    page.get_by_role("button", name="Select all").click()
    expect(page.get_by_test_id("selected-count")).to_contain_text("10 of")
    page.evaluate("window.scrollTo(0, 0)")
    save_screenshot(page, "import-select")

    search.fill("Client Project")
    expect(rows).to_have_count(COUNT, timeout=30_000)
    page.get_by_role("button", name="Select all").click()
    expect(page.get_by_test_id("selected-count")).to_contain_text(f"{COUNT} of")
    _add_by_hand(app_server, key_of(7))  # while the admin looks at the list
    page.get_by_role("button", name=f"Import {COUNT} projects").click()
    progress = page.get_by_test_id("import-progress")
    expect(progress).to_contain_text(f"Imported: 300 created, {COUNT} of {COUNT} done",
                                     timeout=120_000)
    failure = page.get_by_test_id("import-failure")
    expect(failure).to_have_count(1)
    expect(failure).to_contain_text(key_of(7))
    expect(failure).to_contain_text("already has a project with the key")
    expect(page.get_by_test_id("unmatched")).to_contain_text(DEMO_EMAIL)
    expect(rows).to_have_count(1)  # only P007 is left to import
    page.evaluate("window.scrollTo(0, 0)")
    page.mouse.move(0, 0)
    expect(page.locator("[data-sonner-toast]")).to_have_count(0, timeout=20_000)
    save_screenshot(page, "import-done")

    imported, linked, with_ana = _counts(app_server)
    assert imported == 300  # active ones: the hand-made P007 is a draft
    assert linked == 300 * 2 + 31  # Jira and Confluence each, Productive for every tenth
    assert with_ana == 149  # she leads every odd project in Jira (P007 was not imported)
    assert console_errors == []
