"""``/orgs/new``: any signed-in person can start another organization."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.auth_forms import organization_fields
from projecthub.ui.components.forms import form_error, submit
from projecthub.ui.components.shell import page_header, signed_in_page
from projecthub.ui.state.orgs import NewOrgState


def new_org_page() -> rx.Component:
    return signed_in_page(
        page_header("New organization", "You become its owner, and it becomes your current "
                    "organization."),
        rx.card(
            rx.form(
                rx.vstack(form_error(), *organization_fields(NewOrgState),
                          submit("Create organization"), spacing="4", width="100%"),
                on_submit=NewOrgState.create,
                width="100%",
            ),
            size="3",
            max_width="32rem",
            width="100%",
        ),
        needs_org=False,
    )
