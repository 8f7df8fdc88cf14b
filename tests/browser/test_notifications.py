"""The bell and notification choices in the browser: a project turning red shows up as an
unread notification with its reason, opening it leads to the project's page and clears the
count, and a person's choice on the account page is kept."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from playwright.sync_api import Page, expect
from sqlalchemy import create_engine
from sqlmodel import Session, select

from projecthub.models import HealthLevel, Organization, Project, Reason, User
from projecthub.services.notifications import events
from tests.browser.harness import AppServer, save_screenshot, visit
from tests.browser.test_journeys import _log_in, _seed_user

RED = [Reason(level=HealthLevel.RED, rule="past_end",
              text="The end date 2026-03-01 has passed with 4 open items.")]


def _project_turns_red(server: AppServer, email: str, org_slug: str) -> str:
    engine = create_engine(server.database_url)
    with Session(engine) as db:
        user = db.exec(select(User).where(User.email == email)).one()
        org = db.exec(select(Organization).where(Organization.slug == org_slug)).one()
        project = Project(organization_id=org.id, key="BELL", name="Bell Tower",
                          owner_id=user.id)
        db.add(project)
        db.flush()
        events.health_changed(db, project, HealthLevel.GREEN, HealthLevel.RED, RED,
                              datetime.now(UTC))
        db.commit()
        project_id = str(project.id)
    engine.dispose()
    return project_id


def test_the_bell_shows_unread_news_and_leads_to_its_page(page: Page, app_server: AppServer):
    _seed_user(app_server, "bell@acme.example", "Bea Bell", org="Bellco")
    project_id = _project_turns_red(app_server, "bell@acme.example", "bellco")
    _log_in(page, "bell@acme.example")
    bell = page.get_by_role("button", name="1 unread notifications")
    expect(bell).to_be_visible()
    bell.click()
    item = page.get_by_test_id("bell-item")
    expect(item).to_contain_text("Bell Tower (BELL) is now red")
    expect(item).to_contain_text("Health went from green to red.")
    save_screenshot(page, "notifications-bell")
    item.click()
    page.wait_for_url(re.compile(rf"/projects/{project_id}/?$"))
    expect(page.get_by_role("button", name="Notifications", exact=True)).to_be_visible()


def test_choices_on_the_account_page_are_kept(page: Page, app_server: AppServer):
    _seed_user(app_server, "prefs@acme.example", "Pia Prefs", org="Prefsco")
    _log_in(page, "prefs@acme.example")
    visit(page, "/account")
    choice = page.get_by_test_id("choice-health_changed-email")
    expect(choice).to_have_text("Immediately")
    choice.click()
    page.get_by_role("option", name="Daily digest").click()
    expect(page.get_by_text("Notification settings saved.")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")  # a full-page shot with the top bar at the top
    save_screenshot(page, "notifications-preferences")
    visit(page, "/account")
    expect(page.get_by_test_id("choice-health_changed-email")).to_have_text("Daily digest")
    expect(page.get_by_test_id("choice-run_failed-email")).to_have_text("Immediately")
