"""The outbox and its SMTP sender, against a real SMTP server in process."""

from __future__ import annotations

import pytest
from pydantic import SecretStr
from sqlmodel import Session, select

from projecthub.core.config import Settings, settings
from projecthub.core.errors import PermissionDenied
from projecthub.models import MailStatus, OutboxMessage
from projecthub.services import mail, mail_sender
from projecthub.services.mail_compose import compose
from projecthub.services.principal import actor_for
from tests.factories import make_user
from tests.loopback import free_port
from tests.smtp_server import Inbox

LINK = "http://localhost:3000/reset-password/phr_secret-token-value"


def _queue(db: Session, to: str = "ada@example.com") -> OutboxMessage:
    content = compose(subject="Reset your password", paragraphs=["Someone asked <b>."],
                      reason="a reset was requested.", link=LINK, link_label="Reset")
    assert mail.queue_mail(db, to=to, kind="password_reset", content=content)
    db.commit()
    return db.exec(select(OutboxMessage).where(OutboxMessage.to_address == to)).one()


def _row(db: Session, message: OutboxMessage) -> OutboxMessage:
    db.expire_all()
    row = db.get(OutboxMessage, message.id)
    assert row is not None
    return row


def test_queued_mail_is_only_written_if_the_caller_commits(db):
    content = compose(subject="Hi", paragraphs=["x"], reason="testing.")
    mail.queue_mail(db, to="x@example.com", kind="test", content=content)
    db.rollback()
    assert db.exec(select(OutboxMessage)).all() == []


async def test_sender_delivers_text_and_html_then_blanks_the_body(db, smtp: Inbox):
    message = _queue(db)
    assert await mail_sender.send_pending() == 1
    [received] = smtp.to("ada@example.com")
    assert received["Subject"] == "Reset your password · ProjectHub"
    plain = received.get_body(("plain",))
    html = received.get_body(("html",))
    assert plain is not None and html is not None
    assert LINK in plain.get_content() and "because a reset was requested." in plain.get_content()
    assert "&lt;b&gt;" in html.get_content() and f'href="{LINK}"' in html.get_content()
    row = _row(db, message)
    assert row.status == MailStatus.SENT and row.body_text == "" and row.body_html == ""
    assert await mail_sender.send_pending() == 0  # sent once, never again


async def test_temporary_failure_is_retried_later_with_back_off(db, smtp: Inbox, monkeypatch):
    message = _queue(db)
    smtp.rcpt_replies.append("451 Try again later")
    assert await mail_sender.send_pending() == 0
    row = _row(db, message)
    assert row.status == MailStatus.PENDING and row.attempts == 1 and "451" in row.last_error
    assert await mail_sender.send_pending() == 0  # not due yet: back-off
    later = row.next_attempt_at
    monkeypatch.setattr(mail_sender, "utcnow", lambda: later)
    assert await mail_sender.send_pending() == 1
    assert _row(db, message).status == MailStatus.SENT
    assert len(smtp.to("ada@example.com")) == 1


async def test_permanent_failure_marks_failed_and_forgets_the_body(db, smtp: Inbox):
    message = _queue(db)
    smtp.rcpt_replies.append("550 No such mailbox")
    await mail_sender.send_pending()
    row = _row(db, message)
    assert row.status == MailStatus.FAILED and "550" in row.last_error and row.body_text == ""


async def test_unreachable_server_is_a_temporary_failure(db, monkeypatch):
    monkeypatch.setattr(settings, "SMTP_URL", SecretStr(f"smtp://127.0.0.1:{free_port()}"))
    message = _queue(db)
    await mail_sender.send_pending()
    row = _row(db, message)
    assert row.status == MailStatus.PENDING and row.attempts == 1 and row.body_text


async def test_attempts_run_out_and_the_message_fails(db, smtp: Inbox, monkeypatch):
    message = _queue(db)
    with Session(db.get_bind()) as other:
        row = _row(other, message)
        row.attempts = mail_sender.MAX_ATTEMPTS - 1
        other.add(row)
        other.commit()
    smtp.rcpt_replies.append("421 Busy")
    await mail_sender.send_pending()
    assert _row(db, message).status == MailStatus.FAILED


async def test_a_claimed_message_is_not_sent_twice(db, smtp: Inbox):
    message = _queue(db)
    assert mail_sender._claim(message.id) is not None
    assert await mail_sender.deliver(message.id) is None
    assert smtp.messages == []


def test_smtp_url_modes_and_the_password_stays_out_of_reprs():
    starttls = mail_sender.smtp_target("smtp://ada%40x:p%3Ass@mail.example:2525")
    assert (starttls.username, starttls.password, starttls.port) == ("ada@x", "p:ss", 2525)
    assert starttls.start_tls is True and not starttls.use_tls
    implicit = mail_sender.smtp_target("smtps://u:secret@mail.example")
    assert implicit.use_tls and implicit.port == 465 and implicit.start_tls is False
    relay = mail_sender.smtp_target("smtp://relay.local")
    assert relay.start_tls is None and relay.port == 587
    assert "secret" not in repr(implicit)
    configured = Settings(SMTP_URL="smtps://u:secret@mail.example", MAIL_FROM="a@b.example")
    assert "secret" not in repr(configured) and "secret" not in str(configured.model_dump())


def test_malformed_smtp_url_is_refused_without_echoing_it():
    with pytest.raises(ValueError) as caught:
        Settings(SMTP_URL="http://u:hunter22@mail.example")
    assert "hunter22" not in str(caught.value)


def test_production_without_smtp_queues_nothing_and_says_so(db, monkeypatch):
    monkeypatch.setattr(settings, "ENV", "production")
    monkeypatch.setattr(settings, "SMTP_URL", None)
    assert not mail.mail_ready()
    assert not mail.queue_mail(db, to="a@example.com", kind="t",
                               content=compose(subject="s", paragraphs=[], reason="r."))
    assert not db.new


def test_outbox_shows_bodies_and_links_in_development_to_local_visitors(db):
    _queue(db)
    [entry] = mail.list_outbox(db, None, client_ip="127.0.0.1")
    assert entry.links == [LINK] and LINK in entry.body
    assert mail.list_outbox(db, None, client_ip="::1")


def test_development_outbox_is_not_open_to_other_machines(db):
    _queue(db)
    for address in ("203.0.113.5", "10.0.0.2", ""):
        with pytest.raises(PermissionDenied):
            mail.list_outbox(db, None, client_ip=address)
    [entry] = mail.list_outbox(db, actor_for(make_user(db, admin=True)), client_ip="10.0.0.2")
    assert entry.links == [LINK]


def test_outbox_in_production_is_for_instance_admins_without_bodies(db, monkeypatch):
    _queue(db)
    member, admin = make_user(db), make_user(db, admin=True)
    monkeypatch.setattr(settings, "ENV", "production")
    with pytest.raises(PermissionDenied):
        mail.list_outbox(db, actor_for(member), client_ip="127.0.0.1")
    with pytest.raises(PermissionDenied):
        mail.list_outbox(db, None, client_ip="127.0.0.1")
    [entry] = mail.list_outbox(db, actor_for(admin), client_ip="203.0.113.5")
    assert entry.body == "" and entry.links == [] and entry.to_address == "ada@example.com"
