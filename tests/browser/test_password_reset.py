"""Forgot password, in Chromium against the real app: the link arrives in the development outbox,
the new password works, every other session has ended, and the spent link explains itself."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.harness import (
    AppServer,
    open_mailed_link,
    save_screenshot,
    sign_up_and_log_in,
    visit,
)

pytestmark = pytest.mark.browser

EMAIL = "lin@reset.example"
OLD_PASSWORD = "marble orchards under snow"
NEW_PASSWORD = "copper kites over the bay"
DASHBOARD = re.compile(r"/dashboard/?$")


def _log_in(page: Page, password: str) -> None:
    visit(page, "/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(DASHBOARD)


def test_forgot_password_mail_new_password_and_old_sessions_gone(
    page: Page, browser: Browser, app_server: AppServer
) -> None:
    sign_up_and_log_in(page, email=EMAIL, name="Lin Reset", password=OLD_PASSWORD,
                       org_name="Reset Studio", org_slug="reset-studio")
    laptop = browser.new_context(base_url=app_server.base_url,
                                 viewport={"width": 1280, "height": 800})
    laptop.set_default_timeout(15_000)
    other_device = laptop.new_page()
    _log_in(other_device, OLD_PASSWORD)
    page.context.clear_cookies()

    visit(page, "/login")
    page.get_by_role("link", name="Forgot password?").click()
    page.wait_for_url(re.compile(r"/forgot-password/?$"))
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    page.get_by_label("Email").fill(EMAIL)
    save_screenshot(page, "forgot-password")
    page.get_by_role("button", name="Send reset link").click()
    page.wait_for_url(re.compile(r"/login/?\?reason=reset_sent$"))
    expect(page.get_by_text("If an account uses that address")).to_be_visible()

    link = open_mailed_link(page, EMAIL, "Reset your password", "/reset-password/")
    expect(page.get_by_text("signs you out on every device")).to_be_visible()
    page.get_by_label("New password").fill("password")
    page.get_by_role("button", name="Set new password").click()
    expect(page.locator("#field-password-note")).to_contain_text("too common")
    save_screenshot(page, "reset-password")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set new password").click()
    page.wait_for_url(re.compile(r"/login/?\?reason=password_reset$"))
    expect(page.get_by_text("every session has ended")).to_be_visible()

    _log_in(page, NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Reset Studio")).to_be_visible()
    visit(other_device, "/dashboard")
    other_device.wait_for_url(re.compile(r"/login/?\?next=/dashboard/?$"))
    laptop.close()

    visit(page, "/outbox")
    save_screenshot(page, "outbox")
    visit(page, link.removeprefix(app_server.base_url))
    expect(page.get_by_text("already been used")).to_be_visible()
    expect(page.get_by_role("link", name="Ask for a new link")).to_be_visible()
    save_screenshot(page, "reset-link-used")
