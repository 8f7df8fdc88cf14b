"""A Productive budget that is real, tried as a new user would.

Sign up, connect Productive (the built-in sandbox), and answer the wizard for Productive alone:
the company field searches Productive's own companies as one types (picking one answers with its
exact name); the organization's own name, which Productive does not know, blocks the review with
a way forward inside the wizard (create it as a step); the review says what the budget will be;
after Provision the sandbox holds the company and a budget whose total is the amount typed.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.harness import (
    SANDBOX_PERSON,
    AppServer,
    add_sandbox_person,
    connect_sandbox,
    save_screenshot,
    sign_up_and_log_in,
    visit,
)

pytestmark = pytest.mark.browser

EMAIL = "grace@harbor-digital.example"
PASSWORD = "harbour lights over calm water"
ORG = "Harbor Digital"
# The person the Productive sandbox knows (its token's owner): the project manager.
RUN_URL = re.compile(r"/runs/[0-9a-f-]{36}/?$")
SANDBOX_AUTH = {"X-Auth-Token": "sandbox-demo", "X-Organization-Id": "1000"}


def _shot(page: Page, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.mouse.move(0, 0)
    expect(page.locator("[data-sonner-toast]")).to_have_count(0, timeout=20_000)
    save_screenshot(page, name)




def _next(page: Page, title: str) -> None:
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()


def _pick(page: Page, field_id: str, option: str) -> None:
    page.locator(f"#wf-{field_id}").click()
    page.get_by_role("option", name=option).click()
    expect(page.locator(f"#wf-{field_id}")).to_have_text(option)


def _answer_up_to_productive(page: Page) -> None:
    visit(page, "/projects/new")
    page.get_by_test_id("template-card").first.get_by_role("button",
                                                          name="Use this template").click()
    expect(page.get_by_role("heading", name="Basics", exact=True)).to_be_visible()
    page.get_by_label("Project name").fill("Harbor budgets")
    page.get_by_label("Project key").fill("HBB")
    _next(page, "People")
    _pick(page, "project_manager", "{} ({})".format(*SANDBOX_PERSON))
    _next(page, "Jira")
    page.get_by_role("radio", name="Skip Jira").click()
    _next(page, "Confluence")
    page.get_by_role("radio", name="Skip Confluence").click()
    _next(page, "Microsoft 365")
    page.get_by_role("radio", name="Skip Microsoft 365").click()
    _next(page, "Productive")


def _company_and_budget(page: Page) -> None:
    _pick(page, "productive_connection", "Demo Productive")
    company = page.locator("#wf-client_company")
    choices = page.get_by_test_id("company-choices")
    company.fill("harbor")  # Productive's own names, found as one types
    expect(choices.get_by_role("button", name="Blue Harbor Logistics")).to_be_visible()
    choices.get_by_role("button", name="Blue Harbor Logistics").click()
    expect(company).to_have_value("Blue Harbor Logistics")
    page.get_by_role("radio", name="Time & materials").click()
    page.get_by_label("Budget amount").fill("24000")
    page.get_by_label("Billable hours").fill("200")
    _shot(page, "budgets-company-search")

    company.fill(ORG)  # as a new user would: the organization's own name
    expect(page.get_by_test_id("field-client_company")).to_contain_text(
        "No company in Productive matches what you typed.")
    page.get_by_role("button", name="Next").click()


def _review(page: Page) -> None:
    card = page.get_by_test_id("preflight-productive")
    expect(card).to_contain_text(f"No company named {ORG} in Productive.")
    expect(page.get_by_role("button", name="Provision")).to_be_disabled()
    _shot(page, "budgets-review-blocked")

    card.get_by_role("button", name="Apply suggestion: Company in Productive → create").click()
    expect(card).to_contain_text(
        f"Create project Harbor budgets for {ORG}, a company the run creates first with a "
        "time & materials budget of 24000.00 EUR (200 h at 120.00 EUR/h)")
    expect(page.get_by_role("button", name="Provision")).to_be_enabled()
    _shot(page, "budgets-review")
    page.get_by_role("button", name="Provision").click()
    page.wait_for_url(RUN_URL)
    expect(page.get_by_test_id("run-count")).to_have_text(
        re.compile(r"^(\d+) of \1 steps done$"), timeout=60_000)
    expect(page.locator("[data-testid=step-row]:not([data-status=succeeded])")).to_have_count(0)
    page.get_by_role("row").filter(has_text="Create the Productive budget").locator(
        "summary").click()
    expect(page.get_by_text("Productive total 24000.00 EUR")).to_be_visible()
    _shot(page, "budgets-progress")


def _sandbox_holds_the_budget(page: Page) -> None:
    api = "/sandbox/productive/api/v2"
    companies = page.request.get(f"{api}/companies", headers=SANDBOX_AUTH,
                                 params={"filter[name]": ORG}).json()["data"]
    assert [c["attributes"]["name"] for c in companies] == [ORG]
    deals = page.request.get(f"{api}/deals", headers=SANDBOX_AUTH,
                             params={"filter[name]": "Harbor budgets budget"}).json()["data"]
    [budget] = deals
    attributes = budget["attributes"]
    assert (attributes["budget"], attributes["deal_type_id"], attributes["currency"]) == (
        True, 2, "EUR")
    assert (attributes["budget_total"], attributes["budgeted_time"]) == (2_400_000, 12_000)
    services = page.request.get(f"{api}/services", headers=SANDBOX_AUTH,
                                params={"filter[deal_id]": budget["id"]}).json()["data"]
    assert [(s["attributes"]["billing_type_id"], s["attributes"]["quantity"],
             s["attributes"]["price"]) for s in services] == [(2, 200, 12_000)]


def test_a_budget_with_its_amount_and_a_company_created_as_a_step(
    page: Page, app_server: AppServer, console_errors: list[str]
) -> None:
    sign_up_and_log_in(page, email=EMAIL, name="Grace Hopper", password=PASSWORD, org_name=ORG,
                       org_slug="harbor-budgets")
    add_sandbox_person(app_server.database_url, ORG, PASSWORD)
    connect_sandbox(page, "Productive", "Demo Productive")
    _answer_up_to_productive(page)
    _company_and_budget(page)
    _review(page)
    _sandbox_holds_the_budget(page)
    assert console_errors == []
