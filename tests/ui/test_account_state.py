"""Account page: the token is shown once, passwords are checked by the service and end every
session, and revoking only reaches the person's own tokens."""

from __future__ import annotations

import pytest
from sqlmodel import select

from projecthub.models import ApiToken, AuthSession
from projecthub.services import accounts
from projecthub.ui.state.account import AccountState
from tests.factories import PASSWORD, make_org, make_user
from tests.ui.conftest import redirect_path


@pytest.fixture
def account(db, as_user):  # type: ignore[no-untyped-def]
    user = make_user(db, email="ada@example.com", name="Ada")
    make_org(db, user, slug="acme")
    state = as_user(AccountState, user, path="/account")
    state.load()
    return state


def test_a_new_token_is_shown_once_then_cleared(db, account):
    account.create_token({"name": "CI"})

    secret = account.new_token
    assert secret.startswith("pht_")
    assert [(t.name, t.org_slug, t.hint, t.last_used) for t in account.tokens] == [
        ("CI", "acme", secret[-4:], "Never")]
    assert secret not in str(account.tokens)
    account.dismiss_token()
    assert account.new_token == ""
    account.create_token({"name": "again"})
    account.load()
    assert account.new_token == ""


def test_token_name_errors_are_shown_next_to_the_field(account):
    account.create_token({"name": "   "})

    assert account.errors == {"name": "Token name is required."}
    assert account.new_token == ""


def test_revoke_token(db, account):
    account.create_token({"name": "CI"})

    account.revoke_token(account.tokens[0].id)

    assert account.tokens == []
    assert db.exec(select(ApiToken)).one().revoked_at is not None


def test_wrong_current_password_is_shown_next_to_it(account):
    result = account.change_password({"current_password": "nope", "new_password": "x" * 12})

    assert result is None
    assert account.errors == {"current_password": "The current password is incorrect."}


def test_password_change_ends_every_session_and_sends_the_person_to_login(db, account):
    new = "a much longer passphrase"
    result = account.change_password({"current_password": PASSWORD, "new_password": new})

    assert redirect_path(result) == "/login?reason=password_changed"
    assert db.exec(select(AuthSession)).all() == []
    assert accounts.authenticate(db, email="ada@example.com", password=new)
    account.load()
    assert account.logged_in is False


def test_save_profile_updates_the_name_shown(account):
    account.save_profile({"display_name": "  Ada   Lovelace "})
    assert account.user_name == "Ada Lovelace"

    account.save_profile({"display_name": ""})
    assert account.errors == {"display_name": "Name is required."}
