"""``/outbox``: the mail this instance queued. In development it is the mailbox (bodies and
links, for visitors on this machine and instance admins); in production instance admins see
delivery status only. ``services.mail`` decides who sees what."""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import Session

from projecthub.core.db import session_scope
from projecthub.core.errors import AppError, PermissionDenied
from projecthub.services import mail
from projecthub.services.principal import Actor
from projecthub.ui.format import iso, when
from projecthub.ui.state.session import SessionState
from projecthub.ui.typed import event


@dataclasses.dataclass(frozen=True)
class OutboxRow:
    id: str
    to_address: str
    subject: str
    status: str
    attempts: int
    last_error: str
    created: str  # UTC text
    created_at: str  # ISO, shown in the viewer's zone
    body: str
    links: list[str]


class OutboxState(SessionState):
    messages: rx.Field[list[OutboxRow]] = rx.field(default_factory=list)
    allowed: rx.Field[bool] = rx.field(False)
    # What happens to mail on this instance, in a sentence.
    delivery_note: rx.Field[str] = rx.field("")

    def _viewer(self, db: Session) -> Actor | None:
        try:
            self._refresh(db)
            return self._actor(db)
        except AppError:
            self.logged_in = False
            return None

    @event
    def load(self) -> None:
        self.messages, self.errors = [], {}
        self.delivery_note = {
            mail.Delivery.SMTP: "Mail is delivered through the configured SMTP server; "
                                "message bodies are erased once sent.",
            mail.Delivery.OUTBOX: "No SMTP server is configured (development): mail stays here "
                                  "instead of being sent. Open the links to follow each flow.",
            mail.Delivery.NONE: "No SMTP server is configured: this instance cannot send mail. "
                                "Set PROJECTHUB_SMTP_URL and PROJECTHUB_MAIL_FROM.",
        }[mail.delivery()]
        with session_scope() as db:
            try:
                self.messages = [OutboxRow(
                    e.id, e.to_address, e.subject, e.status, e.attempts, e.last_error,
                    when(e.created_at), iso(e.created_at), e.body, e.links)
                    for e in mail.list_outbox(db, self._viewer(db),
                                              client_ip=self.router.session.client_ip)]
                self.allowed = True
            except PermissionDenied as exc:
                self.allowed = False
                self.errors = {"form": exc.message}
