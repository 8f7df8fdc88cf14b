"""New organization and organization settings."""

from __future__ import annotations

from projecthub.models import Organization, Role
from projecthub.ui.state.orgs import NewOrgState, OrgSettingsState
from tests.factories import add_member, make_org, make_user, user_of
from tests.ui.tabs import redirect_path


def test_new_org_is_created_owned_and_made_current(db, as_user):
    user = make_user(db)
    make_org(db, user, name="First")
    state = as_user(NewOrgState, user, path="/orgs/new")
    state.load()

    result = state.create({"org_name": "Second Org", "org_slug": "second"})

    assert redirect_path(result) == "/dashboard"
    state.require_login()
    assert (state.org_name, state.role) == ("Second Org", "owner")


def test_new_org_errors_are_shown_next_to_the_fields(db, as_user):
    user = make_user(db)
    make_org(db, slug="taken")
    state = as_user(NewOrgState, user, path="/orgs/new")

    state.create({"org_name": "", "org_slug": "x"})
    assert state.errors == {"org_name": "Organization name is required."}
    state.create({"org_name": "X", "org_slug": "taken"})
    assert "taken" in state.errors["org_slug"]


def test_settings_are_saved_by_admins_only(db, engine, as_user):
    org = make_org(db, name="Acme", slug="acme")
    member = add_member(db, org, role=Role.MEMBER)
    admin = add_member(db, org, role=Role.ADMIN)

    refused = as_user(OrgSettingsState, user_of(db, member), path="/org/settings")
    refused.save({"name": "Hacked", "slug": "hacked"})
    assert "admin role" in refused.errors["form"]

    state = as_user(OrgSettingsState, user_of(db, admin), path="/org/settings")
    state.load()
    assert state.slug == "acme"
    state.save({"name": "Acme Agency", "slug": "acme-agency"})
    db.expire_all()
    saved = db.get_one(Organization, org.id)
    assert (saved.name, saved.slug) == ("Acme Agency", "acme-agency")
    assert (state.org_name, state.slug) == ("Acme Agency", "acme-agency")
