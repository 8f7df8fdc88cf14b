"""Tool connections in the built app: an admin adds a Jira connection to the built-in sandbox,
tests it, breaks it with a wrong token and sees Jira's refusal; a viewer sees the list read-only.
No token typed (or filled in by the sandbox shortcut) ever comes back in a websocket frame."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Locator, Page, WebSocket, expect

from tests.browser.harness import (
    AppServer,
    open_mailed_link,
    save_screenshot,
    sign_up_and_log_in,
    visit,
)

pytestmark = pytest.mark.browser

PASSWORD = "amber gulls over the quiet pier"
SANDBOX_TOKEN = "sandbox-demo"
WRONG_TOKEN = "not-my-jira-token-Qx81"
DASHBOARD = re.compile(r"/dashboard/?$")


class Frames:
    """What the page's websockets send and receive, across reloads."""

    def __init__(self, page: Page) -> None:
        self.sent: list[str] = []
        self.received: list[str] = []

        def watch(socket: WebSocket) -> None:
            socket.on("framesent", lambda payload: self.sent.append(str(payload)))
            socket.on("framereceived", lambda payload: self.received.append(str(payload)))

        page.on("websocket", watch)


def _shot(page: Page, name: str) -> None:
    """From the top, once the toasts have gone (they would cover the list)."""
    page.evaluate("window.scrollTo(0, 0)")
    page.mouse.move(0, 0)
    expect(page.locator("[data-sonner-toast]")).to_have_count(0, timeout=20_000)
    save_screenshot(page, name)


def _sign_up_admin(page: Page) -> None:
    sign_up_and_log_in(page, email="grace@hopper.example", name="Grace Hopper",
                       password=PASSWORD, org_name="Hopper Labs", org_slug="hopper-labs")


def _dialog(page: Page) -> Locator:
    return page.get_by_role("dialog")


def _jira_row(page: Page) -> Locator:
    return page.get_by_test_id("tool-jira").get_by_test_id("connection-row")


def _add_sandbox_jira(page: Page) -> None:
    visit(page, "/org/connections")
    expect(page.get_by_role("heading", name="Tool connections")).to_be_visible()
    expect(page.get_by_text("No Jira connection yet.")).to_be_visible()

    page.get_by_role("button", name="Add connection").click()
    dialog = _dialog(page)
    expect(dialog.get_by_role("heading", name="Add a connection")).to_be_visible()
    expect(dialog.get_by_role("combobox")).to_have_text("Jira")
    dialog.get_by_role("button", name="Use the built-in sandbox").click()
    expect(dialog.get_by_label("Base URL")).to_have_value(re.compile(r"^http://.+/sandbox/jira$"))
    expect(dialog.get_by_label("Account email")).to_have_value("demo@projecthub.example")
    expect(dialog.get_by_label("API token")).to_have_value(SANDBOX_TOKEN)

    # A missing name is explained next to its input; everything filled in stays.
    dialog.get_by_role("button", name="Add connection").click()
    expect(page.locator("#field-name-note")).to_have_text("Connection name is required.")
    expect(dialog.get_by_label("API token")).to_have_value(SANDBOX_TOKEN)
    expect(dialog.get_by_label("Base URL")).to_have_value(re.compile(r"/sandbox/jira$"))

    dialog.get_by_label("Name").fill("Acme Jira")
    expect(page.locator("#field-name-note")).to_have_text("How people pick this connection.")
    _shot(page, "connections-add")
    dialog.get_by_role("button", name="Add connection").click()
    expect(dialog).to_be_hidden()
    row = _jira_row(page)
    expect(row).to_contain_text("Acme Jira")
    expect(row).to_contain_text("demo@projecthub.example")
    expect(row).to_contain_text("API token: set · ••••demo · updated ")
    expect(row.get_by_test_id("local-time")).to_have_attribute("title", re.compile(" UTC$"))
    expect(row).to_contain_text("not tested")


def _test_and_expect(page: Page, status: str, message: str) -> None:
    row = _jira_row(page)
    row.get_by_role("button", name="Test connection").click()
    expect(row.get_by_text(status, exact=True)).to_be_visible()
    expect(row.get_by_test_id("test-message")).to_contain_text(message)


def _edit_with_wrong_token(page: Page) -> None:
    _jira_row(page).get_by_role("button", name="Edit").click()
    dialog = _dialog(page)
    expect(dialog.get_by_role("heading", name="Edit connection")).to_be_visible()
    expect(dialog.get_by_label("Name")).to_have_value("Acme Jira")
    token = dialog.get_by_label("API token")
    expect(token).to_have_value("")
    expect(token).to_have_attribute("placeholder", "Leave empty to keep the saved one")
    expect(dialog.get_by_text(re.compile(r"Saved: set · ••••demo"))).to_be_visible()

    token.fill(WRONG_TOKEN)
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog).to_be_hidden()
    row = _jira_row(page)
    expect(row).to_contain_text(f"••••{WRONG_TOKEN[-4:]}")
    expect(row).to_contain_text("not tested")


def _invite_viewer(page: Page) -> str:
    visit(page, "/org/members")
    page.get_by_label("Email").fill("vera@hopper.example")
    page.locator("#field-role").click()
    page.get_by_role("option", name="viewer").click()
    page.get_by_role("button", name="Create invitation").click()
    link = page.get_by_test_id("copy-value")
    expect(link).to_have_value(re.compile("/invite/inv_"))
    return link.input_value().split("/invite/")[1]


def _viewer_sees_the_list_read_only(browser: Browser, app_server: AppServer,
                                    invitation: str) -> None:
    context = browser.new_context(base_url=app_server.base_url,
                                  viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        visit(page, f"/invite/{invitation}")
        page.get_by_label("Your name").fill("Vera Viewer")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Create account and join").click()
        page.wait_for_url(DASHBOARD)
        open_mailed_link(page, "vera@hopper.example", "Confirm your email", "/verify-email/")
        page.get_by_role("link", name="Continue").click()
        page.wait_for_url(DASHBOARD)

        page.get_by_role("link", name="Connections").click()
        row = _jira_row(page)
        expect(row).to_contain_text("Acme Jira")
        expect(row).to_contain_text("failed")
        expect(page.get_by_text("Owners and admins manage them.")).to_be_visible()
        for label in ("Add connection", "Test connection", "Edit", "Remove"):
            expect(page.get_by_role("button", name=label)).to_have_count(0)
    finally:
        context.close()


def test_admin_adds_tests_and_breaks_a_sandbox_jira_connection(
    page: Page, browser: Browser, app_server: AppServer, console_errors: list[str]
) -> None:
    frames = Frames(page)
    _sign_up_admin(page)

    _add_sandbox_jira(page)
    _test_and_expect(page, "passed", "Connected as Demo Admin.")
    expect(page.get_by_text("Connected as Demo Admin.").first).to_be_visible()
    _shot(page, "connections")

    _edit_with_wrong_token(page)
    _test_and_expect(page, "failed", "The credentials were refused.")
    expect(_jira_row(page).get_by_test_id("test-message")).to_contain_text(
        "Basic authentication with passwords is deprecated")
    _shot(page, "connections-failed")

    _viewer_sees_the_list_read_only(browser, app_server, _invite_viewer(page))

    # The wrong token left the browser once, in the submitted form (typing into it sent only
    # the field's name); nothing sent back carries it, nor the sandbox token the shortcut
    # filled in.
    assert [WRONG_TOKEN in frame for frame in frames.sent].count(True) == 1
    assert len(frames.received) > 10
    for secret in (WRONG_TOKEN, SANDBOX_TOKEN):
        assert [f[:200] for f in frames.received if secret in f] == []
    assert console_errors == []
