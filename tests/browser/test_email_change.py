"""Changing the sign-in address, in Chromium against the real app: the account page sends a link
to the new address (read from the development outbox), the link's page confirms it, this browser
stays signed in with the new address, the old address gets a notice, the new address logs in,
and the spent link explains itself."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.harness import open_mailed_link, save_screenshot, sign_up_and_log_in, visit

pytestmark = pytest.mark.browser

OLD = "mo@change.example"
NEW = "mo@moved.example"
PASSWORD = "lanterns along the canal"


def test_email_change_from_request_to_signing_in_with_the_new_address(page: Page) -> None:
    sign_up_and_log_in(page, email=OLD, name="Mo Change", password=PASSWORD,
                       org_name="Change Studio", org_slug="change-studio")
    visit(page, "/account")
    expect(page.get_by_role("heading", name="Email address")).to_be_visible()
    page.get_by_label("New email address").fill(NEW)
    page.get_by_label("Your password", exact=True).fill("not my password")
    page.get_by_role("button", name="Send confirmation link").click()
    expect(page.locator("#field-password-note")).to_contain_text("incorrect")
    page.get_by_label("Your password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Send confirmation link").click()
    expect(page.get_by_text("We sent a link to")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel the change")).to_be_visible()
    expect(page.get_by_text(f"Signed in as {OLD}")).to_be_visible()
    save_screenshot(page, "account-email-change")

    link = open_mailed_link(page, NEW, "Confirm your new email address", "/confirm-email/")
    expect(page.get_by_text(f"Sign in with {NEW} from now on?")).to_be_visible()
    save_screenshot(page, "confirm-email")
    page.get_by_role("button", name="Confirm new address").click()
    expect(page.get_by_text("Your sign-in address is now")).to_be_visible()
    save_screenshot(page, "email-changed")
    page.get_by_role("link", name="Continue to your account").click()
    page.wait_for_url(re.compile(r"/account/?$"))
    expect(page.get_by_text(f"Signed in as {NEW}")).to_be_visible()

    visit(page, "/outbox")
    notice = page.locator(".outbox-message").filter(has_text=OLD).filter(
        has_text="Your sign-in address was changed")
    expect(notice).to_be_visible()
    expect(notice.get_by_role("link").filter(has_text="/confirm-email/")).to_have_count(0)

    page.context.clear_cookies()
    visit(page, "/login")
    page.get_by_label("Email").fill(NEW)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/dashboard/?$"))
    expect(page.get_by_role("heading", name="Change Studio")).to_be_visible()

    visit(page, link.removeprefix(page.url.split("/dashboard")[0]))
    expect(page.get_by_text("already been used")).to_be_visible()
    expect(page.get_by_role("link", name="Go to your account")).to_be_visible()
    save_screenshot(page, "confirm-email-used")
