"""A new project from sign-up to green steps, in the built app against its own sandbox.

Sign up (the organization comes with it), connect the four tools to the sandbox through the
connections page, then walk the wizard with the sandbox's demo admin as project manager: live
validation, conditional fields, a draft that survives logging out, a review whose preflight
blocks the demo Jira's taken key WEB until its suggestion is applied, and Provision. The
progress page follows the run without reloads (and after one, and in a second tab) until every
step is green with a link into its tool.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.harness import (
    SANDBOX_PERSON,
    AppServer,
    add_sandbox_person,
    save_screenshot,
    visit,
)

pytestmark = pytest.mark.browser

EMAIL = "ada@northwind.example"
PASSWORD = "lantern bridges over still water"
# The person every sandbox tool knows (Jira lead, Teams owner). Sign-up refuses the reserved
# .test domain, so the test writes this member straight into the app's database.
DASHBOARD = re.compile(r"/dashboard/?$")
DRAFT_URL = re.compile(r"/projects/new/[0-9a-f-]{36}/?$")
RUN_URL = re.compile(r"/runs/[0-9a-f-]{36}/?$")
TOOLS = (("Jira", "Demo Jira"), ("Confluence", "Demo Confluence"),
         ("Microsoft 365", "Demo Microsoft 365"), ("Productive", "Demo Productive"))
RUN_TIMEOUT_MS = 90_000  # the Teams team is created asynchronously, as in Graph


def _shot(page: Page, name: str) -> None:
    """From the top, without the hover and toasts of the last click."""
    page.evaluate("window.scrollTo(0, 0)")
    page.mouse.move(0, 0)
    expect(page.locator("[data-sonner-toast]")).to_have_count(0, timeout=20_000)
    save_screenshot(page, name)




def _sign_up(page: Page) -> None:
    visit(page, "/signup")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Organization name").fill("Northwind Agency")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(DASHBOARD)
    expect(page.get_by_text("No projects yet")).to_be_visible()


def _connect_the_sandbox(page: Page) -> None:
    visit(page, "/org/connections")
    for label, name in TOOLS:
        page.get_by_role("button", name=f"Add a {label} connection").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("Name").fill(name)
        dialog.get_by_role("button", name="Use the built-in sandbox").click()
        dialog.get_by_role("button", name="Add connection").click()
        expect(dialog).to_be_hidden()
        expect(page.get_by_text(name, exact=True)).to_be_visible()


def _field(page: Page, field_id: str) -> Locator:
    return page.get_by_test_id(f"field-{field_id}")


def _pick(page: Page, field_id: str, option: str) -> None:
    page.locator(f"#wf-{field_id}").click()
    page.get_by_role("option", name=option).click()
    expect(page.locator(f"#wf-{field_id}")).to_have_text(option)


def _next(page: Page, title: str) -> None:
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()


def _basics(page: Page) -> None:
    visit(page, "/projects/new")
    expect(page.get_by_role("heading", name="Choose a template")).to_be_visible()
    _shot(page, "wizard-template")
    page.get_by_test_id("template-card").first.get_by_role("button",
                                                          name="Use this template").click()
    expect(page.get_by_role("heading", name="Basics", exact=True)).to_be_visible()

    # A required field left empty says so at once, and Next waits until it is fixed.
    page.get_by_label("Project name").focus()
    page.keyboard.press("Tab")
    expect(_field(page, "name").get_by_role("alert")).to_have_text("This is required.")
    expect(page.get_by_role("button", name="Next")).to_be_disabled()
    page.get_by_label("Project name").fill("Northwind portal")
    expect(_field(page, "name").get_by_role("alert")).to_have_count(0)
    expect(_field(page, "key").get_by_role("alert")).to_have_text("This is required.")
    page.get_by_label("Project key").fill("web")
    expect(_field(page, "key").get_by_role("alert")).to_have_text(
        "2-10 uppercase letters and digits, starting with a letter.")
    page.wait_for_url(DRAFT_URL)  # the first answer created the draft
    page.get_by_label("Project key").fill("WEB")  # the demo Jira already has WEB: see review
    expect(_field(page, "key").get_by_role("alert")).to_have_count(0)
    page.get_by_label("Description").fill("Customer portal for Northwind's wholesale clients.")
    page.get_by_label("Start date").fill("2026-09-01")
    page.get_by_label("End date").fill("2026-08-01")
    expect(_field(page, "end_date").get_by_role("alert")).to_have_text(
        "Must not be before start date.")
    _shot(page, "wizard-basics")
    page.get_by_label("End date").fill("2026-12-18")
    expect(page.get_by_role("alert")).to_have_count(0)
    _next(page, "People")


def _people_then_leave_and_come_back(page: Page) -> None:
    _pick(page, "project_manager", "{} ({})".format(*SANDBOX_PERSON))
    page.get_by_label("Client guests").fill("buyer@acme-retail.example\nnot an email")
    expect(_field(page, "guests").get_by_role("alert")).to_have_text(
        "not an email is not a valid email address.")
    page.get_by_label("Client guests").fill("buyer@acme-retail.example")
    expect(page.get_by_text("Draft saved", exact=False)).to_be_visible()
    expect(_field(page, "guests").get_by_role("alert")).to_have_count(0)
    _shot(page, "wizard-people")

    # Logging out loses nothing: the draft is on the server, listed to resume.
    page.get_by_role("button", name="User menu").click()
    page.get_by_role("menuitem", name="Log out").click()
    page.wait_for_url(re.compile(r"/login/?$"))
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(DASHBOARD)
    visit(page, "/projects/new")
    draft = page.get_by_role("row").filter(has_text="Northwind portal")
    expect(draft).to_contain_text("People")
    _shot(page, "wizard-drafts")
    draft.get_by_role("link", name="Resume").click()
    expect(page.get_by_role("heading", name="People", exact=True)).to_be_visible()
    expect(page.get_by_label("Client guests")).to_have_value("buyer@acme-retail.example")
    _next(page, "Jira")


def _tool_steps(page: Page) -> None:
    # Conditional fields follow the answers as they change.
    page.get_by_role("radio", name="Link an existing project").click()
    expect(page.get_by_label("Existing project key")).to_be_visible()
    expect(page.get_by_text("Board", exact=True)).to_have_count(0)
    page.get_by_role("radio", name="Create a new project").click()
    expect(page.get_by_label("Existing project key")).to_have_count(0)
    _pick(page, "jira_connection", "Demo Jira")
    _shot(page, "wizard-jira")
    _next(page, "Confluence")

    _pick(page, "confluence_connection", "Demo Confluence")
    page.get_by_role("checkbox", name="Risks and issues").click()
    expect(page.get_by_role("checkbox", name="Risks and issues")).to_be_checked()
    _shot(page, "wizard-confluence")
    _next(page, "Microsoft 365")

    _pick(page, "graph_connection", "Demo Microsoft 365")
    expect(page.get_by_label("Extra channels")).to_have_value("Planning\nClient")
    expect(page.get_by_role("switch")).to_be_checked()
    _shot(page, "wizard-m365")
    _next(page, "Productive")

    _pick(page, "productive_connection", "Demo Productive")
    page.locator("#wf-client_company").fill("Acme")
    page.get_by_test_id("company-choices").get_by_role("button",
                                                       name="Acme Retail GmbH").click()
    expect(page.locator("#wf-client_company")).to_have_value("Acme Retail GmbH")
    page.get_by_label("Budget amount").fill("24000")
    page.get_by_label("Billable hours").fill("200")
    page.get_by_role("radio", name="Non-billable").click()
    expect(page.get_by_label("Budget amount")).to_have_count(0)
    page.get_by_role("radio", name="Time & materials").click()
    expect(page.get_by_label("Budget amount")).to_have_value("24000")
    _shot(page, "wizard-productive")
    page.get_by_role("button", name="Next").click()


def _review(page: Page) -> None:
    jira = page.get_by_test_id("preflight-jira")
    expect(jira).to_contain_text("Blocked")
    expect(jira).to_contain_text("Jira key WEB:")
    expect(page.get_by_test_id("preflight-confluence")).to_contain_text(
        "The Confluence space key WEB is taken")
    expect(page.get_by_test_id("preflight-graph")).to_contain_text("Create team Northwind portal")
    expect(page.get_by_test_id("preflight-productive")).to_contain_text("Create project")
    expect(page.get_by_role("button", name="Provision")).to_be_disabled()
    _shot(page, "wizard-review-blocked")

    jira.get_by_role("button", name=re.compile(r"^Apply suggestion: Project key → WEB1")).click()
    expect(jira).to_contain_text("Create WEB1 · Northwind portal")
    expect(page.get_by_test_id("preflight-confluence")).to_contain_text("Create space WEB1")
    for tool in ("jira", "confluence", "graph", "productive"):
        expect(page.get_by_test_id(f"preflight-{tool}")).not_to_contain_text("Blocked")
    expect(page.get_by_text("Project key", exact=True).locator("..")).to_contain_text("WEB1")
    expect(page.get_by_role("button", name="Provision")).to_be_enabled()
    _shot(page, "wizard-review")
    page.get_by_role("button", name="Provision").click()
    page.wait_for_url(RUN_URL)
    expect(page.get_by_text("Live")).to_be_visible()
    expect(page.locator("[data-testid=step-row][data-status=succeeded]").first).to_be_visible()
    _shot(page, "progress-running")


def _expect_all_green(page: Page) -> None:
    rows = page.get_by_test_id("step-row")
    expect(rows.first).to_be_visible()
    expect(page.get_by_test_id("run-count")).to_have_text(
        re.compile(r"^(\d+) of \1 steps done$"), timeout=RUN_TIMEOUT_MS)
    expect(page.locator("[data-testid=step-row]:not([data-status=succeeded])")).to_have_count(0)
    expect(page.get_by_test_id("run-status")).to_have_text("Succeeded")


def _links(page: Page, base_url: str) -> dict[str, str]:
    hrefs = {}
    for row in page.get_by_test_id("step-row").all():
        link = row.get_by_test_id("step-link")
        if link.count():
            hrefs[row.get_by_test_id("step-title").inner_text()] = str(link.get_attribute("href"))
    assert hrefs["Create Jira project WEB1"] == f"{_api_base(base_url)}/sandbox/jira/browse/WEB1"
    assert re.fullmatch(rf"{re.escape(_api_base(base_url))}/sandbox/confluence/wiki/spaces/WEB1.*",
                        hrefs["Create Confluence space WEB1"])
    assert hrefs["Create Teams team Northwind portal"].startswith("https://teams.microsoft.com/")
    assert re.fullmatch(rf"{re.escape(_api_base(base_url))}/sandbox/productive/1000/projects/\d+",
                        hrefs["Create Productive project Northwind portal"])
    return hrefs


def _api_base(base_url: str) -> str:
    """The sandbox shortcut points at Reflex's api_url, which names localhost."""
    return base_url.replace("127.0.0.1", "localhost")


def _progress(page: Page, base_url: str) -> None:
    expect(page.get_by_role("heading", name="Provisioning Northwind portal")).to_be_visible()
    _expect_all_green(page)  # no reload: the page's poll brought every change
    expect(page.get_by_text("Live")).to_have_count(0)  # the poll stopped with the run
    _links(page, base_url)
    page.get_by_role("row").filter(has_text="Create Jira project WEB1").locator("summary").click()
    expect(page.get_by_text("created project WEB1")).to_be_visible()
    _shot(page, "progress")

    page.reload()  # rebuilt from the database
    _expect_all_green(page)
    second = page.context.new_page()  # another tab has its own state, read from the same rows
    visit(second, page.url)
    _expect_all_green(second)
    second.close()

    project = page.get_by_role("link", name="Open project")
    expect(project).to_have_attribute("href", re.compile(r"^/projects/[0-9a-f-]{36}$"))


def test_a_new_project_goes_from_sign_up_to_green_steps(
    page: Page, app_server: AppServer, console_errors: list[str]
) -> None:
    _sign_up(page)
    add_sandbox_person(app_server.database_url, "Northwind Agency", PASSWORD)
    _connect_the_sandbox(page)
    _basics(page)
    _people_then_leave_and_come_back(page)
    _tool_steps(page)
    _review(page)
    _progress(page, page.url.split("/runs/")[0])

    visit(page, "/projects/new")
    expect(page.get_by_text("Drafts", exact=True)).to_have_count(0)  # provisioning used it up
    assert console_errors == []
