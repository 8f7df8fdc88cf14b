"""The bell in the chrome, a person's notification choices (account page) and the
organization's defaults and Teams alert channel (organization settings).

Every handler resolves the session again; a notification of someone else is "not found"."""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from projecthub.core.db import session_scope
from projecthub.core.errors import AppError, Invalid, NotAuthenticated
from projecthub.models import NotificationChannel, NotificationEvent, Organization
from projecthub.services.notifications import inbox, preferences
from projecthub.services.notifications.preferences import EVENT_LABELS, Choice, TeamsTarget
from projecthub.services.principal import Principal
from projecthub.ui.format import iso, when
from projecthub.ui.state.session import Events, SessionState, parse_id
from projecthub.ui.typed import event

BELL_SIZE = 20
DEFAULTS_FORM = "notification_defaults"
ALERT_FORM = "alert_channel"


@dataclasses.dataclass(frozen=True)
class BellItem:
    id: str
    title: str
    body: str
    at: str  # labelled UTC text
    at_iso: str
    unread: bool


@dataclasses.dataclass(frozen=True)
class ChoiceRow:
    """One event's line in a grid: its label and the frequency per channel."""

    event: str
    label: str
    email: str
    teams: str


def _rows(choices: list[Choice]) -> list[ChoiceRow]:
    by = {(c.event, c.channel): c.mode.value for c in choices}
    return [ChoiceRow(e.value, EVENT_LABELS[e], by[(e, NotificationChannel.EMAIL)],
                      by[(e, NotificationChannel.TEAMS)]) for e in NotificationEvent]


def _choice(event_name: str, channel: str, mode: str) -> Choice:
    [choice] = preferences.parse_choices([{"event": event_name, "channel": channel,
                                           "mode": mode}])
    return choice


class BellState(SessionState):
    unread: rx.Field[int] = rx.field(0)
    items: rx.Field[list[BellItem]] = rx.field(default_factory=list)

    @rx.var
    def unread_text(self) -> str:
        """The badge's visible text ("" when nothing is unread)."""
        return str(self.unread) if self.unread else ""

    @rx.var
    def bell_label(self) -> str:
        """The bell's accessible name, which starts with the badge's visible text."""
        return f"{self.unread} unread notifications" if self.unread else "Notifications"

    def _fill_bell(self, db: Session, principal: Principal) -> None:
        self.unread = inbox.unread_count(db, principal)
        self.items = [BellItem(str(v.id), v.title, v.body.split("\n", 1)[0], when(v.updated_at),
                               iso(v.updated_at), not v.read)
                      for v in inbox.list_notifications(db, principal, limit=BELL_SIZE)]

    @event
    def load_bell(self) -> None:
        """on_mount of the bell: quietly empty when there is no session or organization."""
        try:
            with session_scope() as db:
                self._fill_bell(db, self._principal(db))
        except AppError:
            self.unread, self.items = 0, []

    @event
    def open_item(self, notification_id: str) -> Events:
        """Mark it read and go to the page that explains it."""
        try:
            with session_scope() as db:
                principal = self._principal(db)
                key = parse_id(notification_id, "Notification")
                link = next((v.link for v in inbox.list_notifications(db, principal, limit=200)
                             if v.id == key), "")
                inbox.mark_read(db, principal, key)
                self._fill_bell(db, principal)
        except NotAuthenticated:
            return self._to_login()
        except AppError as exc:
            return rx.toast.error(exc.message)
        return rx.redirect(link) if link.startswith("/") and not link.startswith("//") else None

    @event
    def mark_all_read(self) -> Events:
        try:
            with session_scope() as db:
                principal = self._principal(db)
                inbox.mark_all_read(db, principal)
                self._fill_bell(db, principal)
        except NotAuthenticated:
            return self._to_login()
        except AppError as exc:
            return rx.toast.error(exc.message)
        return None


class NotificationPrefsState(SessionState):
    """The account page's grid: the person's own choices (they apply in every organization)."""

    rows: rx.Field[list[ChoiceRow]] = rx.field(default_factory=list)

    def _fill_rows(self, db: Session) -> None:
        context = self._context(db)
        self.rows = _rows(preferences.effective_choices(db, context.actor,
                                                        context.current_org_id))

    @event
    def load(self) -> EventSpec | None:
        try:
            with session_scope() as db:
                self._fill_rows(db)
        except AppError as exc:
            return self._fail(exc, field="notifications")
        return None

    @event
    def choose(self, event_name: str, channel: str, mode: str) -> Events:
        self.errors = {}
        try:
            with session_scope() as db:
                preferences.set_user_choices(db, self._actor(db),
                                             [_choice(event_name, channel, mode)])
                self._fill_rows(db)
        except AppError as exc:
            return self._fail(exc, field="notifications")
        return rx.toast.success("Notification settings saved.")


class OrgNotificationsState(SessionState):
    """Organization settings: the defaults members get, and the Teams alert channel."""

    rows: rx.Field[list[ChoiceRow]] = rx.field(default_factory=list)
    alert: rx.Field[dict[str, str]] = rx.field(default_factory=dict)

    def _fill_defaults(self, db: Session, principal: Principal) -> None:
        self.rows = _rows(preferences.defaults_grid(db, principal))
        org = db.get(Organization, principal.org_id)
        target = preferences.alert_channel(org) if org else TeamsTarget()
        self.alert = {"team_id": target.team_id, "channel_id": target.channel_id,
                      "coalesce_minutes": str(preferences.coalesce_minutes(org)) if org else ""}

    @event
    def load(self) -> EventSpec | None:
        return self._load_page(self._fill_defaults, field=DEFAULTS_FORM)

    @event
    def choose(self, event_name: str, channel: str, mode: str) -> Events:
        return self._tenant_action(
            lambda db, principal: preferences.set_org_defaults(
                db, principal, [_choice(event_name, channel, mode)]),
            success="Default saved.", field=DEFAULTS_FORM)

    def _fill(self, db: Session, principal: Principal) -> None:
        self._fill_defaults(db, principal)

    @event
    def save_alert(self, form: dict[str, Any]) -> Events:
        raw = str(form.get("coalesce_minutes") or "").strip()

        def work(db: Session, principal: Principal) -> None:
            if not raw.isdigit():
                raise Invalid("Enter a whole number of minutes.",
                              {"coalesce_minutes": "Enter a whole number of minutes."})
            preferences.set_alert_channel(db, principal, TeamsTarget(
                "", str(form.get("team_id") or ""), str(form.get("channel_id") or "")),
                coalesce=int(raw))
        return self._tenant_action(work, success="Alert channel saved.", field=ALERT_FORM)


__all__ = ["BellItem", "BellState", "ChoiceRow", "NotificationPrefsState",
           "OrgNotificationsState"]
