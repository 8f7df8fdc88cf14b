"""Login and sign-up: the browser posts to the API; the state only shows the API's answer."""

from __future__ import annotations

from projecthub.ui.state.auth import AuthState, local_path
from tests.factories import make_org, make_user
from tests.ui.tabs import browser_state, redirect_path


def test_api_field_errors_are_shown_next_to_their_inputs(engine):
    state = browser_state(AuthState, None, path="/signup")

    state.show_error({"status": 422, "detail": "Bad", "fields": {
        "password": "Use at least 8 characters.", "name": "Organization name is required."}})

    assert state.errors == {"password": "Use at least 8 characters.",
                            "org_name": "Organization name is required."}


def test_conflicts_land_on_the_email_or_slug_field(engine):
    state = browser_state(AuthState, None, path="/signup")

    state.show_error({"status": 409, "detail": "An account with this email already exists."})
    assert list(state.errors) == ["email"]
    state.show_error({"status": 409, "detail": "That address is taken. Choose another slug."})
    assert list(state.errors) == ["org_slug"]


def test_wrong_credentials_are_a_form_message(engine):
    state = browser_state(AuthState, None, path="/login")

    state.show_error({"status": 401, "detail": "Email or password is incorrect.", "fields": {}})
    assert state.errors == {"form": "Email or password is incorrect."}
    state.show_error(None)  # success: the page is already navigating away
    assert state.errors == {"form": "Email or password is incorrect."}


def test_slug_follows_the_name_until_edited(engine):
    state = browser_state(AuthState, None, path="/signup")

    state.suggest_slug("Acme Agency GmbH")
    assert state.org_slug == "acme-agency-gmbh"
    state.edit_slug("acme")
    state.suggest_slug("Something else")
    assert state.org_slug == "acme"


def test_login_page_sends_a_signed_in_person_on(db, as_user):
    user = make_user(db)
    make_org(db, user)
    state = as_user(AuthState, user, path="/login")
    state.router = type(state.router).from_router_data({
        "pathname": "/login", "asPath": "/login?next=/org/members",
        "headers": {"cookie": state.router.headers.cookie}})

    assert redirect_path(state.open_form()) == "/org/members"


def test_login_page_explains_why_the_person_is_there(engine):
    state = browser_state(AuthState, None, path="/login")
    state.router = type(state.router).from_router_data({
        "pathname": "/login", "asPath": "/login?reason=password_changed", "headers": {}})

    assert state.open_form() is None
    assert "password was changed" in state.notice


def test_next_must_stay_on_this_site():
    assert local_path("/org/members?x=1") == "/org/members?x=1"
    for hostile in ("https://evil.example", "//evil.example", "/\\evil.example", ""):
        assert local_path(hostile) == "/dashboard"


def test_an_accepted_sign_up_whose_login_failed_is_a_neutral_notice(engine):
    state = browser_state(AuthState, None, path="/signup")
    state.errors = {"form": "old"}

    state.show_error({"status": 202, "detail": "Thanks. If this email address is new ..."})
    assert state.errors == {}
    assert state.notice.startswith("Thanks.")
