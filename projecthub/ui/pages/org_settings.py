"""``/org/settings``: name and slug of the current organization, its status settings (sync
interval, health thresholds) and its Microsoft sign-in rules; admins and owners only."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.forms import field, form_error, section, submit
from projecthub.ui.components.microsoft_settings import microsoft_settings_section
from projecthub.ui.components.notifications import org_notifications_section
from projecthub.ui.components.shell import admins_only, page_header, signed_in_page
from projecthub.ui.components.status_settings import status_settings_section
from projecthub.ui.state.orgs import OrgSettingsState
from projecthub.ui.state.session import SessionState


def _settings_form() -> rx.Component:
    return section(
        "General",
        "The slug appears in API paths; changing it breaks scripts that use the old one.",
        rx.form(
            rx.vstack(
                form_error(),
                field("Organization name", "name", default_value=SessionState.org_name),
                field("Slug", "slug", default_value=OrgSettingsState.slug,
                      hint="Lowercase letters, digits and hyphens."),
                submit("Save changes"),
                spacing="4",
                width="100%",
                max_width="32rem",
            ),
            on_submit=OrgSettingsState.save,
            width="100%",
        ),
    )


def org_settings_page() -> rx.Component:
    return signed_in_page(
        page_header("Organization settings", SessionState.org_name),
        admins_only(rx.vstack(_settings_form(), status_settings_section(),
                              microsoft_settings_section(), org_notifications_section(),
                              spacing="5", width="100%"),
                    "the organization settings"),
    )
