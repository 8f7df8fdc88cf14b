"""Account page: the token is shown once, passwords are checked by the service and end every
session, and revoking only reaches the person's own tokens."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from projecthub.models import ApiToken
from projecthub.ui.state.account import NEW_TOKEN_ID, AccountState
from tests.factories import make_org, make_user
from tests.ui.tabs import revealed
from tests.ui.times import instant, near

USED = datetime(2026, 12, 6, 15, 4, 5, tzinfo=UTC)


@pytest.fixture
def account(db, as_user):  # type: ignore[no-untyped-def]
    user = make_user(db, email="ada@example.com", name="Ada")
    make_org(db, user, slug="acme")
    state = as_user(AccountState, user, path="/account")
    state.load()
    return state


def test_a_new_token_is_shown_once_then_cleared(db, account):
    shown = account.create_token({"name": "CI"})

    secret = revealed(shown, NEW_TOKEN_ID)
    assert secret is not None and secret.startswith("pht_") and account.token_shown
    assert [(t.name, t.org_slug, t.hint, t.last_used) for t in account.tokens] == [
        ("CI", "acme", secret[-4:], "Never")]
    assert secret not in str(account.tokens)
    [row] = account.tokens
    token = db.exec(select(ApiToken)).one()
    assert near(instant(row.created_at, row.created), token.created_at)
    assert near(instant(row.expires_at, row.expires), token.expires_at)
    assert row.last_used_at == ""  # never used: the page says "Never"
    token.last_used_at = USED
    db.commit()
    account.load()
    assert instant(account.tokens[0].last_used_at, account.tokens[0].last_used) == USED
    assert revealed(account.dismiss_token(), NEW_TOKEN_ID) == "" and not account.token_shown
    account.create_token({"name": "again"})
    account.load()
    assert not account.token_shown


def test_a_new_token_never_rests_in_the_state_store(account):
    """Reflex writes the pickled state to its store (disk, Redis) after every event: the raw
    token goes to the browser in the event, never into a var that would be stored."""
    secret = revealed(account.create_token({"name": "CI"}), NEW_TOKEN_ID)
    assert secret and secret.encode() not in account._serialize()
    assert secret not in repr(account.dict())


def test_token_name_errors_are_shown_next_to_the_field(account):
    account.create_token({"name": "   "})

    assert account.errors == {"name": "Token name is required."}
    assert not account.token_shown


def test_revoke_token(db, account):
    account.create_token({"name": "CI"})

    account.revoke_token(account.tokens[0].id)

    assert account.tokens == []
    assert db.exec(select(ApiToken)).one().revoked_at is not None


def test_password_errors_from_the_api_are_shown_next_to_the_field(account):
    account.show_password_error({"status": 422, "detail": "The current password is incorrect.",
                                 "fields": {"current_password": "The current password is "
                                                                "incorrect."}})

    assert account.errors == {"current_password": "The current password is incorrect."}


def test_password_form_never_reaches_the_state():
    """The form posts to the API from the browser; no handler takes the passwords."""
    from projecthub.ui.state.account import AccountState

    assert "change_password" not in AccountState.event_handlers
    assert set(AccountState.event_handlers["show_password_error"].fn.__annotations__) == {
        "result", "return"}


def test_save_profile_updates_the_name_shown(account):
    account.save_profile({"display_name": "  Ada   Lovelace "})
    assert account.user_name == "Ada Lovelace"

    account.save_profile({"display_name": ""})
    assert account.errors == {"display_name": "Name is required."}


def test_expiry_and_access_are_chosen_when_creating(db, account):
    account.create_token({"name": "reports", "expires_in_days": "7", "access": "read only"})

    token = db.exec(select(ApiToken)).one()
    assert token.read_only and (token.expires_at - token.created_at).days == 7
    assert [(t.read_only, t.expired) for t in account.tokens] == [(True, False)]
    account.create_token({"name": "bad", "expires_in_days": "forever"})
    assert account.errors == {"expires_in_days": "Choose an expiry between 1 and 365 days."}
