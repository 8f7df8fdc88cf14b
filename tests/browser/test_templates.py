"""The template library in the built app: an admin clones the built-in template, saves an edit
that does not parse (its problems are listed by line, the text stays), fixes it as version 2,
then retires the copy."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.harness import save_screenshot, sign_up_and_log_in, visit

pytestmark = pytest.mark.browser

PASSWORD = "copper kettles sing at dawn"


def _shot(page: Page, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.mouse.move(0, 0)
    expect(page.locator("[data-sonner-toast]")).to_have_count(0, timeout=20_000)
    save_screenshot(page, name)


def test_an_admin_clones_edits_and_retires_a_template(page: Page,
                                                      console_errors: list[str]) -> None:
    sign_up_and_log_in(page, email="tess@templates.example", name="Tess Template",
                       password=PASSWORD, org_name="Template Works", org_slug="template-works")
    visit(page, "/dashboard")
    page.get_by_role("link", name="Templates").click()

    builtin = page.get_by_test_id("template-row").filter(has_text="Agency / IT project")
    expect(builtin).to_contain_text("built-in")
    builtin.get_by_role("button", name="Clone").click()
    expect(page.get_by_text("Edit Copy of Agency / IT project · version 1")).to_be_visible()

    source = page.locator("#template-source")
    text = source.input_value()
    broken = text.replace("name: Copy of Agency / IT project", "name: Client website", 1)
    broken = broken.replace("{id: start_date, label: Start date, type: date}",
                            "{id: start_date, label: Start date, type: calendar}")
    source.fill(broken)
    page.get_by_role("button", name="Save as new version").click()

    problem = page.get_by_test_id("line-error")
    expect(problem).to_have_count(1)
    line = broken.splitlines().index(next(row for row in broken.splitlines()
                                          if "type: calendar" in row)) + 1
    expect(problem.get_by_role("button")).to_have_text(f"Line {line}")
    expect(problem).to_contain_text("steps.0.fields.4.type")
    expect(source).to_have_value(broken)  # nothing typed is lost
    problem.get_by_role("button").click()
    assert page.evaluate("document.activeElement.id") == "template-source"
    assert "calendar" in page.evaluate(
        "document.activeElement.value.substring(document.activeElement.selectionStart,"
        " document.activeElement.selectionEnd)")
    _shot(page, "templates-error")

    source.fill(broken.replace("type: calendar", "type: date"))
    page.get_by_role("button", name="Save as new version").click()
    expect(page.get_by_text("Saved as version 2.")).to_be_visible()
    copy = page.get_by_test_id("template-row").filter(has_text="Client website")
    expect(copy).to_contain_text("v2")
    expect(page.get_by_text("Edit Client website · version 2")).to_be_visible()
    _shot(page, "templates")

    copy.get_by_role("button", name="Retire").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Retire template").click()
    expect(copy).to_contain_text("retired")
    expect(copy.get_by_role("button", name="Retire")).to_have_count(0)
    expect(copy.get_by_role("button", name="View")).to_be_visible()

    visit(page, "/projects/new")  # a retired template is not offered for new projects
    expect(page.get_by_test_id("template-card")).to_have_count(1)
    expect(page.get_by_test_id("template-card")).to_contain_text(re.compile("Agency / IT"))
    assert console_errors == []
