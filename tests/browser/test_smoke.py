"""The built app starts quietly and serves the landing page, the API and its docs on one port,
and every page works under its Content-Security-Policy."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.harness import ROOT, AppServer, save_screenshot, visit

pytestmark = pytest.mark.browser


def test_landing_page_renders_with_links_to_login_and_signup(
    page: Page, console_errors: list[str]
) -> None:
    visit(page, "/")

    expect(page).to_have_title("ProjectHub")
    expect(page.get_by_role("heading", level=1)).to_contain_text("tracked in one place")
    expect(page.get_by_role("link", name="Create an account")).to_have_attribute("href", "/signup")
    expect(page.get_by_role("link", name="Log in").first).to_have_attribute("href", "/login")
    save_screenshot(page, "landing")
    assert console_errors == []


def test_colour_mode_toggle_switches_to_dark(page: Page) -> None:
    visit(page, "/")

    page.get_by_role("button", name="Toggle dark mode").click()

    expect(page.locator("html")).to_have_class(re.compile(r"\bdark\b"))
    save_screenshot(page, "landing-dark")


def test_health_endpoint_is_served_by_the_same_server(page: Page) -> None:
    response = page.request.get("/api/v1/health")

    assert response.ok
    assert response.json() == {"status": "ok"}


def test_favicon_is_a_static_file_from_assets(page: Page) -> None:
    visit(page, "/")

    expect(page.locator("link[rel=icon]")).to_have_attribute("href", "/favicon.svg")
    response = page.request.get("/favicon.svg")
    assert response.ok
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.text() == (ROOT / "assets" / "favicon.svg").read_text()


def test_api_docs_load(page: Page) -> None:
    response = page.goto("/api/v1/docs")

    assert response is not None and response.ok
    expect(page).to_have_title(re.compile("ProjectHub API"))


# Reflex's note when a background event (a run page's poll, a company search) answers a tab
# that has closed or moved on meanwhile: what people do with tabs, not a fault of the app.
GONE_TAB = re.compile(r"Warning: Attempting to send delta to disconnected client\s*'[0-9a-f-]+'")


def test_server_log_has_no_warnings(app_server: AppServer) -> None:
    log = GONE_TAB.sub("", app_server.log_text())

    assert "App running at" in log
    assert not re.search(r"warning", log, re.IGNORECASE), log


# Every page a signed-up owner can open (the ones taking an id are covered by their journeys).
PAGES = ("/dashboard", "/projects/new", "/account", "/orgs/new", "/org/settings", "/org/members",
         "/org/connections", "/org/templates", "/org/audit", "/outbox", "/forgot-password",
         "/reset-password/phr_unknown", "/verify-email/phv_unknown")
SECURITY_HEADERS = {"x-content-type-options": "nosniff", "x-frame-options": "DENY",
                    "referrer-policy": "same-origin"}


def _has_security_headers(headers: dict[str, str]) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name) == value, (name, headers)
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_every_page_runs_under_the_content_security_policy(
    page: Page, console_errors: list[str]
) -> None:
    static: list[dict[str, str]] = []
    page.on("response", lambda r: static.append(r.all_headers())
            if r.url.endswith(".js") else None)
    for path in ("/", "/login", "/signup"):
        _has_security_headers((visit(page, path) or pytest.fail(path)).all_headers())
    page.get_by_label("Email").fill("csp@example.com")
    page.get_by_label("Your name").fill("Cas Policy")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_label("Organization name").fill("Policy Works")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile("/dashboard"))
    for path in PAGES:
        visit(page, path)
        expect(page.get_by_role("heading").first).to_be_visible()
    visit(page, "/account")
    page.get_by_label("Token name").fill("ci")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_test_id("copy-value")).to_have_value(re.compile("^pht_"))
    _has_security_headers(page.request.get("/api/v1/health").headers)
    assert static, "no script was loaded"
    for headers in static:
        _has_security_headers(headers)
    assert console_errors == []
