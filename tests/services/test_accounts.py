"""Sign-up, login, throttling, profile and password changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from passlib.hash import pbkdf2_sha256
from sqlalchemy import delete, event
from sqlmodel import col

from projecthub.core import clock
from projecthub.core.errors import Conflict, Invalid, NotAuthenticated, TooManyAttempts
from projecthub.core.security import pwd_context
from projecthub.models import LoginThrottle, User
from projecthub.services import accounts, login_throttle
from projecthub.services.principal import actor_for
from projecthub.services.sessions import resolve_session, start_session
from tests.factories import PASSWORD, make_user


def test_sign_up_stores_argon2id_at_or_above_owasp_floor(db):
    user = make_user(db, email="Ada@Example.com")
    assert user.email == "ada@example.com"
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_sign_up_with_taken_email_is_a_conflict(db):
    make_user(db, email="ada@example.com")
    with pytest.raises(Conflict, match="already exists"):
        accounts.create_user(db, email="ADA@example.com", password=PASSWORD)


@pytest.mark.parametrize("password", ["short", "password123", "qwertyuiop"])
def test_weak_passwords_are_refused_with_a_field_message(db, password):
    with pytest.raises(Invalid) as caught:
        accounts.create_user(db, email="bob@example.com", password=password)
    assert "password" in caught.value.fields


def test_invalid_email_is_refused(db):
    with pytest.raises(Invalid) as caught:
        accounts.create_user(db, email="not-an-email", password=PASSWORD)
    assert caught.value.fields == {"email": "Enter a valid email address."}


def test_sixty_four_emoji_password_works_and_is_not_truncated(db):
    password = "\U0001f600" * 64  # 256 bytes in UTF-8
    make_user(db, email="emoji@example.com", password=password)
    assert accounts.authenticate(db, email="emoji@example.com", password=password)
    truncated = password.encode()[:72].decode(errors="ignore")
    with pytest.raises(NotAuthenticated):
        accounts.authenticate(db, email="emoji@example.com", password=truncated)


def test_long_ascii_password_is_not_truncated_at_72_bytes(db):
    password = "a-long-passphrase-" * 6
    make_user(db, email="long@example.com", password=password)
    with pytest.raises(NotAuthenticated):
        accounts.authenticate(db, email="long@example.com", password=password[:72])


def test_unknown_email_and_wrong_password_give_the_same_answer(db):
    make_user(db, email="ada@example.com")
    with pytest.raises(NotAuthenticated) as unknown:
        accounts.authenticate(db, email="nobody@example.com", password=PASSWORD)
    with pytest.raises(NotAuthenticated) as wrong:
        accounts.authenticate(db, email="ada@example.com", password="wrong password!")
    assert unknown.value.message == wrong.value.message == accounts.LOGIN_FAILED


def test_legacy_hash_is_upgraded_at_login(db):
    user = make_user(db, email="old@example.com")
    user.password_hash = pbkdf2_sha256.hash(PASSWORD)
    db.add(user)
    db.commit()
    accounts.authenticate(db, email="old@example.com", password=PASSWORD)
    db.commit()
    db.refresh(user)
    assert pwd_context.identify(user.password_hash) == "argon2"


def test_failed_logins_open_a_short_back_off_window_not_a_long_lock(db, monkeypatch):
    make_user(db, email="ada@example.com")
    for _ in range(10):
        with pytest.raises(NotAuthenticated):
            accounts.authenticate(db, email="ada@example.com", password="wrong password!")
    with pytest.raises(TooManyAttempts) as blocked:
        accounts.authenticate(db, email="ada@example.com", password=PASSWORD)
    assert blocked.value.retry_after == 1
    later = clock.utcnow() + timedelta(seconds=1)
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    assert accounts.authenticate(db, email="ada@example.com", password=PASSWORD)


def test_throttle_state_lives_in_the_database(db, engine):
    make_user(db, email="ada@example.com")
    for _ in range(10):
        with pytest.raises(NotAuthenticated):
            accounts.authenticate(db, email="ada@example.com", password="wrong password!")
    from sqlmodel import Session

    with Session(engine) as other_worker, pytest.raises(TooManyAttempts):
        accounts.authenticate(other_worker, email="ada@example.com", password=PASSWORD)


def test_a_counter_deleted_by_another_login_meanwhile_is_started_again(db, engine):
    """People log in as one account at once: another login's success deletes the email's
    counter while this one is being counted. The count makes the counter again; it used to
    find no row, take that for a back-off window and fail with a server error."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: the other login cannot come between")
    make_user(db, email="ada@example.com")
    with pytest.raises(NotAuthenticated):  # the email's counter exists
        accounts.authenticate(db, email="ada@example.com", password="wrong password!")
    counter = login_throttle.email_key("ada@example.com")
    forgiven: list[str] = []

    def another_login_succeeds(_conn, _cursor, statement, parameters, _context, _many):
        # The count of this email's failures (the statement returning the new count).
        if not forgiven and "login_throttles" in statement and "RETURNING" in statement \
                and counter in str(parameters):
            forgiven.append(counter)
            with engine.begin() as other:
                other.execute(delete(LoginThrottle).where(col(LoginThrottle.key) == counter))

    event.listen(engine, "before_cursor_execute", another_login_succeeds)
    try:
        assert accounts.authenticate(db, email="ada@example.com", password=PASSWORD)
    finally:
        event.remove(engine, "before_cursor_execute", another_login_succeeds)
    assert forgiven == [counter]


def test_change_password_needs_the_current_one(db):
    user = make_user(db)
    with pytest.raises(Invalid) as caught:
        accounts.change_password(db, actor_for(user), current_password="nope nope",
                                 new_password="another good passphrase")
    assert "current_password" in caught.value.fields


def test_change_password_ends_every_session(db):
    user = make_user(db)
    first, second = start_session(db, user), start_session(db, user)
    db.commit()
    accounts.change_password(db, actor_for(user), current_password=PASSWORD,
                             new_password="another good passphrase")
    db.commit()  # as the caller's unit of work does
    for token in (first, second):
        with pytest.raises(NotAuthenticated):
            resolve_session(db, token)
    assert accounts.authenticate(db, email=user.email, password="another good passphrase")


def test_update_profile_changes_display_name(db):
    user = make_user(db)
    accounts.update_profile(db, actor_for(user), display_name="  Ada   Lovelace ")
    assert db.get(User, user.id).display_name == "Ada Lovelace"
    with pytest.raises(Invalid):
        accounts.update_profile(db, actor_for(user), display_name="   ")
