"""Drift in the built app: someone takes the project manager out of the Jira project and renames
it behind ProjectHub's back (through Jira's own API, here the sandbox's). After a sync the
project page shows what differs and since when, and the dashboard's "Drifted" filter lists the
project; "Make it match" puts the person back through a run, "Accept the tool's value" takes
Jira's name into ProjectHub."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import APIRequestContext, Browser, Page, expect

from tests.browser.conftest import VIEWPORT
from tests.browser.harness import AppServer, save_screenshot, visit
from tests.browser.provisioned import SANDBOX_PERSON, TOKEN, Provisioned, provision_project

pytestmark = pytest.mark.browser

EMAIL = "rui@drift.example"
PASSWORD = "tools drift when nobody is looking"
KEY = "DRIFT"
NAME = "Harbour app"
JIRA = "/sandbox/jira/rest/api/3"
AUTH = {"Authorization": "Basic " + base64.b64encode(
    f"{SANDBOX_PERSON[1]}:{TOKEN}".encode()).decode()}


@pytest.fixture(scope="module")
def project(browser: Browser, app_server: AppServer) -> Iterator[Provisioned]:
    context = browser.new_context(base_url=app_server.base_url, viewport=VIEWPORT)
    try:
        yield provision_project(context.new_page(), app_server, email=EMAIL, password=PASSWORD,
                                org_name="Drift Works", org_slug="drift-works", name=NAME,
                                key=KEY)
    finally:
        context.close()


def _member_role(request: APIRequestContext) -> tuple[str, str]:
    """The Jira member role's URL and the project manager's account id."""
    roles = request.get(f"{JIRA}/project/{KEY}/role", headers=AUTH).json()
    role_id = roles["Member"].rstrip("/").rsplit("/", 1)[-1]
    people = request.get(f"{JIRA}/user/search", params={"query": SANDBOX_PERSON[1]},
                         headers=AUTH).json()
    return f"{JIRA}/project/{KEY}/role/{role_id}", people[0]["accountId"]


def _holders(request: APIRequestContext, role_url: str) -> list[str]:
    actors = request.get(role_url, headers=AUTH).json()["actors"]
    return [a["actorUser"]["accountId"] for a in actors]


def _shot(page: Page, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.mouse.move(0, 0)
    expect(page.locator("[data-sonner-toast]")).to_have_count(0, timeout=20_000)
    save_screenshot(page, name)


def _refresh(page: Page) -> None:
    page.get_by_test_id("refresh").click()
    expect(page.get_by_test_id("refresh")).to_have_text("Refresh", timeout=60_000)


def test_drift_is_seen_then_fixed_both_ways(page: Page, project: Provisioned,
                                            console_errors: list[str]) -> None:
    login = page.request.post("/api/v1/auth/login", data={"email": EMAIL, "password": PASSWORD})
    assert login.ok, login.text()
    role_url, dana = _member_role(page.request)
    assert dana in _holders(page.request, role_url)
    removed = page.request.delete(role_url, params={"user": dana}, headers=AUTH)
    assert removed.status == 204, removed.text()

    visit(page, f"/projects/{project.project_id}")
    expect(page.get_by_test_id("drift")).to_have_count(0)
    _refresh(page)
    row = page.get_by_test_id("drift-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"Member {SANDBOX_PERSON[1]}")
    expect(row.get_by_test_id("drift-projecthub")).to_have_text("Member")
    expect(row.get_by_test_id("drift-tool")).to_have_text("Not a member")
    _shot(page, "drift-status-page")

    visit(page, "/dashboard")
    page.get_by_test_id("filter-drifted").click()
    page.wait_for_url(re.compile(r"drifted=1"))
    expect(page.get_by_test_id("project-row")).to_have_count(1)
    expect(page.get_by_test_id("drift-badge")).to_have_text("1 difference from the tools")
    _shot(page, "drift-dashboard-filter")

    visit(page, f"/projects/{project.project_id}")
    page.get_by_test_id("make-match").click()
    expect(page.get_by_text("The tool now has ProjectHub's value.")).to_be_visible(
        timeout=90_000)
    expect(page.get_by_test_id("drift")).to_have_count(0)
    assert dana in _holders(page.request, role_url)

    renamed = page.request.put(f"{JIRA}/project/{KEY}", data={"name": "Harbour app (Jira)"},
                               headers=AUTH)
    assert renamed.ok, renamed.text()
    _refresh(page)
    expect(page.get_by_test_id("drift-row")).to_contain_text("Harbour app (Jira)")
    page.get_by_test_id("accept-drift").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Harbour app (Jira)")
    expect(page.get_by_test_id("drift")).to_have_count(0)
    visit(page, "/dashboard?drifted=1")
    expect(page.get_by_test_id("project-row")).to_have_count(0)
    assert console_errors == []
