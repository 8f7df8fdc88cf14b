"""Archiving reaches the tools, as the project's owner does it in the browser.

A project provisioned in all four sandbox tools (connections made on the connections page, the
project started through the REST API to keep the journey on the lifecycle): the lifecycle menu
on its page previews what Archived does in each tool, Confirm runs it as steps on the run page,
and every sandbox then holds the resource archived; choosing Active restores them all.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine
from sqlmodel import Session, select

from projecthub.models import Organization, User
from projecthub.services import api_tokens
from projecthub.services.principal import Actor, principal_in_org
from tests.browser.harness import (
    AppServer,
    sandbox_person_joins,
    save_screenshot,
    sign_up_and_log_in,
    visit,
)

pytestmark = pytest.mark.browser

EMAIL = "lin@archive-works.example"
PASSWORD = "quiet shelves in a long hall"
ORG, SLUG = "Archive Works", "archive-works"
TOOLS = (("Jira", "Demo Jira", "jira"), ("Confluence", "Demo Confluence", "confluence"),
         ("Microsoft 365", "Demo Microsoft 365", "graph"),
         ("Productive", "Demo Productive", "productive"))
KEY, NAME = "LIFE", "Lifecycle journey"
RUN_URL = re.compile(r"/runs/[0-9a-f-]{36}/?$")
RUN_TIMEOUT_MS = 90_000
JIRA_AUTH = {"Authorization": "Basic ZGVtb0Bwcm9qZWN0aHViLmV4YW1wbGU6c2FuZGJveC1kZW1v"}
PRODUCTIVE_AUTH = {"X-Auth-Token": "sandbox-demo", "X-Organization-Id": "1000"}


def _shot(page: Page, name: str) -> None:
    page.mouse.move(0, 0)
    expect(page.locator("[data-sonner-toast]")).to_have_count(0, timeout=20_000)
    save_screenshot(page, name)


def _setup_people_and_token(server: AppServer) -> tuple[str, str]:
    """The sandbox person joins the organization (Jira lead, Teams owner); an API token for
    the owner starts the project. Returns (token, the sandbox person's user id)."""
    engine = create_engine(server.database_url)
    with Session(engine) as db:
        org = db.exec(select(Organization).where(Organization.slug == SLUG)).one()
        person = sandbox_person_joins(db, org, PASSWORD)
        owner = db.exec(select(User).where(User.email == EMAIL)).one()
        acting = principal_in_org(db, Actor(owner.id, owner.email, False), org.id)
        secret = api_tokens.create_api_token(db, acting, name="lifecycle journey").secret
        person_id = str(person.id)
        db.commit()
    engine.dispose()
    return secret, person_id


def _connect_the_sandbox(page: Page) -> None:
    visit(page, "/org/connections")
    for label, name, _ in TOOLS:
        page.get_by_role("button", name=f"Add a {label} connection").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("Name").fill(name)
        dialog.get_by_role("button", name="Use the built-in sandbox").click()
        dialog.get_by_role("button", name="Add connection").click()
        expect(dialog).to_be_hidden()


def _provision(page: Page, token: str, manager: str) -> tuple[str, str]:
    """Start the four-tool project through the API and wait for its run; (project, team id)."""
    auth = {"Authorization": f"Bearer {token}"}
    api = f"/api/v1/orgs/{SLUG}"
    ids = {c["tool"]: c["id"] for c in page.request.get(f"{api}/connections",
                                                       headers=auth).json()}
    answers: dict[str, Any] = {
        "name": NAME, "key": KEY, "project_type": "client", "project_manager": manager,
        "client_company": "Blue Harbor Logistics",
        "jira_mode": "create", "jira_connection": ids["jira"],
        "confluence_mode": "create", "confluence_connection": ids["confluence"],
        "starter_pages": ["Project charter"],
        "m365_mode": "create", "graph_connection": ids["graph"], "team_name": NAME,
        "channels": ["Planning"], "planner": True,
        "productive_mode": "create", "productive_connection": ids["productive"],
        "budget_type": "time_and_materials", "budget_amount": 5000, "billable_hours": 40}
    created = page.request.post(f"{api}/projects", headers=auth, data={"answers": answers})
    assert created.status == 201, created.text()
    project_id, run_id = created.json()["project"]["id"], created.json()["run"]["id"]
    visit(page, f"/runs/{run_id}")
    expect(page.get_by_test_id("run-count")).to_have_text(
        re.compile(r"^(\d+) of \1 steps done$"), timeout=RUN_TIMEOUT_MS)
    [run] = page.request.get(f"{api}/projects/{project_id}/runs", headers=auth).json()
    team = next(s["external_id"] for s in run["steps"] if s["action"] == "graph.create_team")
    return project_id, team


def _graph_team_archived(page: Page, team_id: str) -> bool:
    token = page.request.post(
        "/sandbox/graph/login/contoso.onmicrosoft.com/oauth2/v2.0/token",
        form={"grant_type": "client_credentials", "client_secret": "sandbox-demo",
              "client_id": "6731de76-14a6-49ae-97bc-6eba6914391e",
              "scope": "https://graph.microsoft.com/.default"}).json()["access_token"]
    team = page.request.get(f"/sandbox/graph/v1.0/teams/{team_id}",
                            headers={"Authorization": f"Bearer {token}"}).json()
    return bool(team["isArchived"])


def _archived_in_sandboxes(page: Page, team_id: str) -> dict[str, bool]:
    jira = page.request.get(f"/sandbox/jira/rest/api/3/project/{KEY}", headers=JIRA_AUTH).json()
    [space] = page.request.get("/sandbox/confluence/wiki/api/v2/spaces", headers=JIRA_AUTH,
                               params={"keys": KEY}).json()["results"]
    projects = page.request.get("/sandbox/productive/api/v2/projects", headers=PRODUCTIVE_AUTH,
                                params={"filter[query]": NAME}).json()["data"]
    [productive] = [p for p in projects if p["attributes"]["name"] == NAME]
    return {"jira": jira["archived"], "confluence": space["status"] == "archived",
            "graph": _graph_team_archived(page, team_id),
            "productive": productive["attributes"]["archived_at"] is not None}


def _choose(page: Page, project_id: str, state: str) -> None:
    visit(page, f"/projects/{project_id}")
    page.get_by_test_id("lifecycle-select").click()
    page.get_by_role("option", name=state, exact=True).click()
    expect(page.get_by_test_id("lifecycle-dialog")).to_be_visible()


def _confirm_and_follow(page: Page, title: str, shot: str) -> None:
    page.get_by_test_id("lifecycle-confirm").click()
    page.wait_for_url(RUN_URL)
    expect(page.get_by_role("heading", name=f"{title} {NAME}")).to_be_visible()
    expect(page.get_by_test_id("run-count")).to_have_text("4 of 4 steps done",
                                                          timeout=RUN_TIMEOUT_MS)
    _shot(page, shot)


def test_archive_a_four_tool_project_then_restore_it(
    page: Page, app_server: AppServer, console_errors: list[str]
) -> None:
    sign_up_and_log_in(page, email=EMAIL, name="Lin Archivist", password=PASSWORD,
                       org_name=ORG, org_slug=SLUG)
    token, manager = _setup_people_and_token(app_server)
    _connect_the_sandbox(page)
    project_id, team_id = _provision(page, token, manager)
    assert _archived_in_sandboxes(page, team_id) == dict.fromkeys(
        ("jira", "confluence", "graph", "productive"), False)

    _choose(page, project_id, "Archived")
    changes = page.get_by_test_id("lifecycle-change")
    expect(changes).to_have_count(4)
    expect(page.locator("[data-testid=lifecycle-change][data-action=archive]")).to_have_count(4)
    _shot(page, "lifecycle-preview-archive")
    _confirm_and_follow(page, "Archiving", "lifecycle-run-archive")
    assert _archived_in_sandboxes(page, team_id) == dict.fromkeys(
        ("jira", "confluence", "graph", "productive"), True)
    visit(page, f"/projects/{project_id}")
    expect(page.get_by_test_id("lifecycle-select")).to_have_text("Archived")
    _shot(page, "lifecycle-project-archived")

    _choose(page, project_id, "Active")
    expect(page.locator("[data-testid=lifecycle-change][data-action=restore]")).to_have_count(4)
    _shot(page, "lifecycle-preview-restore")
    _confirm_and_follow(page, "Reactivating", "lifecycle-run-restore")
    assert _archived_in_sandboxes(page, team_id) == dict.fromkeys(
        ("jira", "confluence", "graph", "productive"), False)

    visit(page, f"/projects/{project_id}")
    page.get_by_test_id("delete-project").click()
    expect(page.get_by_test_id("delete-option")).to_have_count(4)
    for tool in ("jira", "confluence"):  # Teams and Productive stay
        page.locator(f"[data-testid=delete-option][data-tool={tool}]").get_by_role(
            "checkbox").click()
    page.get_by_test_id("delete-confirmation").fill(KEY)
    _shot(page, "lifecycle-delete-dialog")
    page.get_by_test_id("delete-confirm").click()
    expect(page).to_have_url(re.compile(r"/$"), timeout=20_000)
    assert page.request.get(f"/sandbox/jira/rest/api/3/project/{KEY}",
                            headers=JIRA_AUTH).status == 404
    spaces = page.request.get("/sandbox/confluence/wiki/api/v2/spaces", headers=JIRA_AUTH,
                              params={"keys": KEY}).json()["results"]
    assert spaces == []
    assert _graph_team_archived(page, team_id) is False  # the team was kept
    assert console_errors == []
