"""Delivering the outbox through SMTP (``aiosmtplib``), off the request that queued the mail.

``deliver`` and ``send_pending`` are plain coroutines: the job engine's ``send_mail`` task calls
``deliver`` for each queued message and retries it at ``next_attempt_at`` (``projecthub/jobs``).
A claim moves a message's ``next_attempt_at`` forward first, so two workers never send the same
message at once.
Temporary failures (4xx replies, connection errors) are retried with back-off; 5xx replies and
exhausted attempts mark the message failed. The body is blanked once it is settled: it may hold
a link's secret and nobody needs it after delivery.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from urllib.parse import unquote, urlsplit

import aiosmtplib
from sqlmodel import col, select, update

from projecthub.core.clock import as_utc, utcnow
from projecthub.core.config import settings
from projecthub.core.db import session_scope
from projecthub.models import MailStatus, OutboxMessage

log = logging.getLogger("projecthub.mail")
MAX_ATTEMPTS = 8  # back-off 1, 2, 4 ... 60 minutes: about three hours in all
CLAIM_LEASE = timedelta(minutes=5)
SMTP_TIMEOUT = 30.0


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool  # smtps://: TLS from the first byte
    start_tls: bool | None  # True: required; None: used when the server offers it

    def __repr__(self) -> str:  # never print the password
        return f"SmtpTarget({self.host}:{self.port}, tls={self.use_tls}, starttls={self.start_tls})"


def smtp_target(url: str) -> SmtpTarget:
    """``smtps://`` is implicit TLS (465). ``smtp://`` upgrades with STARTTLS (587), required
    whenever there are credentials, so a password never crosses the network in clear."""
    parts = urlsplit(url)
    implicit = parts.scheme == "smtps"
    username = unquote(parts.username) if parts.username else None
    return SmtpTarget(
        host=parts.hostname or "localhost", port=parts.port or (465 if implicit else 587),
        username=username, password=unquote(parts.password) if parts.password else None,
        use_tls=implicit, start_tls=False if implicit else (True if username else None))


@dataclass(frozen=True)
class _Outgoing:
    id: uuid.UUID
    to_address: str
    subject: str
    text: str
    html: str
    attempts: int


def _email(message: _Outgoing) -> EmailMessage:
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(utcnow())
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "localhost"
    email["Message-ID"] = make_msgid(domain=domain)
    email.set_content(message.text)
    email.add_alternative(message.html, subtype="html")
    return email


def _claim(message_id: uuid.UUID) -> _Outgoing | None:
    """Take a due message for one attempt; ``None`` if it is not due or another worker has it."""
    now = utcnow()
    with session_scope() as db:
        claimed = db.exec(update(OutboxMessage).where(
            col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == MailStatus.PENDING,
            col(OutboxMessage.next_attempt_at) <= now,
        ).values(next_attempt_at=now + CLAIM_LEASE, attempts=col(OutboxMessage.attempts) + 1))
        if claimed.rowcount != 1:
            return None
        row = db.get(OutboxMessage, message_id)
        assert row is not None
        return _Outgoing(row.id, row.to_address, row.subject, row.body_text, row.body_html,
                         row.attempts)


def _is_temporary(exc: Exception) -> bool:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return all(400 <= refused.code < 500 for refused in exc.recipients)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return 400 <= exc.code < 500
    return True  # connection refused, timeouts, disconnects, STARTTLS trouble


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _settle(message: _Outgoing, error: Exception | None) -> MailStatus:
    """Record an attempt's outcome in its own transaction."""
    now = utcnow()
    with session_scope() as db:
        row = db.get(OutboxMessage, message.id)
        if row is None:
            return MailStatus.FAILED
        if error is None:
            row.status, row.sent_at, row.last_error = MailStatus.SENT, now, ""
        else:
            row.last_error = f"{type(error).__name__}: {error}"[:500]
            if _is_temporary(error) and message.attempts < MAX_ATTEMPTS:
                row.next_attempt_at = now + _backoff(message.attempts)
            else:
                row.status = MailStatus.FAILED
        if row.status != MailStatus.PENDING:
            row.body_text = row.body_html = ""
        db.add(row)
        return MailStatus(row.status)


async def deliver(message_id: uuid.UUID) -> MailStatus | None:
    """One attempt at one message; ``None`` if it was not due or is being sent elsewhere."""
    if settings.SMTP_URL is None:
        return None
    message = await asyncio.to_thread(_claim, message_id)
    if message is None:
        return None
    target = smtp_target(settings.SMTP_URL.get_secret_value())
    error: Exception | None = None
    try:
        await aiosmtplib.send(
            _email(message), hostname=target.host, port=target.port, username=target.username,
            password=target.password, use_tls=target.use_tls, start_tls=target.start_tls,
            timeout=SMTP_TIMEOUT)
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        error = exc
    status = await asyncio.to_thread(_settle, message, error)
    if error is not None:
        log.warning("Mail %s to %s: %s (%s, attempt %d)", message.id, message.to_address,
                    type(error).__name__, status.value, message.attempts)
    return status


def due_message_ids(limit: int = 50) -> list[uuid.UUID]:
    """Messages waiting for an attempt now, oldest first (the outbox sweep's backstop)."""
    with session_scope() as db:
        return list(db.exec(select(OutboxMessage.id).where(
            OutboxMessage.status == MailStatus.PENDING,
            col(OutboxMessage.next_attempt_at) <= utcnow(),
        ).order_by(col(OutboxMessage.next_attempt_at)).limit(limit)).all())


def next_attempt_at(message_id: uuid.UUID) -> datetime | None:
    """When a message still pending may be tried again; ``None`` once it is settled."""
    with session_scope() as db:
        row = db.get(OutboxMessage, message_id)
        if row is None or row.status != MailStatus.PENDING:
            return None
        return as_utc(row.next_attempt_at)


async def send_pending(limit: int = 50) -> int:
    """Attempt every due message (up to ``limit``); returns how many were sent."""
    if settings.SMTP_URL is None:
        return 0
    sent = 0
    for message_id in await asyncio.to_thread(due_message_ids, limit):
        sent += await deliver(message_id) == MailStatus.SENT
    return sent
