"""Email change: the current password, a hashed single-use 24-hour link to the new address, the
change only when it is followed (and the address still free), a notice without the link to the
old address, other sessions ended, and no difference visible when the new address is taken."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from projecthub.core.clock import utcnow
from projecthub.core.config import settings
from projecthub.core.errors import Conflict, Invalid, NotAuthenticated, NotFound, TooManyAttempts
from projecthub.core.security import hash_token
from projecthub.models import AccountLink, AuditEvent, LinkPurpose, OutboxMessage, User
from projecthub.services import account_links, accounts, api_tokens, email_change, sessions
from projecthub.services.account_links import LinkUnusable
from projecthub.services.principal import actor_for
from projecthub.services.throttle import MAIL_LIMITS, MailAction
from tests.factories import PASSWORD, make_org, make_user, principal
from tests.mail_fixtures import link_in

IP = "203.0.113.5"


def _request(db, user: User, new_email: str, *, password: str = PASSWORD, ip: str = IP):
    pending = email_change.request_email_change(db, actor_for(user), new_email=new_email,
                                                password=password, client_ip=ip)
    db.commit()
    return pending


def _mail(db, to: str) -> OutboxMessage:
    [message] = db.exec(select(OutboxMessage).where(OutboxMessage.to_address == to)).all()
    return message


def _token(db, to: str) -> str:
    return link_in(_mail(db, to).body_text, "/confirm-email/").rsplit("/", 1)[1]


def test_link_goes_to_the_new_address_stored_hashed_for_24_hours(db):
    ada = make_user(db, email="ada@example.com")
    pending = _request(db, ada, " Ada@New.Example ")
    assert pending.new_email == "ada@new.example"
    token = _token(db, "ada@new.example")
    link = db.exec(select(AccountLink)).one()
    assert link.token_hash == hash_token(token) and token not in link.token_hash
    assert (link.purpose, link.new_email) == (LinkPurpose.EMAIL_CHANGE, "ada@new.example")
    assert link.expires_at - link.created_at == timedelta(hours=24)
    assert db.get_one(User, ada.id).email == "ada@example.com"  # nothing changes yet
    assert db.exec(select(OutboxMessage).where(
        OutboxMessage.to_address == "ada@example.com")).all() == []


def test_following_the_link_changes_the_address_and_notifies_the_old_one(db):
    ada = make_user(db, email="ada@example.com", verified=False)
    _request(db, ada, "ada@new.example")
    user = email_change.confirm_email_change(db, _token(db, "ada@new.example"))
    db.commit()
    assert user.email == "ada@new.example" and user.email_verified_at is not None
    notice = _mail(db, "ada@example.com")
    assert "ada@new.example" in notice.body_text and "/confirm-email/" not in notice.body_text
    assert accounts.authenticate(db, email="ada@new.example", password=PASSWORD).id == ada.id
    with pytest.raises(NotAuthenticated):
        accounts.authenticate(db, email="ada@example.com", password=PASSWORD)
    actions = db.exec(select(AuditEvent.action)).all()
    assert {"user.email_change_requested", "user.email_changed"} <= set(actions)


def test_other_sessions_end_the_confirming_one_stays_api_tokens_stay(db):
    ada = make_user(db, email="ada@example.com")
    org = make_org(db, ada)
    here, elsewhere = sessions.start_session(db, ada), sessions.start_session(db, ada)
    secret = api_tokens.create_api_token(db, principal(db, ada, org), name="ci").secret
    db.commit()
    _request(db, ada, "ada@new.example")
    current = sessions.resolve_session(db, here).session_id
    email_change.confirm_email_change(db, _token(db, "ada@new.example"), current_session=current)
    db.commit()
    assert sessions.resolve_session(db, here).actor.email == "ada@new.example"
    with pytest.raises(NotAuthenticated):
        sessions.resolve_session(db, elsewhere)
    assert api_tokens.resolve_api_token(db, secret).user_id == ada.id


def test_wrong_password_and_same_address_are_refused_before_any_mail(db):
    ada = make_user(db, email="ada@example.com")
    with pytest.raises(Invalid) as wrong:
        _request(db, ada, "ada@new.example", password="not my password")
    assert "password" in wrong.value.fields
    db.rollback()
    with pytest.raises(Invalid) as same:
        _request(db, ada, "ADA@example.com")
    assert "new_email" in same.value.fields
    db.rollback()
    assert db.exec(select(OutboxMessage)).all() == []


def test_a_taken_address_looks_the_same_to_the_requester_and_its_owner_is_told(db):
    ada = make_user(db, email="ada@example.com")
    make_user(db, email="bob@example.com")
    assert _request(db, ada, "bob@example.com").new_email == "bob@example.com"
    pending = email_change.pending_email_change(db, actor_for(ada))
    assert pending is not None and pending.new_email == "bob@example.com"
    told = _mail(db, "bob@example.com")
    assert "already has an account" in told.body_text and "/confirm-email/" not in told.body_text


def test_an_address_taken_meanwhile_is_not_switched_to(db):
    ada = make_user(db, email="ada@example.com")
    _request(db, ada, "ada@new.example")
    token = _token(db, "ada@new.example")
    make_user(db, email="ada@new.example")
    with pytest.raises(Conflict, match="another account"):
        email_change.confirm_email_change(db, token)
    db.rollback()
    assert db.get_one(User, ada.id).email == "ada@example.com"


def test_used_expired_tampered_and_superseded_links_are_refused(db, monkeypatch):
    ada = make_user(db, email="ada@example.com")
    _request(db, ada, "first@new.example")
    first = _token(db, "first@new.example")
    _request(db, ada, "second@new.example")
    second = _token(db, "second@new.example")
    with pytest.raises(LinkUnusable, match="newer one"):
        email_change.confirm_email_change(db, first)
    with pytest.raises(LinkUnusable, match="not valid"):
        email_change.confirm_email_change(db, second[:-2] + "xx")
    later = utcnow() + timedelta(hours=24, seconds=1)
    monkeypatch.setattr(account_links, "utcnow", lambda: later)
    with pytest.raises(LinkUnusable, match="expired"):
        email_change.preview_email_change(db, second)
    monkeypatch.undo()
    email_change.confirm_email_change(db, second)
    db.commit()
    with pytest.raises(LinkUnusable, match="already been used"):
        email_change.confirm_email_change(db, second)


def test_the_change_retires_links_sent_to_the_old_address(db):
    ada = make_user(db, email="ada@example.com")
    _request(db, ada, "ada@new.example")
    token = _token(db, "ada@new.example")
    reset = account_links.issue_link(db, ada, LinkPurpose.PASSWORD_RESET,
                                     valid_for=timedelta(hours=1)).rsplit("/", 1)[1]
    db.commit()
    email_change.confirm_email_change(db, token)
    db.commit()
    with pytest.raises(LinkUnusable, match="expired"):
        account_links.check_link(db, reset, LinkPurpose.PASSWORD_RESET)


def test_pending_change_can_be_read_and_cancelled(db):
    ada = make_user(db, email="ada@example.com")
    assert email_change.pending_email_change(db, actor_for(ada)) is None
    _request(db, ada, "ada@new.example")
    token = _token(db, "ada@new.example")
    pending = email_change.pending_email_change(db, actor_for(ada))
    assert pending is not None and pending.new_email == "ada@new.example"
    email_change.cancel_email_change(db, actor_for(ada))
    db.commit()
    assert email_change.pending_email_change(db, actor_for(ada)) is None
    with pytest.raises(LinkUnusable):
        email_change.confirm_email_change(db, token)
    with pytest.raises(NotFound):
        email_change.cancel_email_change(db, actor_for(ada))


def test_an_instance_that_cannot_send_mail_says_so_and_changes_nothing(db, monkeypatch):
    monkeypatch.setattr(settings, "ENV", "production")
    ada = make_user(db, email="ada@example.com")
    with pytest.raises(Invalid, match="cannot send email"):
        _request(db, ada, "ada@new.example")
    db.rollback()
    assert db.exec(select(AccountLink)).all() == []


def test_requests_are_limited_per_new_address_and_per_ip(db):
    limit = MAIL_LIMITS[MailAction.EMAIL_CHANGE]
    ada = make_user(db, email="ada@example.com")
    for _ in range(limit.per_address):
        _request(db, ada, "ada@new.example")
    with pytest.raises(TooManyAttempts) as limited:
        _request(db, ada, "ada@new.example", ip="198.51.100.1")
    assert 0 < limited.value.retry_after <= 3600 and "try again in" in limited.value.message
    db.rollback()
    for n in range(limit.per_ip):
        _request(db, make_user(db), f"n{n}@new.example", ip="198.51.100.2")
    with pytest.raises(TooManyAttempts):
        _request(db, ada, "other@new.example", ip="198.51.100.2")


def test_wrong_passwords_count_against_the_login_throttle(db):
    ada = make_user(db, email="ada@example.com")
    with pytest.raises(TooManyAttempts):
        for _ in range(50):
            try:
                _request(db, ada, "ada@new.example", password="guess")
            except Invalid:
                db.rollback()
