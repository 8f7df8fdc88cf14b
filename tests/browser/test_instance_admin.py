"""Instance administration in the built app: an admin closes sign-up on the settings page and a
visitor's sign-up page says so instead of showing the form; the admin then deactivates a person
on the users page, whose open session ends at once."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine
from sqlmodel import Session, select

from projecthub.models import User
from projecthub.services import signup_policy
from projecthub.services.principal import actor_for
from tests.browser.harness import AppServer, save_screenshot, visit
from tests.browser.test_journeys import _log_in, _seed_user, second_page  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture
def reopens_sign_up(app_server: AppServer) -> Iterator[None]:
    """The browser tests share one app: sign-up is open again for the tests after this one."""
    yield
    engine = create_engine(app_server.database_url)
    try:
        with Session(engine) as db:
            admin = db.exec(select(User).where(User.email == "root@ops.example")).one()
            signup_policy.set_policy(db, actor_for(admin), policy="open", domains=[])
            db.commit()
    finally:
        engine.dispose()


@pytest.mark.usefixtures("reopens_sign_up")
def test_admin_closes_sign_up_and_deactivates_a_person(
        page: Page, second_page: Page, app_server: AppServer):  # noqa: F811 (the fixture)
    _seed_user(app_server, "root@ops.example", "Rita Root", org="Ops", admin=True)
    _seed_user(app_server, "jo@acme.example", "Jo Lee", org="Acme")
    _log_in(second_page, "jo@acme.example")
    _log_in(page, "root@ops.example")

    visit(page, "/admin/settings")
    expect(page.get_by_text("Anyone can create an account.")).to_be_visible()
    page.get_by_text("Invite-only: only through an invitation link").click()
    page.get_by_role("button", name="Save sign-up policy").click()
    expect(page.get_by_text("Sign-up policy saved.")).to_be_visible()
    expect(page.get_by_text("Set here by an administrator")).to_be_visible()
    save_screenshot(page, "admin-settings")

    second_page.context.clear_cookies()
    visit(second_page, "/signup")
    expect(second_page.get_by_text("Sign-up is by invitation only")).to_be_visible()
    expect(second_page.get_by_role("button", name="Create account")).to_have_count(0)
    save_screenshot(second_page, "signup-invite-only")

    _log_in(second_page, "jo@acme.example")
    visit(page, "/admin/users")
    page.get_by_label("Search").fill("jo@acme.example")  # the app is shared: be exact
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_text("1 matching accounts")).to_be_visible()
    save_screenshot(page, "admin-users")
    page.get_by_role("button", name="Deactivate").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Deactivate").click()
    expect(page.get_by_text("deactivated", exact=True)).to_be_visible()

    visit(second_page, "/dashboard")
    second_page.wait_for_url(re.compile(r"/login"))
