"""Email change in the UI: the account page shows a pending change and cancels it; the link's
page shows what it would do, changes the address only on the button, keeps the signed-in
browser signed in with the new address, and explains a spent or unknown link."""

from __future__ import annotations

from sqlmodel import select

from projecthub.models import OutboxMessage
from projecthub.services import email_change
from projecthub.services.principal import actor_for
from projecthub.ui.state.account import AccountState
from projecthub.ui.state.email_change import EmailChangeState
from tests.factories import PASSWORD, make_org, make_user
from tests.mail_fixtures import link_in
from tests.ui.tabs import browser_state

BASE = "http://localhost:3000"


def _ask(db, user, new_email: str = "ada@new.example") -> str:
    email_change.request_email_change(db, actor_for(user), new_email=new_email,
                                      password=PASSWORD, client_ip="127.0.0.1")
    db.commit()
    message = db.exec(select(OutboxMessage).where(OutboxMessage.to_address == new_email)).one()
    return link_in(message.body_text, "/confirm-email/").removeprefix(BASE)


def test_account_page_shows_the_pending_change_and_cancels_it(db, as_user):
    ada = make_user(db, email="ada@example.com")
    make_org(db, ada)
    _ask(db, ada)
    account = as_user(AccountState, ada, path="/account")
    account.load()
    assert account.pending_email == "ada@new.example" and account.pending_until
    account.cancel_email_change()
    assert (account.pending_email, account.errors) == ("", {})
    assert email_change.pending_email_change(db, actor_for(ada)) is None


def test_email_errors_from_the_api_are_shown_next_to_the_field(db, as_user):
    account = as_user(AccountState, make_user(db), path="/account")
    account.show_email_error({"status": 422, "detail": "x", "fields": {"password": "Wrong."}})
    assert account.errors == {"password": "Wrong."}
    account.show_email_error({"status": 429, "detail": "Too many requests.", "fields": {}})
    assert account.errors == {"email_form": "Too many requests."}


def test_opening_the_link_changes_nothing_until_confirmed_then_keeps_this_browser(db, as_user):
    ada = make_user(db, email="ada@example.com")
    make_org(db, ada)
    path = _ask(db, ada)
    page = as_user(EmailChangeState, ada, path=path)
    page.open_confirm()
    assert (page.new_email, page.changed, page.link_problem) == ("ada@new.example", False, "")
    assert email_change.pending_email_change(db, actor_for(ada)) is not None
    page.confirm()
    assert page.changed and page.logged_in and page.user_email == "ada@new.example"
    page.confirm()  # a second click changes nothing and shows no error
    assert page.link_problem == ""
    page.require_login()
    assert page.user_email == "ada@new.example"


def test_signed_out_confirmation_and_a_spent_link(db):
    ada = make_user(db, email="ada@example.com")
    path = _ask(db, ada)
    page = browser_state(EmailChangeState, None, path=path)
    page.open_confirm()
    page.confirm()
    assert page.changed and not page.logged_in
    again = browser_state(EmailChangeState, None, path=path)
    again.open_confirm()
    assert "already been used" in again.link_problem
    unknown = browser_state(EmailChangeState, None, path="/confirm-email/phe_made-up")
    unknown.open_confirm()
    assert "not valid" in unknown.link_problem
