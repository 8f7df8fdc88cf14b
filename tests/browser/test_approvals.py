"""Approval before provisioning, as two people do it in the browser.

An owner adds ``approval:`` to a copy of the built-in template on the templates page; a member
(the sandbox person) starts a Jira project from it through the REST API; the run waits, and her
run page says who must approve and that she cannot. The owner finds the run under "Awaiting your
approval" on the dashboard, approves it with a comment on the run page, and the run completes.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine
from sqlmodel import Session, select

from projecthub.models import Organization, User
from projecthub.services import api_tokens, verification
from projecthub.services.principal import Actor, principal_in_org
from tests.browser.conftest import VIEWPORT
from tests.browser.harness import (
    SANDBOX_PERSON,
    AppServer,
    connect_sandbox,
    sandbox_person_joins,
    save_screenshot,
    sign_up_and_log_in,
    switch_org,
    visit,
)

pytestmark = pytest.mark.browser

EMAIL = "ada@approvals.example"
PASSWORD = "two keys open the vault"
ORG, SLUG = "Approval Works", "approval-works"
TEMPLATE = "Client projects with approval"
RUN_TIMEOUT_MS = 90_000


def _member_with_token(server: AppServer, slug: str = SLUG, owner: str = EMAIL) -> str:
    """The sandbox person joins as a member (Jira knows her) with an API token; its secret."""
    engine = create_engine(server.database_url)
    with Session(engine) as db:
        org = db.exec(select(Organization).where(Organization.slug == slug)).one()
        person = sandbox_person_joins(db, org, PASSWORD)
        # The owner confirmed her address too (keeps the screenshot to the run).
        verification.mark_verified(db, db.exec(select(User).where(User.email == owner)).one())
        db.flush()
        acting = principal_in_org(db, Actor(person.id, person.email, False), org.id)
        secret = api_tokens.create_api_token(db, acting, name="approval journey").secret
        db.commit()
    engine.dispose()
    return secret


def _jira_and_gated_template(page: Page) -> None:
    """A sandbox Jira connection, and a template that asks an admin first."""
    connect_sandbox(page, "Jira", "Demo Jira")
    _gated_template(page)


def _gated_template(page: Page) -> None:
    """On the templates page: clone the built-in template and ask for approval."""
    visit(page, "/org/templates")
    page.get_by_test_id("template-row").filter(has_text="Agency / IT project").get_by_role(
        "button", name="Clone").click()
    source = page.locator("#template-source")
    expect(source).to_have_value(re.compile("name: Copy of Agency / IT project"))
    text = source.input_value().replace("name: Copy of Agency / IT project",
                                        f"name: {TEMPLATE}", 1)
    source.fill(text.rstrip("\n") + "\napproval: {required: true, approvers: admin}\n")
    page.get_by_role("button", name="Save as new version").click()
    expect(page.get_by_text("Saved as version 2.")).to_be_visible()


def _start_project(page: Page, token: str, slug: str = SLUG, name: str = "Harbor portal",
                   key: str = "HARB") -> str:
    """The member starts a Jira project from the gated template (REST API); its run id."""
    auth = {"Authorization": f"Bearer {token}"}
    api = f"/api/v1/orgs/{slug}"
    jira = next(c["id"] for c in page.request.get(f"{api}/connections", headers=auth).json()
                if c["tool"] == "jira")
    template = next(t["id"] for t in page.request.get(f"{api}/templates", headers=auth).json()
                    if t["name"] == TEMPLATE)
    me = page.request.get("/api/v1/me", headers=auth).json()["id"]
    created = page.request.post(f"{api}/projects", headers=auth, data={
        "template_id": template, "answers": {
            "name": name, "key": key, "project_type": "client",
            "client_company": "Blue Harbor Logistics", "project_manager": me,
            "jira_mode": "create", "jira_connection": jira, "confluence_mode": "skip",
            "m365_mode": "skip", "productive_mode": "skip"}})
    assert created.status == 201, created.text()
    run = created.json()["run"]
    assert run["status"] == "awaiting_approval"
    return str(run["id"])


def test_a_member_waits_and_another_admin_approves(page: Page, browser: Browser,
                                                    app_server: AppServer,
                                                    console_errors: list[str]) -> None:
    sign_up_and_log_in(page, email=EMAIL, name="Ada Approver", password=PASSWORD,
                       org_name=ORG, org_slug=SLUG)
    _jira_and_gated_template(page)
    run_id = _start_project(page, _member_with_token(app_server))

    member = browser.new_context(base_url=app_server.base_url, viewport=VIEWPORT,
                                 color_scheme="light").new_page()
    try:
        login = member.request.post("/api/v1/auth/login", data={
            "email": SANDBOX_PERSON[1], "password": PASSWORD})
        assert login.ok, login.text()
        switch_org(member, ORG)  # she may belong to other journeys' organizations too
        visit(member, f"/runs/{run_id}")
        expect(member.get_by_test_id("awaiting-approval")).to_have_text(
            "Awaiting approval by an owner or admin. Nothing is created or changed in any tool "
            "until then.")
        expect(member.get_by_text("You started this run, so someone else must approve it."))\
            .to_be_visible()
        expect(member.get_by_test_id("approve-run")).to_have_count(0)
    finally:
        member.context.close()

    visit(page, "/dashboard")
    row = page.get_by_test_id("approval-row")
    expect(row).to_contain_text("Harbor portal")
    expect(row).to_contain_text(SANDBOX_PERSON[0])
    row.get_by_role("link", name="Review").click()
    expect(page).to_have_url(re.compile(f"/runs/{run_id}/?$"))
    expect(page.get_by_test_id("approve-run")).to_be_visible()
    page.get_by_test_id("decision-comment").fill("Signed contract on file")
    page.mouse.move(0, 0)
    save_screenshot(page, "run-awaiting-approval")

    page.get_by_test_id("approve-run").click()
    expect(page.get_by_test_id("run-decision")).to_contain_text(
        re.compile(r"^Approved by Ada Approver on .*: Signed contract on file$"))
    expect(page.get_by_test_id("run-count")).to_have_text(
        re.compile(r"^(\d+) of \1 steps done$"), timeout=RUN_TIMEOUT_MS)
    expect(page.get_by_test_id("awaiting-approval")).to_have_count(0)
    assert console_errors == []


def test_a_rejected_project_shows_as_not_approved_and_is_deleted(
        page: Page, app_server: AppServer, console_errors: list[str]) -> None:
    """An owner rejects a member's project: the run says so in words, the project page says
    it was not approved (who, why, nothing in any tool), and the owner deletes the record."""
    slug, owner = "rejection-works", "rae@rejections.example"
    sign_up_and_log_in(page, email=owner, name="Rae Rejecter", password=PASSWORD,
                       org_name="Rejection Works", org_slug=slug)
    _jira_and_gated_template(page)
    run_id = _start_project(page, _member_with_token(app_server, slug, owner), slug,
                            name="Kelp portal", key="KELP")
    visit(page, f"/runs/{run_id}")
    expect(page.get_by_test_id("run-status")).to_have_text("Awaiting approval")
    page.get_by_test_id("decision-comment").fill("No budget this quarter")
    page.get_by_test_id("reject-run").click()
    expect(page.get_by_test_id("run-status")).to_have_text("Rejected")
    page.get_by_role("link", name="Open project").click()
    expect(page.get_by_test_id("not-approved")).to_contain_text(
        "Not approved: nothing was created in any tool.")
    expect(page.get_by_test_id("project-rejection")).to_contain_text(
        re.compile(r"^Rejected by Rae Rejecter on .*: No budget this quarter$"))
    expect(page.get_by_test_id("lifecycle")).to_have_text("Not approved")
    page.mouse.move(0, 0)
    save_screenshot(page, "project-not-approved")

    page.get_by_test_id("delete-project").click()
    expect(page.get_by_test_id("delete-option")).to_have_count(0)
    page.get_by_test_id("delete-confirmation").fill("KELP")
    page.get_by_test_id("delete-confirm").click()
    expect(page).to_have_url(re.compile(r"/(dashboard)?$"), timeout=20_000)
    assert console_errors == []
