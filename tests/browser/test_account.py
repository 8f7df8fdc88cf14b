"""Changing a password from the account screen: the form posts to the API from the browser, so
neither password crosses the websocket; a wrong current password is explained in place, and a
change ends every session, this one included."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.harness import AppServer, visit
from tests.browser.test_journeys import ADA_PASSWORD, FrameLog, _log_in, _seed_user

pytestmark = pytest.mark.browser

NEW_PASSWORD = "amber kites over quiet fields"


def test_password_change_goes_straight_to_the_api(page: Page, app_server: AppServer):
    _seed_user(app_server, "pw@acme.example", "Pat Wu", org="Pwco")
    frames = FrameLog()
    frames.attach(page)
    _log_in(page, "pw@acme.example")
    visit(page, "/account")
    page.get_by_label("Current password").fill("not the password")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("The current password is incorrect.")).to_be_visible()
    expect(page.get_by_label("New password")).to_have_value(NEW_PASSWORD)
    page.get_by_label("Current password").fill(ADA_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    page.wait_for_url(re.compile(r"/login"))
    expect(page.get_by_text("Your password was changed")).to_be_visible()
    assert frames.containing(ADA_PASSWORD) == []
    assert frames.containing(NEW_PASSWORD) == []
    _log_in(page, "pw@acme.example", NEW_PASSWORD)
