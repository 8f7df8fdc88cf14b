"""Every page of the built app passes axe-core's WCAG 2.1 A and AA rules, in light and dark.

axe-core (bundled by axe-playwright-python) runs inside Chromium on each page once its data has
loaded: the public pages as a visitor, then every signed-in page (organization, instance admin,
a freshly provisioned project's status and its run) as an owner who is also an instance admin,
and an unknown URL's 404 page. Any violation fails the test, listed by page, mode and element.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import VIEWPORT
from tests.browser.harness import AppServer, visit
from tests.browser.provisioned import Provisioned, provision_project

pytestmark = pytest.mark.browser

EMAIL = "olu@kestrel.example"
PASSWORD = "kestrels hover over the quiet field"
MODES = ("light", "dark")
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# WCAG 2.5.3 (label in name): axe files this A rule as experimental, so it is asked for by name.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_21_AA},
               "rules": {"label-content-name-mismatch": {"enabled": True}},
               "resultTypes": ["violations"]}
PUBLIC = ("/", "/login", "/signup", "/forgot-password", "/reset-password/phr_unknown",
          "/verify-email/phv_unknown", "/invite/phi_unknown", "/no/such/page")
SIGNED_IN = ("/dashboard", "/projects/new", "/account", "/orgs/new", "/org/settings",
             "/org/members", "/org/connections", "/org/templates", "/org/audit", "/outbox",
             "/admin/tenants", "/admin/users", "/admin/settings")
AXE = Axe()


@pytest.fixture(scope="module")
def project(browser: Browser, app_server: AppServer) -> Iterator[Provisioned]:
    """The owner (an instance admin too) with a provisioned project, once per module."""
    context = browser.new_context(base_url=app_server.base_url, viewport=VIEWPORT)
    try:
        yield provision_project(context.new_page(), app_server, email=EMAIL, password=PASSWORD,
                                org_name="Kestrel Studio", org_slug="kestrel-studio",
                                name="Kestrel website", key="KEST", instance_admin=True)
    finally:
        context.close()


def _context(browser: Browser, server: AppServer, mode: str, *, signed_in: bool
             ) -> BrowserContext:
    context = browser.new_context(base_url=server.base_url, viewport=VIEWPORT,
                                  color_scheme=mode)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    if signed_in:
        response = context.request.post("/api/v1/auth/login",
                                        data={"email": EMAIL, "password": PASSWORD})
        assert response.ok, response.text()
    return context


def _settle(page: Page, mode: str) -> None:
    """Wait for the page's data (no loading spinner in the content) and the colour mode."""
    expect(page.locator("html")).to_have_class(re.compile(rf"\b{mode}\b"))
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    expect(page.locator("main .rt-Spinner")).to_have_count(0)
    page.mouse.move(0, 0)


def _violations(page: Page, path: str, mode: str) -> list[str]:
    visit(page, path)
    _settle(page, mode)
    results: dict[str, Any] = AXE.run(page, options=AXE_OPTIONS).response
    found = []
    for violation in results["violations"]:
        for node in violation["nodes"]:
            summary = " ".join(node.get("failureSummary", "").split())[:300]
            found.append(f"{path} [{mode}] {violation['id']}: {violation['help']} at "
                         f"{node['target']} ({summary}) {node['html'][:200]}")
    return found


def _sweep(browser: Browser, server: AppServer, paths: tuple[str, ...], *,
           signed_in: bool) -> list[str]:
    found = []
    for mode in MODES:
        context = _context(browser, server, mode, signed_in=signed_in)
        page = context.new_page()
        try:
            for path in paths:
                found += _violations(page, path, mode)
        finally:
            context.close()
    return found


def test_every_page_meets_wcag_2_1_aa_in_light_and_dark(
        browser: Browser, app_server: AppServer, project: Provisioned) -> None:
    signed_in = (*SIGNED_IN, f"/projects/{project.project_id}", f"/runs/{project.run_id}")
    found = _sweep(browser, app_server, PUBLIC, signed_in=False)
    found += _sweep(browser, app_server, signed_in, signed_in=True)
    assert not found, f"{len(found)} WCAG 2.1 AA violations:\n" + "\n".join(found)
