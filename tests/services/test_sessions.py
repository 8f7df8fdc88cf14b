"""Session tokens: fresh per login, hashed at rest, idle and absolute expiry, logout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from projecthub.core.clock import utcnow
from projecthub.core.errors import NotAuthenticated
from projecthub.core.security import hash_token
from projecthub.models import AuthSession
from projecthub.services import sessions
from tests.factories import make_org, make_user


def _at(monkeypatch, moment):
    monkeypatch.setattr(sessions, "utcnow", lambda: moment)


def test_each_login_gets_a_new_token_stored_only_as_a_hash(db):
    user = make_user(db)
    first, second = sessions.start_session(db, user), sessions.start_session(db, user)
    db.commit()
    assert first != second and len(first) > 40
    stored = db.exec(select(AuthSession.token_hash)).all()
    assert hash_token(first) in stored and first not in stored


def test_session_resolves_to_the_user_and_first_organization(db):
    user = make_user(db)
    org = make_org(db, user)
    token = sessions.start_session(db, user)
    db.commit()
    context = sessions.resolve_session(db, token)
    assert context.actor.user_id == user.id and context.current_org_id == org.id


def test_logout_ends_the_session(db):
    token = sessions.start_session(db, make_user(db))
    db.commit()
    sessions.end_session(db, token)
    with pytest.raises(NotAuthenticated):
        sessions.resolve_session(db, token)


def test_idle_sessions_expire(db, monkeypatch):
    token = sessions.start_session(db, make_user(db))
    db.commit()
    _at(monkeypatch, utcnow() + timedelta(hours=9))
    with pytest.raises(NotAuthenticated):
        sessions.resolve_session(db, token)


def test_active_sessions_still_hit_the_absolute_limit(db, monkeypatch):
    token = sessions.start_session(db, make_user(db))
    db.commit()
    start = utcnow()
    for hours in range(4, 24 * 7, 4):  # active every four hours for a week
        _at(monkeypatch, start + timedelta(hours=hours))
        sessions.resolve_session(db, token)
    _at(monkeypatch, start + timedelta(hours=24 * 7, minutes=1))
    with pytest.raises(NotAuthenticated):
        sessions.resolve_session(db, token)


def test_missing_or_unknown_token_is_not_authenticated(db):
    for token in (None, "", "phs_unknown"):
        with pytest.raises(NotAuthenticated):
            sessions.resolve_session(db, token)


def test_switching_to_an_organization_one_does_not_belong_to_is_not_found(db):
    from projecthub.core.errors import NotFound

    user = make_user(db)
    mine, theirs = make_org(db, user), make_org(db)
    token = sessions.start_session(db, user)
    db.commit()
    context = sessions.resolve_session(db, token)
    with pytest.raises(NotFound):
        sessions.switch_organization(db, context, theirs.id)
    assert sessions.switch_organization(db, context, mine.id).org_id == mine.id
