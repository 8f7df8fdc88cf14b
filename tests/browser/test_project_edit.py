"""Editing a provisioned project in the built app: the owner renames it, moves its end date and
adds Ana (an organization member the sandbox tools know) on the edit page, reviews what happens
in each tool, runs it, and every sandbox tool then has the new name and Ana (the Planner plan
and the Productive budget renamed too); the project page shows the new name and end date."""

from __future__ import annotations

import base64
import re
import uuid

import pytest
from playwright.sync_api import APIRequestContext, Page, expect
from sqlalchemy import create_engine
from sqlmodel import Session, select

from projecthub.models import Membership, Organization, Role, User
from projecthub.services import accounts, verification
from tests.browser.harness import AppServer, save_screenshot, visit
from tests.browser.provisioned import SANDBOX_PERSON, TOKEN, provision_project

pytestmark = pytest.mark.browser

EMAIL = "olu@edit-works.example"
PASSWORD = "projects change after they start"
ORG, SLUG = "Edit Works", "edit-works"
KEY, NAME, NEW_NAME = "EDITS", "Harbour portal", "Harbour customer portal"
ANA = ("Ana López", "ana.lopez@projecthub.example")
RUN_URL = re.compile(r"/runs/[0-9a-f-]{36}/?$")
RUN_TIMEOUT_MS = 90_000
AUTH = {"Authorization": "Basic " + base64.b64encode(
    f"{SANDBOX_PERSON[1]}:{TOKEN}".encode()).decode()}
PRODUCTIVE_AUTH = {"X-Auth-Token": TOKEN, "X-Organization-Id": "1000"}
TOOLS = ("jira", "confluence", "graph", "productive")


def _ana_joins(server: AppServer) -> None:
    """Ana is an organization member (her account may exist from another journey)."""
    engine = create_engine(server.database_url)
    with Session(engine) as db:
        org = db.exec(select(Organization).where(Organization.slug == SLUG)).one()
        ana = db.exec(select(User).where(User.email == ANA[1])).first()
        if ana is None:
            ana = accounts.create_user(db, email=ANA[1], password=uuid.uuid4().hex,
                                       display_name=ANA[0])
            verification.mark_verified(db, ana)
        db.add(Membership(organization_id=org.id, user_id=ana.id, role=Role.MEMBER))
        db.commit()
    engine.dispose()


def _shot(page: Page, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.mouse.move(0, 0)
    expect(page.locator("[data-sonner-toast]")).to_have_count(0, timeout=20_000)
    save_screenshot(page, name)


def _graph_token(request: APIRequestContext) -> str:
    return str(request.post(
        "/sandbox/graph/login/projecthub.example/oauth2/v2.0/token",
        form={"grant_type": "client_credentials", "client_secret": TOKEN,
              "client_id": "00000000-0000-0000-0000-0000000a11ce",
              "scope": "https://graph.microsoft.com/.default"}).json()["access_token"])


def _in_the_tools(request: APIRequestContext) -> dict[str, tuple[str, bool]]:
    """Each tool's name for the project, and whether Ana is in it there."""
    jira = request.get(f"/sandbox/jira/rest/api/3/project/{KEY}", headers=AUTH).json()
    roles = request.get(f"/sandbox/jira/rest/api/3/project/{KEY}/role", headers=AUTH).json()
    role_id = roles["Member"].rstrip("/").rsplit("/", 1)[-1]
    actors = request.get(f"/sandbox/jira/rest/api/3/project/{KEY}/role/{role_id}",
                         headers=AUTH).json()["actors"]
    [ana] = request.get("/sandbox/jira/rest/api/3/user/search", params={"query": ANA[1]},
                        headers=AUTH).json()
    ana_jira = any(a["actorUser"]["accountId"] == ana["accountId"] for a in actors)
    [space] = request.get("/sandbox/confluence/wiki/api/v2/spaces", headers=AUTH,
                          params={"keys": KEY}).json()["results"]
    grants = request.get(f"/sandbox/confluence/wiki/api/v2/spaces/{space['id']}/permissions",
                         headers=AUTH).json()["results"]
    ana_confluence = request.get(
        "/sandbox/confluence/wiki/rest/api/search/user", headers=AUTH,
        params={"cql": f'user.fullname~"{ANA[1]}"'}).json()["results"][0]["user"]["accountId"]
    graph = {"Authorization": f"Bearer {_graph_token(request)}"}
    teams = request.get("/sandbox/graph/v1.0/teams", headers=graph).json()["value"]
    [team] = [t for t in teams if t["displayName"] in (NAME, NEW_NAME)]
    members = request.get(f"/sandbox/graph/v1.0/teams/{team['id']}/members",
                          headers=graph).json()["value"]
    projects = request.get("/sandbox/productive/api/v2/projects", headers=PRODUCTIVE_AUTH,
                           params={"filter[query]": "Harbour"}).json()["data"]
    [productive] = [p for p in projects if p["attributes"]["name"] in (NAME, NEW_NAME)]
    people = request.get("/sandbox/productive/api/v2/memberships", headers=PRODUCTIVE_AUTH,
                         params={"filter[project_id]": productive["id"],
                                 "include": "person"}).json()
    emails = {p["attributes"].get("email") for p in people.get("included", [])}
    [plan] = request.get(f"/sandbox/graph/v1.0/groups/{team['id']}/planner/plans",
                         headers=graph).json()["value"]
    [budget] = request.get("/sandbox/productive/api/v2/deals", headers=PRODUCTIVE_AUTH,
                           params={"filter[project_id]": productive["id"],
                                   "filter[type]": 2}).json()["data"]
    return {
        "jira": (jira["name"], ana_jira),
        "confluence": (space["name"], any(g["principal"]["id"] == ana_confluence
                                          for g in grants)),
        "graph": (team["displayName"], any(m["email"] == ANA[1] for m in members)),
        "productive": (productive["attributes"]["name"], ANA[1] in emails),
        "plan": (plan["title"], True),
        "budget": (budget["attributes"]["name"].removesuffix(" budget"), True),
    }


def test_rename_move_the_end_and_add_a_member_in_every_tool(
    page: Page, app_server: AppServer, console_errors: list[str]
) -> None:
    provisioned = provision_project(page, app_server, email=EMAIL, password=PASSWORD,
                                    org_name=ORG, org_slug=SLUG, name=NAME, key=KEY)
    _ana_joins(app_server)
    before = _in_the_tools(page.request)
    assert {tool: before[tool][1] for tool in TOOLS} == dict.fromkeys(TOOLS, False)

    visit(page, f"/projects/{provisioned.project_id}")
    page.get_by_test_id("edit-project").click()
    page.wait_for_url(re.compile(r"/edit/?$"))
    name = page.get_by_label("Name", exact=True)
    expect(name).to_have_value(NAME)
    name.fill(NEW_NAME)
    page.get_by_label("End date").fill("2027-06-30")
    page.get_by_label(f"Role of {ANA[0]}").click()
    page.get_by_role("option", name="Member", exact=True).click()
    _shot(page, "project-edit-form")

    page.get_by_test_id("edit-preview-button").click()
    preview = page.get_by_test_id("edit-preview")
    expect(preview).to_be_visible()
    # a rename and Ana in each tool; the Planner plan and the budget are renamed too
    for tool, count in (("jira", 2), ("confluence", 2), ("graph", 3), ("productive", 3)):
        expect(preview.locator(f"[data-testid=edit-change][data-tool={tool}]")).to_have_count(
            count)
    expect(preview).to_contain_text(f"Jira: rename project {KEY} → '{NEW_NAME}'")
    expect(preview).to_contain_text(f"Teams: add {ANA[0]} as member")
    expect(preview).to_contain_text(f"Planner: rename plan '{NAME}' → '{NEW_NAME}'")
    expect(preview).to_contain_text(
        f"Productive: rename budget '{NAME} budget' → '{NEW_NAME} budget'")
    expect(preview).to_contain_text("ProjectHub: End date 2027-03-31 → 2027-06-30")
    _shot(page, "project-edit-preview")

    page.get_by_test_id("edit-confirm").click()
    page.wait_for_url(RUN_URL)
    expect(page.get_by_test_id("run-count")).to_have_text("10 of 10 steps done",
                                                          timeout=RUN_TIMEOUT_MS)
    _shot(page, "project-edit-run")
    assert _in_the_tools(page.request) == dict.fromkeys((*TOOLS, "plan", "budget"),
                                                        (NEW_NAME, True))

    visit(page, f"/projects/{provisioned.project_id}")
    expect(page.get_by_role("heading", name=NEW_NAME, level=1)).to_be_visible()
    expect(page.get_by_text("30 Jun 2027").first).to_be_visible()
    _shot(page, "project-edit-applied")
    assert console_errors == []
