"""The instance-admin users and settings pages: thin states over the services, refused to
everyone else, with what each action did said in a toast or next to its section."""

from __future__ import annotations

from sqlmodel import select

from projecthub.models import AuthSession, User
from projecthub.services import sessions
from projecthub.services.signup_policy import current_policy
from projecthub.ui.state.admin_users import InstanceSettingsState, UsersState
from projecthub.ui.state.signup_page import SignupPolicyState
from tests.factories import make_org, make_user
from tests.ui.tabs import toasts


def test_users_page_is_for_instance_admins_only(db, as_user):
    owner, other = make_user(db), make_user(db)
    state = as_user(UsersState, owner, path="/admin/users")
    state.load()
    state.set_active(str(other.id), False)
    state.set_admin(str(owner.id), True)
    assert state.users == []
    assert "instance administrators" in state.errors["users"]
    db.expire_all()
    assert db.get_one(User, other.id).is_active and not db.get_one(User, owner.id).is_instance_admin


def test_admin_searches_and_deactivates(db, as_user):
    root = make_user(db, admin=True)
    jo = make_user(db, email="jo@acme.example", name="Jo")
    make_org(db, jo, name="Acme")
    sessions.start_session(db, jo)
    db.commit()
    state = as_user(UsersState, root, path="/admin/users")
    state.load()
    assert state.total == 2
    state.find({"search": "acme"})
    [row] = state.users
    assert (row.email, row.organizations, row.active, row.is_me) == (
        "jo@acme.example", "Acme", True, False)

    result = state.set_active(row.id, False)

    assert "api tokens were revoked" in toasts(result).lower()
    assert state.users[0].active is False  # the list kept its search and reloaded
    db.expire_all()
    assert db.exec(select(AuthSession).where(AuthSession.user_id == jo.id)).all() == []


def test_last_admin_is_refused_in_place(db, as_user):
    root = make_user(db, admin=True)
    state = as_user(UsersState, root, path="/admin/users")
    state.load()
    state.set_admin(str(root.id), False)
    assert "at least one" in state.errors["users"]


def test_password_reset_from_the_list(db, as_user):
    root, jo = make_user(db, admin=True), make_user(db)
    state = as_user(UsersState, root, path="/admin/users")
    result = state.send_reset(str(jo.id))
    assert "reset link sent" in toasts(result).lower()


def test_settings_show_and_change_the_signup_policy(db, as_user):
    root = make_user(db, admin=True)
    state = as_user(InstanceSettingsState, root, path="/admin/settings")
    state.load()
    assert (state.signup_policy, state.signup_from_environment) == ("open", True)
    assert {w.name for w in state.workers} >= {"Provisioning", "Status sync", "Mail sender"}

    state.save_signup({"policy": "domains", "domains": "not a domain"})
    assert "not an email domain" in state.errors["domains"].lower()
    result = state.save_signup({"policy": "domains", "domains": "acme.example"})
    assert "saved" in toasts(result).lower()
    assert (state.signup_domains, state.signup_from_environment) == ("acme.example", False)
    db.expire_all()
    assert current_policy(db).domains == ("acme.example",)

    page = SignupPolicyState()
    page.load()
    assert page.policy == "domains" and "acme.example" in page.summary


def test_settings_are_refused_to_others(db, as_user):
    state = as_user(InstanceSettingsState, make_user(db), path="/admin/settings")
    state.load()
    state.save_signup({"policy": "invite-only"})
    assert "instance administrators" in state.errors["signup"]
    state.send_test_mail()
    assert "instance administrators" in state.errors["mail"]
    db.expire_all()
    assert current_policy(db).from_environment


def test_test_message(db, as_user):
    state = as_user(InstanceSettingsState, make_user(db, admin=True), path="/admin/settings")
    assert "queued" in toasts(state.send_test_mail()).lower()


def test_settings_show_the_audit_retention_and_the_log_format(db, as_user, monkeypatch):
    from projecthub.core.config import settings

    monkeypatch.setattr(settings, "AUDIT_RETENTION_DAYS", 90)
    monkeypatch.setattr(settings, "LOG_FORMAT", "json")
    state = as_user(InstanceSettingsState, make_user(db, admin=True), path="/admin/settings")
    state.load()
    assert state.audit_retention.startswith("90 days (PROJECTHUB_AUDIT_RETENTION_DAYS")
    assert state.log_format == "JSON lines"
