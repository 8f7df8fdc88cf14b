"""Adding a tool to a provisioned project in the built app: a project made without Confluence
offers it under "Add a tool" on its edit page, the creation wizard's check and the steps are
shown for it alone, and the run it starts creates the Confluence space in the sandbox. A project
made without Productive never answered its budget: the dialog asks it (the wizard's fields),
the check names the missing amount next to its field, and once answered the run creates the
Productive project and its budget."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import APIRequestContext, Page, expect

from tests.browser.harness import AppServer, visit
from tests.browser.provisioned import provision_project
from tests.browser.test_project_edit import (
    AUTH,
    PRODUCTIVE_AUTH,
    RUN_TIMEOUT_MS,
    RUN_URL,
    _shot,
)

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


def _productive(request: APIRequestContext, name: str) -> tuple[list[str], list[str]]:
    """The sandbox's Productive projects named ``name``, and the budgets of the first."""
    projects = [p for p in request.get("/sandbox/productive/api/v2/projects",
                                       headers=PRODUCTIVE_AUTH).json()["data"]
                if p["attributes"]["name"] == name]
    if not projects:
        return [], []
    deals = request.get("/sandbox/productive/api/v2/deals", headers=PRODUCTIVE_AUTH,
                        params={"filter[project_id]": projects[0]["id"],
                                "filter[type]": 2}).json()["data"]
    return [p["attributes"]["name"] for p in projects], [d["attributes"]["name"] for d in deals]


def test_productive_is_added_with_the_budget_it_asks_for(
    page: Page, app_server: AppServer, console_errors: list[str]
) -> None:
    name = "Harbour billing"
    provisioned = provision_project(page, app_server, email="ade@add-budget.example",
                                    password=PASSWORD, org_name="Add Budget",
                                    org_slug="add-budget", name=name, key="ADDB",
                                    skip=("productive",))
    assert _productive(page.request, name) == ([], [])

    visit(page, f"/projects/{provisioned.project_id}/edit")
    page.get_by_role("button", name="Check and add Productive").click()
    preview = page.get_by_test_id("add-tool-preview")
    questions = preview.get_by_test_id("add-tool-questions")
    expect(questions).to_be_visible()
    expect(questions.locator("#wf-client_company")).to_have_value("Acme Retail GmbH")
    amount = questions.get_by_test_id("field-budget_amount")
    expect(amount).to_contain_text("A time & materials budget needs an amount.")
    confirm = page.get_by_test_id("add-tool-confirm")
    expect(confirm).to_be_disabled()

    questions.locator("#wf-budget_amount").fill("18000")
    expect(amount).not_to_contain_text("needs an amount")
    questions.locator("#wf-billable_hours").fill("120")
    expect(questions.locator("#wf-billable_hours")).to_have_value("120")
    page.get_by_test_id("add-tool-recheck").click()
    expect(preview.get_by_test_id("add-tool-check")).to_contain_text("Create",
                                                                     timeout=RUN_TIMEOUT_MS)
    expect(confirm).to_be_enabled(timeout=RUN_TIMEOUT_MS)
    _shot(page, "project-add-tool-answers")

    confirm.click()
    page.wait_for_url(RUN_URL)
    expect(page.get_by_test_id("run-count")).to_have_text(DONE, timeout=RUN_TIMEOUT_MS)
    projects, budgets = _productive(page.request, name)
    assert projects == [name] and len(budgets) == 1
    assert console_errors == []
