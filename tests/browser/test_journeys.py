"""Journeys through the built app.

- A team: sign up with an organization, invite a second person who accepts in another browser,
  change their role, log out and in again. Every websocket frame is recorded: neither password
  nor session token may appear in any, and the session cookie is invisible to scripts (HttpOnly).
- An instance admin creates and suspends tenants; the suspended tenant's owner sees why.
- API tokens (shown once) and the audit log they leave behind.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, WebSocket, expect
from sqlalchemy import create_engine
from sqlmodel import Session

from projecthub.core.web import session_cookie_name
from projecthub.services import accounts, orgs, verification
from projecthub.services.principal import actor_for
from tests.browser.harness import AppServer, open_mailed_link, save_screenshot, visit

pytestmark = pytest.mark.browser

ADA_PASSWORD = "velvet thunder across the harbour"
BOB_PASSWORD = "seven quiet lanterns at noon"
DASHBOARD = re.compile(r"/dashboard/?$")  # the production server adds a trailing slash


@dataclass
class FrameLog:
    """Every websocket frame a page sends or receives, across reloads."""

    frames: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        def watch(socket: WebSocket) -> None:
            socket.on("framesent", lambda payload: self.frames.append(str(payload)))
            socket.on("framereceived", lambda payload: self.frames.append(str(payload)))
        page.on("websocket", watch)

    def containing(self, secret: str) -> list[str]:
        return [frame[:200] for frame in self.frames if secret in frame]


def _seed_user(server: AppServer, email: str, name: str, *, org: str = "",
               admin: bool = False) -> None:
    """An account (and organization) written straight into the app's database."""
    engine = create_engine(server.database_url)
    with Session(engine) as db:
        user = accounts.create_user(db, email=email, password=ADA_PASSWORD, display_name=name,
                                    is_instance_admin=admin)
        verification.mark_verified(db, user)  # as the operator's CLI does
        db.commit()
        if org:
            orgs.create_organization(db, actor_for(user), name=org, slug=org.lower())
            db.commit()
    engine.dispose()


def _log_in(page: Page, email: str, password: str = ADA_PASSWORD) -> None:
    visit(page, "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(DASHBOARD)


@pytest.fixture
def second_page(browser: Browser, app_server: AppServer) -> Iterator[Page]:
    """Another person's browser: its own context, so its own cookies."""
    context = browser.new_context(base_url=app_server.base_url,
                                  viewport={"width": 1280, "height": 800}, color_scheme="light")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def _shot(page: Page, name: str) -> None:
    """Screenshots start at the top (a scrolled full-page shot repeats the sticky header)."""
    expect(page.locator("[data-sonner-toast]")).to_have_count(0, timeout=10_000)
    page.evaluate("window.scrollTo(0, 0)")
    page.mouse.move(0, 0)
    save_screenshot(page, name)


def _session_cookie(context: BrowserContext) -> dict[str, object]:
    [cookie] = [c for c in context.cookies() if c["name"] == session_cookie_name()]
    return dict(cookie)


def _sign_up_ada(page: Page) -> None:
    visit(page, "/signup")
    _shot(page, "signup")
    page.get_by_label("Email").fill("ada@acme.example")
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Password").fill("password")
    page.get_by_label("Organization name").fill("Acme Agency")
    expect(page.get_by_label("Short name (slug)")).to_have_value("acme-agency")
    page.get_by_role("button", name="Create account").click()

    # A rejected password is explained next to it, and nothing typed is lost.
    expect(page.locator("#field-password-note")).to_have_text(
        "This password is too common. Choose one that is harder to guess.")
    expect(page.get_by_label("Email")).to_have_value("ada@acme.example")
    expect(page.get_by_label("Your name")).to_have_value("Ada Lovelace")
    expect(page.get_by_label("Organization name")).to_have_value("Acme Agency")

    page.get_by_label("Password").fill(ADA_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(DASHBOARD)
    expect(page.get_by_role("heading", name="Acme Agency")).to_be_visible()


def _invite_bob(page: Page) -> str:
    page.get_by_role("link", name="Members", exact=True).click()
    expect(page.get_by_role("heading", name="Invite people")).to_be_visible()
    page.get_by_label("Email").fill("bob@acme.example")
    page.get_by_role("button", name="Create invitation").click()
    link = page.get_by_test_id("copy-value")
    expect(link).to_have_value(re.compile("/invite/inv_"))
    expect(page.get_by_text("Single use, valid until")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="bob@acme.example")).to_be_visible()
    _shot(page, "members-invite")
    return link.input_value()


def _bob_tries_a_taken_email_then_accepts(page: Page, link: str) -> None:
    visit(page, "/signup")
    page.get_by_label("Email").fill("ada@acme.example")
    page.get_by_label("Your name").fill("Not Ada")
    page.get_by_label("Password").fill(BOB_PASSWORD)
    page.get_by_label("Organization name").fill("Copycat")
    page.get_by_role("button", name="Create account").click()
    # The same answer as for a new address (no "already exists"): the owner is told instead.
    expect(page.get_by_text("If it already has an account, we have told its owner")
           ).to_be_visible()
    expect(page.get_by_label("Your name")).to_have_value("Not Ada")

    visit(page, link.removeprefix(link.split("/invite/")[0]))
    expect(page.get_by_text("Acme Agency")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value("bob@acme.example")
    _shot(page, "invite-accept")
    page.get_by_label("Your name").fill("Bob Builder")
    page.get_by_label("Password").fill(BOB_PASSWORD)
    page.get_by_role("button", name="Create account and join").click()
    page.wait_for_url(DASHBOARD)
    # Bob joins once he confirms his address (issue 10, finding 5), from the dev outbox.
    expect(page.locator("#verify-banner")).to_contain_text("bob@acme.example")
    open_mailed_link(page, "bob@acme.example", "Confirm your email", "/verify-email/")
    expect(page.get_by_text("Your email address is confirmed.")).to_be_visible()
    expect(page.get_by_text("through your invitation")).to_contain_text("Acme Agency")
    _shot(page, "verify-email")
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url(DASHBOARD)
    expect(page.get_by_role("heading", name="Acme Agency")).to_be_visible()
    expect(page.get_by_text("member", exact=True)).to_be_visible()
    expect(page.locator("#verify-banner")).to_have_count(0)


def _manage_bob(page: Page, bob_page: Page) -> None:
    """Ada makes Bob an admin, is stopped from demoting herself (the last owner), and
    deactivates Bob (his sessions end at once) before reactivating him."""
    visit(page, "/org/members")
    bob = page.get_by_role("row").filter(has_text="bob@acme.example")
    bob.get_by_role("combobox").click()
    page.get_by_role("option", name="admin").click()
    expect(page.get_by_text("Role changed to admin.")).to_be_visible()
    visit(page, "/org/members")
    expect(bob.get_by_role("combobox")).to_have_text("admin")

    ada = page.get_by_role("row").filter(has_text="ada@acme.example")
    ada.get_by_role("combobox").click()
    page.get_by_role("option", name="viewer").click()
    expect(page.get_by_role("alert")).to_contain_text("The last owner cannot be removed")
    expect(ada.get_by_role("combobox")).to_have_text("owner")

    bob.get_by_role("button", name="Deactivate").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Deactivate").click()
    expect(bob.get_by_text("deactivated", exact=True)).to_be_visible()
    visit(bob_page, "/dashboard")
    bob_page.wait_for_url(re.compile(r"/login/?\?next=/dashboard/?$"))
    bob.get_by_role("button", name="Reactivate").click()
    expect(bob.get_by_text("active", exact=True)).to_be_visible()


def _log_out_and_in(page: Page, frames: FrameLog) -> None:
    """Logging out leaves nothing of the pages before in the tab: the login page's websocket
    carries none of their data (the tab gets a new Reflex token, hence fresh states)."""
    visit(page, "/org/members")
    expect(page.get_by_role("row").filter(has_text="bob@acme.example")).to_be_visible()
    page.get_by_role("button", name="User menu").click()
    page.get_by_role("menuitem", name="Log out").click()
    page.wait_for_url(re.compile(r"/login/?$"))
    logged_out = len(frames.frames)
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    _shot(page, "login")
    page.reload()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    after = FrameLog(frames.frames[logged_out:])
    assert after.frames and after.containing("bob@acme.example") == []
    visit(page, "/dashboard")
    page.wait_for_url(re.compile(r"/login/?\?next=/dashboard/?$"))

    page.get_by_label("Email").fill("ada@acme.example")
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Email or password is incorrect.")
    expect(page.get_by_label("Email")).to_have_value("ada@acme.example")
    _shot(page, "login-error")

    page.get_by_label("Password").fill(ADA_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(DASHBOARD)
    expect(page.get_by_role("heading", name="Acme Agency")).to_be_visible()


def test_team_journey_keeps_password_and_session_token_out_of_websocket_frames(
    page: Page, second_page: Page
) -> None:
    ada_frames, bob_frames = FrameLog(), FrameLog()
    ada_frames.attach(page)
    bob_frames.attach(second_page)

    _sign_up_ada(page)
    _shot(page, "dashboard-empty")
    link = _invite_bob(page)
    _bob_tries_a_taken_email_then_accepts(second_page, link)
    _manage_bob(page, second_page)
    first_token = str(_session_cookie(page.context)["value"])
    _log_out_and_in(page, ada_frames)

    cookie = _session_cookie(page.context)
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax"
    assert cookie["value"] != first_token  # a new session at every login
    assert session_cookie_name() not in page.evaluate("document.cookie")
    bob_token = str(_session_cookie(second_page.context)["value"])
    assert len(ada_frames.frames) > 20 and len(bob_frames.frames) > 10
    for secret in (ADA_PASSWORD, first_token, str(cookie["value"])):
        assert ada_frames.containing(secret) == []
    for secret in (BOB_PASSWORD, bob_token):
        assert bob_frames.containing(secret) == []


def test_instance_admin_suspends_a_tenant_and_its_owner_sees_why(
    page: Page, second_page: Page, app_server: AppServer
) -> None:
    _seed_user(app_server, "root@instance.example", "Root Admin", admin=True)
    _seed_user(app_server, "carol@globex.example", "Carol Chen", org="Globex")
    _log_in(second_page, "carol@globex.example")
    expect(second_page.get_by_role("heading", name="Globex")).to_be_visible()

    _log_in(page, "root@instance.example")
    expect(page.get_by_text("No organization selected")).to_be_visible()
    page.get_by_role("button", name="User menu").click()
    page.get_by_role("menuitem", name="Instance admin").click()
    expect(page.get_by_role("heading", name="Tenants")).to_be_visible()
    page.get_by_label("Name").fill("Initech")
    page.get_by_label("Slug").fill("initech")
    page.get_by_label("Owner's email").fill("nobody@initech.example")
    page.get_by_role("button", name="Create organization").click()
    expect(page.locator("#field-owner_email-note")).to_contain_text("sign up first")
    expect(page.get_by_label("Name")).to_have_value("Initech")
    page.get_by_label("Owner's email").fill("carol@globex.example")
    page.get_by_role("button", name="Create organization").click()
    initech = page.get_by_role("row").filter(has_text="initech")
    expect(initech).to_contain_text("active")
    expect(page.get_by_label("Name")).to_have_value("")

    globex = page.get_by_role("row").filter(has_text="globex")
    globex.get_by_role("button", name="Suspend").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Suspend").click()
    expect(globex).to_contain_text("suspended")
    expect(globex.get_by_role("button", name="Reactivate")).to_be_visible()
    _shot(page, "admin-tenants")

    visit(second_page, "/org/members")
    expect(second_page.get_by_role("heading", name="Organization suspended")).to_be_visible()
    expect(second_page.get_by_text("carol@globex.example")).to_have_count(0)
    _shot(second_page, "org-suspended")
    second_page.get_by_role("button", name="Switch organization").click()
    second_page.get_by_role("menuitem").filter(has_text="Initech").click()
    expect(second_page.get_by_role("heading", name="Initech")).to_be_visible()
    second_page.get_by_role("button", name="Toggle dark mode").click()
    _shot(second_page, "dashboard-empty-dark")


def test_api_token_is_shown_once_and_the_audit_log_records_it(
    page: Page, app_server: AppServer
) -> None:
    _seed_user(app_server, "dave@hooli.example", "Dave Doe", org="Hooli")
    _log_in(page, "dave@hooli.example")

    page.get_by_role("link", name="Create an API token").click()
    expect(page.get_by_role("heading", name="API tokens")).to_be_visible()
    page.get_by_label("Token name").fill("CI pipeline")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_test_id("copy-value")
    expect(secret).to_have_value(re.compile("^pht_"))
    row = page.get_by_role("row").filter(has_text="CI pipeline")
    expect(row).to_contain_text("…" + secret.input_value()[-4:])
    expect(row).to_contain_text("Never")
    page.get_by_label("Token name").fill("Nightly export")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("row").filter(has_text="Nightly export")).to_be_visible()
    _shot(page, "account-tokens")
    page.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_test_id("copy-value")).to_have_value("")
    expect(page.get_by_test_id("copy-value")).to_be_hidden()

    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("row").filter(has_text="api_token.created")).to_have_count(2)
    page.get_by_role("combobox", name="Filter by action").click()
    page.get_by_role("option", name="org.created").click()
    expect(page.get_by_role("row").filter(has_text="api_token.created")).to_have_count(0)
    expect(page.get_by_role("row").filter(has_text="org.created")).to_have_count(1)
    page.get_by_role("combobox", name="Filter by action").click()
    page.get_by_role("option", name="Everyone / everything").click()
    expect(page.get_by_role("row").filter(has_text="api_token.created")).to_have_count(2)
    _shot(page, "audit-log")
