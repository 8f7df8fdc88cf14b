"""Sign in with Microsoft in Chromium against the real app and the sandbox's fake Entra ID:
the login page's button loads the API's start route as a full page (not the SPA router), the
sandbox's account picker answers, and the callback's session cookie opens the app. First time
an account is created, the second time it is the same account; an existing password account
is linked once its password is confirmed."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.browser.harness import AppServer, save_screenshot, sign_up_and_log_in, visit

pytestmark = pytest.mark.browser

DASHBOARD = re.compile(r"/dashboard/?$")
PICKER = re.compile(r"/sandbox/graph/login/organizations/oauth2/v2\.0/authorize\?")


def _rows(server: AppServer, sql: str, **params: str) -> list[tuple[object, ...]]:
    engine = create_engine(server.database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), params)]
    finally:
        engine.dispose()


def _sign_in_with_microsoft(page: Page, email: str, name: str,
                            screenshot: str | None = None) -> None:
    """From the login page through the sandbox's picker ("Use another account")."""
    visit(page, "/login")
    page.get_by_role("button", name="Sign in with Microsoft").click()
    page.wait_for_url(PICKER)
    expect(page.get_by_role("heading", name="Pick an account")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Name").fill(name)
    if screenshot:
        save_screenshot(page, screenshot)
    page.get_by_role("button", name="Next").click()


def test_first_and_second_microsoft_sign_in_reach_the_same_new_account(
        page: Page, app_server: AppServer) -> None:
    email = f"mia-{secrets.token_hex(3)}@projecthub.example"
    visit(page, "/login")
    expect(page.get_by_role("button", name="Sign in with Microsoft")).to_be_visible()
    save_screenshot(page, "login-with-microsoft")

    _sign_in_with_microsoft(page, email, "Mia Microsoft", screenshot="microsoft-sandbox-picker")
    page.wait_for_url(DASHBOARD)
    expect(page.get_by_role("button", name="Mia Microsoft, user menu")).to_be_visible()
    save_screenshot(page, "microsoft-first-sign-in")
    [(user_id, verified)] = _rows(
        app_server, "SELECT id, email_verified_at IS NOT NULL FROM users WHERE email = :e",
        e=email)
    assert verified

    page.context.clear_cookies()
    _sign_in_with_microsoft(page, email, "Mia Microsoft")
    page.wait_for_url(DASHBOARD)
    expect(page.get_by_role("button", name="Mia Microsoft, user menu")).to_be_visible()
    assert _rows(app_server, "SELECT id FROM users WHERE email = :e", e=email) == [(user_id,)]
    assert len(_rows(app_server, "SELECT id FROM microsoft_identities WHERE user_id = :u",
                     u=str(user_id))) == 1


def test_an_existing_password_account_is_linked_after_its_password(
        page: Page, app_server: AppServer) -> None:
    email = f"leo-{secrets.token_hex(3)}@projecthub.example"
    password = "lanterns along the quay"
    slug = f"leo-{secrets.token_hex(3)}"
    sign_up_and_log_in(page, email=email, name="Leo Linked", password=password,
                       org_name="Leo Works", org_slug=slug)
    page.context.clear_cookies()

    _sign_in_with_microsoft(page, email, "Leo (Microsoft)")
    page.wait_for_url(re.compile(r"/login/microsoft/?\?next="))
    expect(page.get_by_role("heading", name="Link your Microsoft account")).to_be_visible()
    expect(page.get_by_text(email).first).to_be_visible()
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Link and sign in").click()
    expect(page.get_by_role("alert").filter(has_text="not this account's password")
           ).to_be_visible()
    page.get_by_label("Password").fill(password)
    save_screenshot(page, "microsoft-link-existing-account")
    page.get_by_role("button", name="Link and sign in").click()
    page.wait_for_url(DASHBOARD)
    expect(page.get_by_text("Leo Works").first).to_be_visible()

    page.context.clear_cookies()  # from now on Microsoft alone is enough
    _sign_in_with_microsoft(page, email, "Leo (Microsoft)")
    page.wait_for_url(DASHBOARD)
    expect(page.get_by_text("Leo Works").first).to_be_visible()


def test_a_replayed_callback_lands_on_the_login_page_with_a_reason(
        page: Page, app_server: AppServer) -> None:
    email = f"rex-{secrets.token_hex(3)}@projecthub.example"
    callbacks: list[str] = []
    page.on("request", lambda request: callbacks.append(request.url)
            if "/auth/microsoft/callback" in request.url else None)
    _sign_in_with_microsoft(page, email, "Rex Replay")
    page.wait_for_url(DASHBOARD)
    page.context.clear_cookies()
    visit(page, callbacks[0])
    page.wait_for_url(re.compile(r"/login/?\?microsoft=expired_flow"))
    expect(page.get_by_role("alert").filter(has_text="expired or was already used")
           ).to_be_visible()
    save_screenshot(page, "microsoft-refused")


def test_an_organization_lets_its_directory_join_and_requires_microsoft(
        page: Page, app_server: AppServer) -> None:
    """Its own email domain, so its directory is nobody else's in the shared app."""
    domain = f"acme-{secrets.token_hex(3)}.example"
    owner, password, org_name = f"olga@{domain}", "harbour lights at dusk", f"Acme {domain[5:11]}"
    sign_up_and_log_in(page, email=owner, name="Olga Owner", password=password,
                       org_name=org_name, org_slug=domain.split(".")[0])
    page.context.clear_cookies()
    _sign_in_with_microsoft(page, owner, "Olga Owner")
    page.wait_for_url(re.compile(r"/login/microsoft/?\?next="))
    expect(page.get_by_text(owner).first).to_be_visible()  # the pending link is loaded
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Link and sign in").click()
    page.wait_for_url(DASHBOARD)
    expect(page.get_by_text(org_name).first).to_be_visible()

    visit(page, "/org/settings")
    settings = page.get_by_test_id("microsoft-settings")
    expect(page.get_by_text("Your Microsoft directory:")).to_be_visible()
    settings.get_by_role("checkbox", name="Require Sign in with Microsoft").click()
    settings.get_by_role("checkbox", name="Let people of our directory join").click()
    settings.get_by_role("combobox").click()
    page.get_by_role("option", name="viewer").click()
    settings.get_by_role("button", name="Save Microsoft sign-in settings").click()
    expect(page.get_by_text("Microsoft sign-in settings saved.")).to_be_visible()
    expect(page.get_by_text("the rules apply to")).to_be_visible()
    save_screenshot(page, "org-microsoft-settings")

    page.context.clear_cookies()  # a colleague of the same directory joins by themselves
    newcomer = f"nico@{domain}"
    _sign_in_with_microsoft(page, newcomer, "Nico Newcomer")
    page.wait_for_url(DASHBOARD)
    expect(page.get_by_text(org_name).first).to_be_visible()
    [(role,)] = _rows(app_server, "SELECT m.role FROM memberships m JOIN users u "
                                  "ON u.id = m.user_id WHERE u.email = :e", e=newcomer)
    assert role == "viewer"

    page.context.clear_cookies()  # the owner's password alone no longer opens it
    visit(page, "/login")
    page.get_by_label("Email").fill(owner)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(DASHBOARD)
    expect(page.get_by_role("heading", name="Sign in with Microsoft required")).to_be_visible()
    expect(page.get_by_text("requires signing in with Microsoft").first).to_be_visible()
    save_screenshot(page, "org-requires-microsoft")
