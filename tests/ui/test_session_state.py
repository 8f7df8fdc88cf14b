"""The base state: every handler resolves the session from the cookie again, display vars hold
no ids or secrets, and organization switching only reaches the person's own organizations."""

from __future__ import annotations

from projecthub.models import OrgStatus
from projecthub.services import admin, sessions
from projecthub.services.principal import actor_for
from projecthub.ui.state.members import MembersState
from projecthub.ui.state.session import SessionState
from tests.factories import make_org, make_user
from tests.ui.tabs import browser_state, login, redirect_path, toasts


def test_page_load_without_a_cookie_sends_the_browser_to_login_and_back(engine):
    state = browser_state(SessionState, None, path="/org/members")

    result = state.require_login()

    assert redirect_path(result) == "/login?next=/org/members"
    assert state.logged_in is False


def test_load_fills_display_data_only(db, as_user):
    user = make_user(db, email="ada@example.com", name="Ada Lovelace")
    org = make_org(db, user, name="Acme Agency", slug="acme")
    state = as_user(SessionState, user)

    assert state.require_login() is None

    assert (state.logged_in, state.user_name, state.org_name, state.role) == (
        True, "Ada Lovelace", "Acme Agency", "owner")
    assert state.is_org_admin and state.initials == "AL"
    public = str(state.dict())
    assert str(user.id) not in public  # ids of the person stay on the server
    assert state.orgs[0].current and state.orgs[0].id == str(org.id)


def test_a_logged_out_session_is_refused_even_though_the_tab_still_says_logged_in(db):
    user = make_user(db)
    make_org(db, user)
    token = login(db, user)
    state = browser_state(MembersState, token, path="/org/members")
    state.load()
    assert state.logged_in and state.members

    sessions.end_session(db, token)
    db.commit()
    result = state.change_role(state.members[0].id, "viewer")

    assert redirect_path(result) == "/login?next=/org/members"
    assert state.logged_in is False


def test_a_suspended_organization_shows_its_screen_instead_of_data(db, as_user):
    root = make_user(db, admin=True)
    user = make_user(db)
    org = make_org(db, user, name="Acme")
    admin.set_tenant_status(db, actor_for(root), org.id, OrgStatus.SUSPENDED)
    state = as_user(MembersState, user, path="/org/members")

    state.load()

    assert state.org_suspended and "suspended" in state.org_problem
    assert state.members == []


def test_switch_org_changes_the_current_organization(db, as_user):
    user = make_user(db)
    make_org(db, user, name="First")
    second = make_org(db, user, name="Second")
    state = as_user(SessionState, user)

    assert redirect_path(state.switch_org(str(second.id))) == "/dashboard"
    state.require_login()

    assert state.org_name == "Second"


def test_switch_org_to_a_foreign_or_malformed_id_is_not_found(db, as_user):
    user = make_user(db)
    make_org(db, user, name="Mine")
    foreign = make_org(db, make_user(db), name="Theirs")
    state = as_user(SessionState, user)

    assert "Organization not found" in toasts(state.switch_org(str(foreign.id)))
    assert "Organization not found" in toasts(state.switch_org("not-a-uuid"))
    state.require_login()
    assert state.org_name == "Mine"
