"""Instant updates in the built app: an admin turns on "Receive changes instantly" for the Jira
connection (ProjectHub registers an admin webhook in the sandbox Jira), then an issue created
and then finished through Jira's own API (the sandbox's) reaches the open status page within
seconds each time: the sandbox posts the signed delivery to the app over HTTP, a background job
refreshes that project, and the page shows the new figure, marked as coming from a Jira webhook,
without a click."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import VIEWPORT
from tests.browser.harness import AppServer, save_screenshot, visit
from tests.browser.provisioned import SANDBOX_PERSON, TOKEN, Provisioned, provision_project

pytestmark = pytest.mark.browser

EMAIL = "ines@hooks.example"
PASSWORD = "tools speak the moment things change"
KEY = "HOOKS"
NAME = "Harbour hooks"
AUTH = {"Authorization": "Basic " + base64.b64encode(
    f"{SANDBOX_PERSON[1]}:{TOKEN}".encode()).decode()}


@pytest.fixture(scope="module")
def project(browser: Browser, app_server: AppServer) -> Iterator[Provisioned]:
    context = browser.new_context(base_url=app_server.base_url, viewport=VIEWPORT)
    try:
        yield provision_project(context.new_page(), app_server, email=EMAIL, password=PASSWORD,
                                org_name="Hook Works", org_slug="hook-works", name=NAME,
                                key=KEY)
    finally:
        context.close()


def _figure(page: Page, label: str):
    card = page.get_by_test_id("resource-card").filter(has_text="Jira project")
    return card, card.locator(f"[data-label='{label}']").get_by_test_id("figure-value")


def test_a_jira_change_reaches_the_open_status_page_within_seconds(
        page: Page, project: Provisioned, console_errors: list[str]) -> None:
    login = page.request.post("/api/v1/auth/login", data={"email": EMAIL, "password": PASSWORD})
    assert login.ok, login.text()

    visit(page, "/org/connections")
    jira = page.get_by_test_id("tool-jira").get_by_test_id("connection-row")
    jira.get_by_role("button", name="Receive changes instantly").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Registered in the tool", timeout=30_000)
    dialog.get_by_role("button", name="Done").click()
    expect(jira.get_by_test_id("webhook-status")).to_contain_text("registered in the tool")
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.mouse.move(0, 0)
    save_screenshot(page, "webhooks-connection-registered")

    visit(page, f"/projects/{project.project_id}")
    page.get_by_test_id("refresh").click()  # the figures before the change
    expect(page.get_by_test_id("refresh")).to_have_text("Refresh", timeout=60_000)
    card, to_do = _figure(page, "To do")
    _, done = _figure(page, "Done")
    before, done_before = int(to_do.inner_text()), int(done.inner_text())
    expect(page.locator("[data-sonner-toast]")).to_have_count(0, timeout=20_000)

    created = page.request.post("/sandbox/jira/rest/api/3/issue", headers=AUTH, data={
        "fields": {"project": {"key": KEY}, "summary": "Fix the harbour map",
                   "issuetype": {"name": "Task"}}})
    assert created.status == 201, created.text()
    expect(to_do).to_have_text(str(before + 1), timeout=5_000)
    expect(card.get_by_test_id("fetched")).to_contain_text("updated by a Jira webhook")

    # Someone finishes the issue in Jira: the figures move again, still without a click.
    key = created.json()["key"]
    offered = page.request.get(f"/sandbox/jira/rest/api/3/issue/{key}/transitions",
                               headers=AUTH).json()["transitions"]
    to_done = next(t["id"] for t in offered if t["to"]["name"] == "Done")
    moved = page.request.post(f"/sandbox/jira/rest/api/3/issue/{key}/transitions",
                              headers=AUTH, data={"transition": {"id": to_done}})
    assert moved.status == 204, moved.text()
    expect(done).to_have_text(str(done_before + 1), timeout=5_000)
    expect(to_do).to_have_text(str(before))
    page.evaluate("window.scrollTo(0, 0)")
    page.mouse.move(0, 0)
    save_screenshot(page, "webhooks-status-page")
    assert console_errors == []
