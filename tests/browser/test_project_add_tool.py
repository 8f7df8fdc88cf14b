"""Adding a tool to a provisioned project in the built app: a project made without Confluence
offers it under "Add a tool" on its edit page, the creation wizard's check and the steps are
shown for it alone, and the run it starts creates the Confluence space in the sandbox."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import APIRequestContext, Page, expect

from tests.browser.harness import AppServer, visit
from tests.browser.provisioned import provision_project
from tests.browser.test_project_edit import AUTH, RUN_TIMEOUT_MS, RUN_URL, _shot

pytestmark = pytest.mark.browser

EMAIL = "olu@add-tools.example"
PASSWORD = "a tool joins the project later"
ORG, SLUG = "Add Tools", "add-tools"
KEY, NAME = "ADDT", "Lighthouse intranet"
DONE = re.compile(r"^(\d+) of \1 steps done$")


def _spaces(request: APIRequestContext) -> list[str]:
    spaces = request.get("/sandbox/confluence/wiki/api/v2/spaces", headers=AUTH,
                         params={"keys": KEY}).json()["results"]
    return [s["name"] for s in spaces]


def test_a_project_without_confluence_gets_it_added(
    page: Page, app_server: AppServer, console_errors: list[str]
) -> None:
    provisioned = provision_project(page, app_server, email=EMAIL, password=PASSWORD,
                                    org_name=ORG, org_slug=SLUG, name=NAME, key=KEY,
                                    skip=("confluence",))
    assert _spaces(page.request) == []

    visit(page, f"/projects/{provisioned.project_id}/edit")
    options = page.get_by_test_id("add-tool-option")
    expect(options).to_have_count(1)
    expect(options.first).to_have_attribute("data-tool", "confluence")
    page.get_by_role("button", name="Check and add Confluence").click()

    preview = page.get_by_test_id("add-tool-preview")
    expect(preview).to_be_visible()
    check = preview.get_by_test_id("add-tool-check")
    expect(check).to_have_count(1)
    expect(check).to_contain_text("Confluence")
    expect(check).to_contain_text("Create")
    expect(preview.get_by_test_id("add-tool-step").first).to_be_visible()
    expect(preview).to_contain_text(NAME)
    confirm = page.get_by_test_id("add-tool-confirm")
    expect(confirm).to_be_enabled()
    _shot(page, "project-add-tool")

    confirm.click()
    page.wait_for_url(RUN_URL)
    expect(page.get_by_test_id("run-count")).to_have_text(DONE, timeout=RUN_TIMEOUT_MS)
    assert _spaces(page.request) == [NAME]

    visit(page, f"/projects/{provisioned.project_id}/edit")
    expect(page.get_by_test_id("edit-name")).to_be_visible()
    expect(page.get_by_test_id("add-tool-option")).to_have_count(0)
    assert console_errors == []
