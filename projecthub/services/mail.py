"""Queueing mail and reading the outbox.

A message is written in the caller's transaction, so it exists only if the action commits; the
sender (``services.mail_sender``) delivers it later. Without SMTP in development the outbox is
the mailbox: /outbox shows every message with its links (to local visitors and instance admins),
so each flow works locally.
Production without SMTP queues nothing: :func:`mail_ready` is false and features say so.
"""

from __future__ import annotations

import enum
import ipaddress
import logging
import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from projecthub.core.config import settings
from projecthub.core.errors import PermissionDenied
from projecthub.models import MailStatus, OutboxMessage, User
from projecthub.services import dispatch
from projecthub.services.mail_compose import MailContent
from projecthub.services.principal import Actor

log = logging.getLogger("projecthub.mail")
_LINK = re.compile(r"https?://\S+")
OUTBOX_LIMIT = 100


class Delivery(enum.StrEnum):
    SMTP = "smtp"  # the sender delivers through PROJECTHUB_SMTP_URL
    OUTBOX = "outbox"  # development without SMTP: kept for the /outbox page
    NONE = "none"  # production without SMTP: mail cannot be sent


def delivery() -> Delivery:
    if settings.SMTP_URL is not None:
        return Delivery.SMTP
    return Delivery.NONE if settings.is_production else Delivery.OUTBOX


def mail_ready() -> bool:
    """Whether a message queued now will reach someone (by SMTP, or on the dev outbox page)."""
    return delivery() != Delivery.NONE


def queue_mail(session: Session, *, to: str, kind: str, content: MailContent) -> bool:
    """Add a message to the caller's transaction; ``False`` when this instance cannot send mail
    (the caller tells the person). Never logs the body: it may carry a link's secret."""
    if not mail_ready():
        log.warning("No PROJECTHUB_SMTP_URL: a %s message was not sent", kind)
        return False
    message = OutboxMessage(to_address=to, subject=content.subject[:200], kind=kind,
                            body_text=content.text, body_html=content.html)
    session.add(message)
    if delivery() == Delivery.SMTP:
        dispatch.after_commit(session, lambda queue: queue.mail_queued(message.id))
    return True


@dataclass(frozen=True)
class OutboxEntry:
    """A row of the outbox page; ``body``/``links`` are empty unless bodies may be shown."""

    id: str
    to_address: str
    subject: str
    kind: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    body: str
    links: list[str]


def bodies_visible() -> bool:
    """Bodies (with their links) are shown only in development: there they are the mailbox."""
    return not settings.is_production


def can_view_outbox(session: Session, actor: Actor | None, *, client_ip: str) -> bool:
    """Instance admins always (bodies in development only). In development also anyone on this
    machine (a loopback address), like a local MailHog, so a signed-out person can follow a
    reset link; a development server reachable from elsewhere does not hand out links."""
    user = session.get(User, actor.user_id) if actor is not None else None
    if user is not None and user.is_active and user.is_instance_admin:
        return True
    return bodies_visible() and _is_loopback(client_ip)


def _is_loopback(client_ip: str) -> bool:
    try:
        return ipaddress.ip_address(client_ip).is_loopback
    except ValueError:
        return False


def list_outbox(session: Session, actor: Actor | None, *, client_ip: str) -> list[OutboxEntry]:
    """Newest messages first."""
    if not can_view_outbox(session, actor, client_ip=client_ip):
        raise PermissionDenied("Only instance admins can see the outbox.")
    show = bodies_visible()
    rows = session.exec(select(OutboxMessage).order_by(
        col(OutboxMessage.created_at).desc()).limit(OUTBOX_LIMIT)).all()
    return [OutboxEntry(
        id=str(row.id), to_address=row.to_address, subject=row.subject, kind=row.kind,
        status=MailStatus(row.status).value, attempts=row.attempts, last_error=row.last_error,
        created_at=row.created_at, body=row.body_text if show else "",
        links=_LINK.findall(row.body_text) if show else []) for row in rows]
