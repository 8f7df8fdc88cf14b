"""An org admin downloads the audit log from the audit page, filtered as shown, as CSV and as
JSON lines; the file holds the events the page lists."""

from __future__ import annotations

import csv
import io
import json

import pytest
from playwright.sync_api import Page, expect

from tests.browser.harness import AppServer, save_screenshot, visit
from tests.browser.test_journeys import _log_in, _seed_user

pytestmark = pytest.mark.browser


def _download(page: Page, label: str) -> str:
    with page.expect_download() as info:
        page.get_by_role("button", name=f"Download {label}").click()
    download = info.value
    path = download.path()
    assert path is not None
    assert download.suggested_filename.startswith("audit-auditco-")
    return path.read_text()


def test_an_admin_downloads_the_audit_log_as_csv_and_json_lines(page: Page,
                                                                 app_server: AppServer):
    _seed_user(app_server, "audit@acme.example", "Audrey Admin", org="Auditco")
    _log_in(page, "audit@acme.example")
    visit(page, "/org/audit")
    expect(page.get_by_text("org.created")).to_be_visible()
    save_screenshot(page, "audit-export")

    rows = list(csv.DictReader(io.StringIO(_download(page, "CSV"))))
    assert "org.created" in {row["action"] for row in rows}
    assert {row["actor"] for row in rows} == {"audit@acme.example"}

    page.get_by_label("Filter by action").click()
    page.get_by_role("option", name="org.created").click()
    expect(page.get_by_text("Events 1 to 1 of 1")).to_be_visible()
    lines = _download(page, "JSON lines").splitlines()
    assert [json.loads(line)["action"] for line in lines] == ["org.created"]
