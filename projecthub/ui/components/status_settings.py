"""The "Status" section of the organization settings: sync interval and health thresholds."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.forms import field, form_error, section, submit
from projecthub.ui.state.status_settings import FORM, StatusSettingsState
from projecthub.ui.typed import str_dict

# (name, label, hint), in the order a reader meets them on the status page.
INPUTS = (
    ("sync_minutes", "Sync every (minutes)", "How often the figures are read from the tools."),
    ("stale_hours", "Stale after (hours)", "Older figures are marked stale and turn health amber."),
    ("full_pass_hours", "Read everything every (hours)",
     "In between, Jira and Confluence are asked what changed; only that is read again."),
    ("burn_amber_points", "Budget ahead of time: amber (points)",
     "Budget used minus time elapsed, in percentage points."),
    ("burn_red_points", "Budget ahead of time: red (points)", "Above the amber threshold."),
    ("overdue_amber", "Overdue items: amber", "Overdue Jira issues or Planner tasks."),
    ("overdue_red", "Overdue items: red", "Above the amber threshold."),
)


def status_settings_section() -> rx.Component:
    return section(
        "Status",
        "How often ProjectHub reads each project's figures, and where its health turns amber "
        "or red. Changes apply from the next sync.",
        rx.form(
            rx.vstack(
                form_error(FORM),
                rx.grid(
                    *(field(label, name, type="number", hint=hint, min="1", step="1",
                            default_value=str_dict(StatusSettingsState.values).get(name, ""),
                            key=str_dict(StatusSettingsState.values).get(name, ""))
                      for name, label, hint in INPUTS),
                    columns=rx.breakpoints(initial="1", sm="2"), spacing="4", width="100%",
                ),
                submit("Save status settings"),
                spacing="4", width="100%", max_width="40rem",
            ),
            on_submit=StatusSettingsState.save, reset_on_submit=False, width="100%",
            data_testid="status-settings",
        ),
    )
