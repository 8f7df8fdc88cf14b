"""The 404 page and the error screen are the app's own, in its chrome, each with a way back.

The 404 page is exercised in the built app (tests/browser/test_polish.py). A render crash cannot
be provoked there, so the error boundary is checked here: the app wraps it inside the theme, in
place of Reflex's bare default, and its fallback renders the error screen with reloading links."""

from __future__ import annotations

from projecthub.app import app
from projecthub.ui.pages.errors import (
    DEFAULT_ERROR_BOUNDARY_WRAP,
    ERROR_BOUNDARY_WRAP,
    ERROR_TITLE,
    error_boundary,
)


def test_the_app_replaces_reflexs_error_boundary_with_its_own_inside_the_theme():
    assert DEFAULT_ERROR_BOUNDARY_WRAP not in app.app_wraps
    assert app.app_wraps[ERROR_BOUNDARY_WRAP] is error_boundary
    assert ERROR_BOUNDARY_WRAP[0] < 20  # the Radix theme's wrap: inside it, so themed


def test_the_error_screen_says_what_happened_and_reloads_on_the_way_back():
    rendered = str(error_boundary(True))

    assert "fallbackRender" in rendered and ERROR_TITLE in rendered
    assert 'reloadDocument:true,to:"/dashboard"' in rendered
    assert "Reload the dashboard" in rendered and "ProjectHub home" in rendered


def test_unknown_urls_get_the_apps_not_found_page():
    page = app._unevaluated_pages["404"]

    assert page.title == "Page not found · ProjectHub"
    assert page.component.__name__ == "not_found_page"
