"""The UI around Sign in with Microsoft: the login page's button and refusals, the one-time
password page that links an existing account, and the organization's Microsoft rules."""

from __future__ import annotations

import uuid

from pydantic import SecretStr
from reflex.istate.data import RouterData
from sqlmodel import select

from projecthub.core.web import microsoft_cookie_name
from projecthub.models import MicrosoftIdentity, MicrosoftPolicy, Role
from projecthub.services import microsoft_orgs, microsoft_signin, sessions
from projecthub.ui.state.admin_users import InstanceSettingsState, UsersState
from projecthub.ui.state.auth import AuthState
from projecthub.ui.state.dashboard import DashboardState
from projecthub.ui.state.microsoft_link import MicrosoftLinkState
from projecthub.ui.state.microsoft_settings import FORM, MicrosoftSettingsState
from tests.factories import add_member, make_org, make_user, principal, user_of
from tests.ui.tabs import browser_state, toasts

TENANT = "3f1d0a3e-4b0c-4d4e-9a57-2f0c1b7f6a10"


def _link(db, user) -> None:
    db.add(MicrosoftIdentity(user_id=user.id, tenant_id=TENANT, object_id=str(uuid.uuid4()),
                             username=user.email))
    db.commit()


def test_the_login_page_words_a_refused_microsoft_sign_in(monkeypatch):
    monkeypatch.setattr(microsoft_signin.settings, "SANDBOX", True)
    state = browser_state(AuthState, None, path="/login")
    state.router = RouterData.from_router_data({
        "pathname": "/login", "asPath": "/login?microsoft=tenant&next=/dashboard",
        "headers": {}})
    state.open_form()
    assert state.microsoft_available
    assert "directory that may not sign in here" in state.errors["form"]


def test_an_unknown_refusal_code_gets_the_generic_words():
    state = browser_state(AuthState, None, path="/login")
    state.router = RouterData.from_router_data({
        "pathname": "/login", "asPath": "/login?microsoft=<script>", "headers": {}})
    state.open_form()
    assert state.errors["form"] == microsoft_signin.REASONS["refused"]


def _tab_with_handle(handle: str | None) -> MicrosoftLinkState:
    state = MicrosoftLinkState()
    cookie = f"{microsoft_cookie_name()}={handle}" if handle else "theme=dark"
    state.router = RouterData.from_router_data({
        "pathname": "/login/microsoft", "asPath": "/login/microsoft",
        "headers": {"cookie": cookie}})
    return state


def test_the_link_page_shows_which_accounts_it_links(db):
    user = make_user(db, email="ada@projecthub.example")
    identity = microsoft_signin.EntraIdentity(
        tenant_id=TENANT, object_id=str(uuid.uuid4()), username="ada@contoso.example",
        name="Ada", email="ada@projecthub.example")
    outcome = microsoft_signin.complete(db, identity, return_to="http://localhost:3000/x")
    db.commit()
    assert isinstance(outcome, microsoft_signin.PasswordNeeded)
    state = _tab_with_handle(outcome.handle)
    state.open_link()
    assert (state.link_email, state.link_username, state.link_problem) == (
        user.email, "ada@contoso.example", "")


def test_the_link_page_without_a_pending_sign_in_says_so(db):
    state = _tab_with_handle(None)
    state.open_link()
    assert "expired or was already used" in state.link_problem


def test_owners_turn_on_the_rules_for_their_directory(db, as_user):
    owner = make_user(db)
    _link(db, owner)
    org = make_org(db, owner)
    state = as_user(MicrosoftSettingsState, owner, path="/org/settings")
    state.load()
    assert (state.ms_your_tenant, state.ms_tenant, state.ms_require) == (TENANT, "", False)
    result = state.save({"require_microsoft": "on", "allow_join": "on", "join_role": "viewer"})
    assert "Microsoft sign-in settings saved." in toasts(result)
    assert (state.ms_tenant, state.ms_require, state.ms_allow_join, state.ms_join_role) == (
        TENANT, True, True, "viewer")
    db.expire_all()
    row = db.exec(select(MicrosoftPolicy)).one()
    assert (row.organization_id, row.allow_join) == (org.id, True)


def test_an_admin_without_a_microsoft_account_is_told_to_link_one(db, as_user):
    owner = make_user(db)
    make_org(db, owner)
    state = as_user(MicrosoftSettingsState, owner, path="/org/settings")
    state.save({"allow_join": "on", "join_role": "member"})
    assert "Sign in with Microsoft once first" in state.errors[FORM]
    assert db.exec(select(MicrosoftPolicy)).all() == []


def test_members_cannot_save_the_rules(db, as_user):
    org = make_org(db)
    member = user_of(db, add_member(db, org, role=Role.MEMBER))
    _link(db, member)
    state = as_user(MicrosoftSettingsState, member, path="/org/settings")
    state.load()
    assert state.ms_your_tenant == ""  # nothing loaded for a member
    state.save({"require_microsoft": "on"})
    assert "admin role" in state.errors[FORM]
    assert db.exec(select(MicrosoftPolicy)).all() == []


def test_a_password_session_sees_why_the_organization_is_closed_to_it(db):
    owner = make_user(db)
    _link(db, owner)
    org = make_org(db, owner, name="Acme")
    microsoft_orgs.set_policy(db, principal(db, owner, org), require_microsoft=True,
                              allow_join=False)
    db.commit()
    state = browser_state(DashboardState, sessions.start_session(db, owner))
    db.commit()
    state.load()
    assert "Acme requires signing in with Microsoft" in state.org_problem
    assert state.org_needs_microsoft


def test_instance_admins_see_who_is_microsoft_linked_and_how_it_is_configured(db, as_user,
                                                                             monkeypatch):
    monkeypatch.setattr(microsoft_signin.settings, "SANDBOX", True)
    monkeypatch.setattr(microsoft_signin.settings, "MICROSOFT_CLIENT_ID", None)
    root = make_user(db, admin=True, email="root@example.com")
    linked = make_user(db, email="linked@example.com")
    _link(db, linked)
    users = as_user(UsersState, root, path="/admin/users")
    users.load()
    assert {row.email: row.microsoft for row in users.users} == {
        "root@example.com": False, "linked@example.com": True}
    settings_page = as_user(InstanceSettingsState, root, path="/admin/settings")
    settings_page.load()
    assert settings_page.microsoft_signin.startswith("Sandbox")
    monkeypatch.setattr(microsoft_signin.settings, "MICROSOFT_CLIENT_ID", "app-id")
    monkeypatch.setattr(microsoft_signin.settings, "MICROSOFT_CLIENT_SECRET",
                        SecretStr("s3cret-value"))
    settings_page.load()
    assert settings_page.microsoft_signin.startswith("Configured: app app-id")
    assert "s3cret" not in settings_page.microsoft_signin
