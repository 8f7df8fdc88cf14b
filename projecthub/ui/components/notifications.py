"""The bell in the chrome and the event-by-channel grid of notification choices (the account
page for a person, organization settings for the defaults)."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.event import EventCallback

from projecthub.models import DeliveryMode, NotificationChannel
from projecthub.services.notifications.preferences import CHANNEL_LABELS, MODE_LABELS
from projecthub.ui.components.forms import field, form_error, section, submit
from projecthub.ui.components.moments import local_time
from projecthub.ui.state.notifications import (
    ALERT_FORM,
    DEFAULTS_FORM,
    BellItem,
    BellState,
    ChoiceRow,
    NotificationPrefsState,
    OrgNotificationsState,
)
from projecthub.ui.typed import RowVar, cond, lucide_icon, str_dict

Chooser = EventCallback[str, str, str]


def _bell_item(item: RowVar[BellItem]) -> rx.Component:
    return rx.box(
        rx.link(
            rx.vstack(
                rx.hstack(
                    cond(item.unread, rx.box(width="8px", height="8px", border_radius="50%",
                                             background=rx.color("accent", 9), flex_shrink="0",
                                             aria_hidden="true")),
                    rx.text(item.title, weight=cond(item.unread, "bold", "regular"), size="2"),
                    align="center", spacing="2"),
                rx.text(item.body, size="1", color_scheme="gray"),
                rx.text(local_time(item.at_iso, item.at), size="1", color_scheme="gray"),
                spacing="1", align="start"),
            href="#", on_click=BellState.open_item(item.id).prevent_default,
            underline="none", color="inherit", data_testid="bell-item",
        ),
        padding="0.5rem", border_radius="6px", width="100%",
        background=cond(item.unread, rx.color("accent", 2), "transparent"),
    )


def bell() -> rx.Component:
    """The unread count is the visible text, and the accessible name starts with it.

    Mounted (and so loaded) only once the page's on_load chain is done: mounted from the
    snapshot's stale ``logged_in``, its event ran ahead of the page's own on_load handlers
    (Reflex runs a tab's events one at a time; docs/architecture.md §16)."""
    return cond(rx.State.is_hydrated, rx.popover.root(
        rx.popover.trigger(
            rx.button(
                lucide_icon("bell", size=18),
                cond(BellState.unread > 0, rx.badge(BellState.unread_text, color_scheme="red",
                                                    size="1", variant="solid")),
                variant="ghost", color_scheme="gray", size="2",
                aria_label=BellState.bell_label,
                data_testid="bell", on_mount=BellState.load_bell,
            ),
        ),
        rx.popover.content(
            rx.vstack(
                rx.hstack(
                    rx.heading("Notifications", as_="h2", size="3"),
                    rx.spacer(),
                    cond(BellState.unread > 0,
                         rx.button("Mark all read", size="1", variant="soft",
                                   on_click=BellState.mark_all_read)),
                    width="100%", align="center"),
                cond(BellState.items.length() > 0,
                     rx.vstack(rx.foreach(BellState.items, _bell_item), spacing="1",
                               width="100%"),
                     rx.text("Nothing yet. Health changes, runs and connection problems "
                             "show up here.", size="2", color_scheme="gray")),
                rx.link("Notification settings", href="/account#notifications", size="2"),
                spacing="3", width="22rem", max_height="28rem", overflow_y="auto",
            ),
            align="end",
        ),
    ))


def _mode_select(row: RowVar[ChoiceRow], channel: NotificationChannel,
                 choose: Chooser) -> rx.Component:
    value = row.email if channel == NotificationChannel.EMAIL else row.teams
    return rx.select.root(
        rx.select.trigger(aria_label=row.label + ", " + CHANNEL_LABELS[channel],
                          data_testid="choice-" + row.event + "-" + channel.value),
        rx.select.content(*(rx.select.item(MODE_LABELS[mode], value=mode.value)
                            for mode in DeliveryMode)),
        value=value,
        on_change=lambda mode: choose(row.event, channel.value, mode),
    )


def _grid(rows: rx.Var[Any], choose: Chooser) -> rx.Component:
    def line(row: RowVar[ChoiceRow]) -> rx.Component:
        return rx.table.row(
            rx.table.row_header_cell(row.label),
            *(rx.table.cell(_mode_select(row, channel, choose)) for channel in NotificationChannel),
        )
    return rx.table.root(
        rx.table.header(rx.table.row(
            rx.table.column_header_cell("Event"),
            *(rx.table.column_header_cell(CHANNEL_LABELS[c]) for c in NotificationChannel))),
        rx.table.body(rx.foreach(rows, line)),
        width="100%",
    )


def my_notifications_section() -> rx.Component:
    return rx.box(section(
        "Notifications",
        "How you hear about each event: immediately, in a daily digest, or not at all. The "
        "bell shows everything either way. A Teams message goes to the project's channel (or "
        "the organization's alert channel) when someone involved wants it.",
        form_error("notifications"),
        _grid(NotificationPrefsState.rows, NotificationPrefsState.choose),
    ), id="notifications", width="100%")


def org_notifications_section() -> rx.Component:
    values = str_dict(OrgNotificationsState.alert)
    return section(
        "Notifications",
        "What members get until they choose for themselves, and where organization-wide "
        "alerts go in Teams (events without a project team). Changes to a project's health "
        "within the interval are sent once.",
        form_error(DEFAULTS_FORM),
        _grid(OrgNotificationsState.rows, OrgNotificationsState.choose),
        rx.form(
            rx.vstack(
                form_error(ALERT_FORM),
                rx.grid(
                    field("Alert team id", "team_id", default_value=values.get("team_id", ""),
                          key=values.get("team_id", ""),
                          hint="The Microsoft 365 group id of the team."),
                    field("Alert channel id", "channel_id",
                          default_value=values.get("channel_id", ""),
                          key=values.get("channel_id", ""), hint="Looks like 19:…@thread.tacv2"),
                    field("Coalesce health changes (minutes)", "coalesce_minutes",
                          type="number", min="1", step="1",
                          default_value=values.get("coalesce_minutes", ""),
                          key=values.get("coalesce_minutes", "")),
                    columns=rx.breakpoints(initial="1", sm="3"), spacing="4", width="100%"),
                submit("Save alert channel", variant="soft"),
                spacing="4", width="100%"),
            on_submit=OrgNotificationsState.save_alert, reset_on_submit=False, width="100%",
        ),
    )
