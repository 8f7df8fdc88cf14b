"""What a new user notices, in the built app: an unknown URL gets a 404 page in the app's chrome
with a way back; a freshly provisioned four-tool project's status page has cards only for
resources with figures (the budget's on the Productive card) and links for the rest, none of
them stale after Refresh; and times read in the browser's own zone and language, UTC on hover,
with data ages that tick on without a reload."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import VIEWPORT
from tests.browser.harness import AppServer, save_screenshot, visit
from tests.browser.provisioned import Provisioned, provision_project

pytestmark = pytest.mark.browser

EMAIL = "ines@fjord.example"
PASSWORD = "fjords are deep and the water is cold"
ZONE = "Pacific/Auckland"  # far from UTC, so a time left in UTC cannot pass for local


@pytest.fixture(scope="module")
def project(browser: Browser, app_server: AppServer) -> Iterator[Provisioned]:
    context = browser.new_context(base_url=app_server.base_url, viewport=VIEWPORT)
    try:
        yield provision_project(context.new_page(), app_server, email=EMAIL, password=PASSWORD,
                                org_name="Fjord Labs", org_slug="fjord-labs",
                                name="Fjord portal", key="FJORD")
    finally:
        context.close()


def _log_in(page: Page) -> None:
    response = page.request.post("/api/v1/auth/login", data={"email": EMAIL, "password": PASSWORD})
    assert response.ok, response.text()


def _shot(page: Page, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.mouse.move(0, 0)
    expect(page.locator("[data-sonner-toast]")).to_have_count(0, timeout=20_000)
    save_screenshot(page, name)


def test_an_unknown_url_gets_a_404_page_in_the_app_chrome_with_a_way_back(
        page: Page, console_errors: list[str]) -> None:
    response = visit(page, f"/no/such/page-{uuid.uuid4().hex[:6]}")

    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page).to_have_title(re.compile("^Page not found"))
    expect(page.get_by_role("link", name="ProjectHub home")).to_be_visible()  # the chrome
    expect(page.get_by_role("link", name="Go to the dashboard")).to_have_attribute(
        "href", "/dashboard")
    save_screenshot(page, "not-found")
    page.get_by_role("link", name="Home page").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("tracked in one place")
    # The browser logs the 404 status itself; nothing else may fail.
    assert [e for e in console_errors if "status of 404 (Not Found)" not in e] == []


def test_a_fresh_project_shows_figures_on_cards_and_links_for_the_rest(
        page: Page, project: Provisioned, console_errors: list[str]) -> None:
    _log_in(page)
    visit(page, f"/projects/{project.project_id}")

    cards = page.get_by_test_id("resource-card")
    expect(cards).to_have_count(4)  # Jira, Productive, Planner, Confluence space
    links = page.get_by_test_id("resource-link")
    for kind in ("Confluence page", "Teams channel", "Productive budget", "Team"):
        expect(links.filter(has_text=kind).first).to_be_visible()
    expect(links.filter(has_text="Project charter").get_by_role("link")).to_have_attribute(
        "href", re.compile(r"/sandbox/confluence/"))

    page.get_by_test_id("refresh").click()
    expect(page.get_by_text(re.compile("^Figures refreshed"))).to_be_visible(timeout=30_000)
    expect(page.get_by_text("No figures yet")).to_have_count(0)
    expect(page.get_by_test_id("stale")).to_have_count(0)
    expect(page.get_by_test_id("stale-note")).to_have_count(0)
    productive = cards.filter(has_text="Productive project")
    budget = productive.locator("[data-testid=figure][data-label=Budget]")
    # The budget step prices a service on the budget, so Productive totals it at once.
    expect(budget.get_by_test_id("figure-value")).to_have_text(re.compile(r"^€[1-9][\d,]*$"))
    expect(budget).to_contain_text("Fjord portal")  # the budget, named on its project's card
    expect(productive.locator("[data-testid=figure][data-label=Used]")).to_be_visible()
    expect(productive.locator("[data-testid=figure][data-label=Time]")).to_be_visible()
    expect(cards.first.get_by_test_id("fetched")).to_contain_text("fetched a few seconds ago")
    _shot(page, "project-status-fresh")
    assert console_errors == []


def test_times_show_in_the_viewers_zone_and_language_and_ages_tick(
        browser: Browser, app_server: AppServer, project: Provisioned) -> None:
    context = browser.new_context(base_url=app_server.base_url, viewport=VIEWPORT,
                                  timezone_id=ZONE, locale="de-DE")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.clock.install()  # time runs on, and the test can move it ahead
        _log_in(page)
        visit(page, f"/projects/{project.project_id}")

        created = page.get_by_test_id("local-time").first
        expect(created).to_have_attribute("title", re.compile(r" UTC$"))
        utc = datetime.strptime(str(created.get_attribute("title")), "%d %b %Y, %H:%M UTC")
        local = utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(ZONE))
        expect(created).to_contain_text(f"{local.day}. ")  # German: "7. Dez. 2026 04:30"
        expect(created).to_contain_text(f"{local:%Y %H:%M}")

        page.get_by_test_id("refresh").click()
        fetched = page.get_by_test_id("fetched").first
        expect(fetched).to_contain_text("vor ein paar Sekunden", timeout=30_000)
        page.clock.fast_forward("03:00")
        expect(fetched).to_contain_text("vor 3 Minuten")  # no reload: the age ticks
        expect(fetched.get_by_test_id("time-ago")).to_have_attribute(
            "title", re.compile(r" UTC$"))
    finally:
        context.close()
