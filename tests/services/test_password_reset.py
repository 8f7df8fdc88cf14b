"""Password reset: same answer for any address, single-use 1-hour links stored hashed, a new
password ends every session and API token, rate limits per address and per IP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from projecthub.core.clock import utcnow
from projecthub.core.errors import Invalid, NotAuthenticated, TooManyAttempts
from projecthub.core.security import hash_token
from projecthub.models import AccountLink, OutboxMessage
from projecthub.services import account_links, accounts, api_tokens, mail_sender, sessions
from projecthub.services.account_links import LinkUnusable
from projecthub.services.password_reset import (
    request_password_reset,
    reset_password,
    set_password,
)
from projecthub.services.throttle import MAIL_LIMITS, MailAction
from tests.factories import make_org, make_user, principal
from tests.mail_fixtures import link_in

NEW_PASSWORD = "a brand new passphrase"
PER_ADDRESS_LIMIT = MAIL_LIMITS[MailAction.RESET].per_address
PER_IP_LIMIT = MAIL_LIMITS[MailAction.RESET].per_ip


def _request(db, email: str, ip: str = "203.0.113.7") -> None:
    request_password_reset(db, email=email, client_ip=ip)
    db.commit()


def _token(db, to: str) -> str:
    [message] = db.exec(select(OutboxMessage).where(OutboxMessage.to_address == to)).all()
    return link_in(message.body_text, "/reset-password/").rsplit("/", 1)[1]


def test_unknown_address_gets_the_same_answer_and_no_mail(db):
    _request(db, "nobody@example.com")
    assert db.exec(select(OutboxMessage)).all() == []


def test_reset_link_is_stored_hashed_and_valid_one_hour(db):
    user = make_user(db, email="ada@example.com")
    _request(db, "Ada@Example.com ")
    token = _token(db, "ada@example.com")
    link = db.exec(select(AccountLink)).one()
    assert link.token_hash == hash_token(token) and token not in link.token_hash
    assert link.expires_at - link.created_at == timedelta(hours=1)
    assert link.user_id == user.id


async def test_reset_mail_arrives_by_smtp_and_says_why(db, smtp):
    make_user(db, email="ada@example.com")
    _request(db, "ada@example.com")
    await mail_sender.send_pending()
    [received] = smtp.to("ada@example.com")
    body = received.get_body(("plain",)).get_content()
    assert "/reset-password/phr_" in body and "asked to reset" in body
    assert db.exec(select(OutboxMessage)).one().body_text == ""


def test_new_password_ends_sessions_and_revokes_api_tokens(db):
    user = make_user(db, email="ada@example.com")
    org = make_org(db, user)
    old_session = sessions.start_session(db, user)
    secret = api_tokens.create_api_token(db, principal(db, user, org), name="ci").secret
    db.commit()
    _request(db, "ada@example.com")
    reset_password(db, token=_token(db, "ada@example.com"), new_password=NEW_PASSWORD)
    db.commit()
    with pytest.raises(NotAuthenticated):
        sessions.resolve_session(db, old_session)
    with pytest.raises(NotAuthenticated):
        api_tokens.resolve_api_token(db, secret)
    assert accounts.authenticate(db, email="ada@example.com", password=NEW_PASSWORD).id == user.id


def test_a_link_works_once(db):
    make_user(db, email="ada@example.com")
    _request(db, "ada@example.com")
    token = _token(db, "ada@example.com")
    reset_password(db, token=token, new_password=NEW_PASSWORD)
    db.commit()
    with pytest.raises(LinkUnusable, match="already been used"):
        reset_password(db, token=token, new_password="another good passphrase")


def test_expired_and_tampered_links_are_refused(db, monkeypatch):
    make_user(db, email="ada@example.com")
    _request(db, "ada@example.com")
    token = _token(db, "ada@example.com")
    with pytest.raises(LinkUnusable, match="not valid"):
        reset_password(db, token=token[:-2] + "xx", new_password=NEW_PASSWORD)
    later = utcnow() + timedelta(hours=1, seconds=1)
    monkeypatch.setattr(account_links, "utcnow", lambda: later)
    with pytest.raises(LinkUnusable, match="expired"):
        reset_password(db, token=token, new_password=NEW_PASSWORD)


def test_a_newer_link_retires_the_older_one(db):
    make_user(db, email="ada@example.com")
    _request(db, "ada@example.com")
    first = _token(db, "ada@example.com")
    for row in db.exec(select(OutboxMessage)).all():
        db.delete(row)
    _request(db, "ada@example.com")
    with pytest.raises(LinkUnusable):
        reset_password(db, token=first, new_password=NEW_PASSWORD)
    reset_password(db, token=_token(db, "ada@example.com"), new_password=NEW_PASSWORD)


def test_weak_password_is_refused_and_keeps_the_link(db):
    make_user(db, email="ada@example.com")
    _request(db, "ada@example.com")
    token = _token(db, "ada@example.com")
    with pytest.raises(Invalid):
        reset_password(db, token=token, new_password="password")
    db.rollback()
    reset_password(db, token=token, new_password=NEW_PASSWORD)


def test_requests_are_limited_per_address_known_or_not(db):
    for _ in range(PER_ADDRESS_LIMIT):
        _request(db, "nobody@example.com")
    with pytest.raises(TooManyAttempts):
        _request(db, "nobody@example.com")


def test_requests_are_limited_per_ip(db):
    for n in range(PER_IP_LIMIT):
        _request(db, f"someone{n}@example.com", ip="198.51.100.9")
    with pytest.raises(TooManyAttempts):
        _request(db, "another@example.com", ip="198.51.100.9")
    db.rollback()
    _request(db, "another@example.com", ip="198.51.100.10")


def test_operator_sets_a_password_and_old_sessions_end(db):
    user = make_user(db, email="ada@example.com")
    old_session = sessions.start_session(db, user)
    db.commit()
    set_password(db, email="ada@example.com", password=NEW_PASSWORD)
    db.commit()
    with pytest.raises(NotAuthenticated):
        sessions.resolve_session(db, old_session)
    with pytest.raises(Invalid):
        set_password(db, email="nobody@example.com", password=NEW_PASSWORD)
