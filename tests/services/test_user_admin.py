"""Instance user administration: search, deactivate (sessions and tokens end at once),
reactivate, password reset by mail, instance-admin flag (never the last one), all audited and
refused to anyone else; and the instance settings overview with its test message."""

from __future__ import annotations

import uuid

import pytest
from pydantic import SecretStr
from sqlmodel import select

from projecthub.core.config import settings
from projecthub.core.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
)
from projecthub.models import AuditEvent, AuthSession, OutboxMessage, User
from projecthub.services import api_tokens, instance_settings, sessions, user_admin
from projecthub.services.principal import actor_for
from tests.factories import make_org, make_user, principal


def _actions(db) -> list[str]:
    return [e.action for e in db.exec(select(AuditEvent).order_by(AuditEvent.created_at))]


def test_search_by_email_or_name_shows_organizations_and_verification(db):
    admin = make_user(db, admin=True, email="root@example.com")
    jo = make_user(db, email="jo@acme.example", name="Jo Smith")
    make_user(db, email="other@example.com", name="Other", verified=False)
    make_org(db, jo, name="Acme")
    page = user_admin.list_users(db, actor_for(admin), search="SMITH")
    assert page.total == 1
    [row] = page.users
    assert (row.email, row.organizations, row.verified, row.is_active) == (
        "jo@acme.example", ["Acme"], True, True)
    assert user_admin.list_users(db, actor_for(admin), search="acme.ex").total == 1
    assert user_admin.list_users(db, actor_for(admin), search="%").total == 0
    assert user_admin.list_users(db, actor_for(admin)).total == 3


def test_deactivation_ends_sessions_and_tokens_at_once(db):
    admin, jo = make_user(db, admin=True), make_user(db)
    org = make_org(db, jo)
    browser = sessions.start_session(db, jo)
    secret = api_tokens.create_api_token(db, principal(db, jo, org), name="ci").secret
    db.commit()
    user_admin.set_user_active(db, actor_for(admin), jo.id, False)
    db.commit()
    assert db.exec(select(AuthSession).where(AuthSession.user_id == jo.id)).all() == []
    with pytest.raises(NotAuthenticated):
        api_tokens.resolve_api_token(db, secret)
    user_admin.set_user_active(db, actor_for(admin), jo.id, True)
    db.commit()
    assert "user.deactivated" in _actions(db) and "user.reactivated" in _actions(db)
    with pytest.raises(NotAuthenticated):  # reactivation does not bring old credentials back
        api_tokens.resolve_api_token(db, secret)
    with pytest.raises(NotAuthenticated):
        sessions.resolve_session(db, browser)


def test_the_last_active_admin_stays(db):
    admin = make_user(db, admin=True)
    with pytest.raises(Conflict):
        user_admin.set_instance_admin(db, actor_for(admin), admin.id, False)
    with pytest.raises(Conflict):
        user_admin.set_user_active(db, actor_for(admin), admin.id, False)
    second = make_user(db)
    user_admin.set_instance_admin(db, actor_for(admin), second.id, True)
    db.commit()
    user_admin.set_instance_admin(db, actor_for(admin), admin.id, False)
    db.commit()
    with pytest.raises(Conflict):  # now the second is the last one
        user_admin.set_instance_admin(db, actor_for(second), second.id, False)
    assert _actions(db).count("admin.granted") == 1 and "admin.removed" in _actions(db)


def test_send_reset_mails_a_link_and_is_audited_with_the_admin(db):
    admin, jo = make_user(db, admin=True), make_user(db, email="jo@example.com")
    assert user_admin.send_reset(db, actor_for(admin), jo.id)
    db.commit()
    assert len(db.exec(select(OutboxMessage).where(
        OutboxMessage.to_address == "jo@example.com",
        OutboxMessage.kind == "password_reset")).all()) == 1
    event = db.exec(select(AuditEvent).where(
        AuditEvent.action == "user.password_reset_sent")).one()
    assert event.actor_id == admin.id


def test_everything_is_refused_to_non_admins(db):
    member, jo = make_user(db), make_user(db)
    actor = actor_for(member)
    for call in (lambda: user_admin.list_users(db, actor),
                 lambda: user_admin.set_user_active(db, actor, jo.id, False),
                 lambda: user_admin.send_reset(db, actor, jo.id),
                 lambda: user_admin.set_instance_admin(db, actor, member.id, True),
                 lambda: instance_settings.overview(db, actor),
                 lambda: instance_settings.send_test_mail(db, actor)):
        with pytest.raises(PermissionDenied):
            call()
    assert not db.get(User, member.id).is_instance_admin


def test_unknown_user_is_not_found(db):
    admin = make_user(db, admin=True)
    with pytest.raises(NotFound):
        user_admin.set_user_active(db, actor_for(admin), uuid.uuid4(), False)


def test_overview_shows_no_smtp_secret(db, monkeypatch):
    monkeypatch.setattr(settings, "SMTP_URL", SecretStr("smtp://mailer:hunter2@mail.example:587"))
    view = instance_settings.overview(db, actor_for(make_user(db, admin=True)))
    assert view.smtp_host == "smtp://mail.example:587"
    assert "hunter2" not in repr(view) and "mailer" not in repr(view)


def test_production_without_smtp_tells_the_admin_which_features_need_mail(db, monkeypatch):
    actor = actor_for(make_user(db, admin=True))
    assert instance_settings.overview(db, actor).mail_unavailable == []
    monkeypatch.setattr(settings, "ENV", "production")
    missing = " ".join(instance_settings.overview(db, actor).mail_unavailable)
    for feature in ("confirmation", "Password reset", "Invitations", "Email address change"):
        assert feature in missing
    assert not instance_settings.send_test_mail(db, actor)


def test_test_mail_goes_to_the_admin_and_is_rate_limited(db):
    admin = make_user(db, admin=True, email="boss@example.com")
    for _ in range(instance_settings.TEST_MAIL_LIMIT):
        assert instance_settings.send_test_mail(db, actor_for(admin))
    with pytest.raises(TooManyAttempts):
        instance_settings.send_test_mail(db, actor_for(admin))
    assert len(db.exec(select(OutboxMessage).where(OutboxMessage.kind == "test")).all()) == 5
