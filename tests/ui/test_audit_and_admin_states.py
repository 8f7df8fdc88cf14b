"""Audit log (org admins) and tenant administration (instance admins): refused otherwise."""

from __future__ import annotations

from sqlmodel import select

from projecthub.models import AuditEvent, Organization, OrgStatus, Role
from projecthub.services import invitations
from projecthub.ui.state.admin import TenantsState
from projecthub.ui.state.audit import ALL, PAGE_SIZE, AuditState
from tests.factories import add_member, make_org, make_user, principal, user_of
from tests.ui.times import instant, near


def test_audit_log_is_refused_to_members(db, as_user):
    org = make_org(db)
    member = add_member(db, org, role=Role.MEMBER)
    state = as_user(AuditState, user_of(db, member), path="/org/audit")

    state.load()
    state.filter_action("org.created")

    assert state.events == [] and "admin role" in state.errors["form"]


def test_audit_log_filters_and_pages(db, as_user):
    owner = make_user(db, email="ada@example.com")
    org = make_org(db, owner)
    for n in range(PAGE_SIZE + 4):
        invitations.create_invitation(db, principal(db, owner, org), email=f"p{n}@example.com",
                                      role="member")
    state = as_user(AuditState, owner, path="/org/audit")
    state.load()
    assert (state.total, state.page_count, len(state.events)) == (PAGE_SIZE + 5, 2, PAGE_SIZE)
    assert state.action_options == [ALL, "invitation.created", "org.created"]
    assert state.actor_options == [ALL, "ada@example.com"]

    state.go_to_page(99)
    assert (state.page, len(state.events)) == (2, 5)
    assert state.events[-1].action == "org.created"
    state.filter_action("org.created")
    assert (state.page, [e.action for e in state.events]) == (1, ["org.created"])
    assert "slug: " in state.events[0].detail
    created = db.exec(select(AuditEvent).where(AuditEvent.action == "org.created")).one()
    assert near(instant(state.events[0].at, state.events[0].when), created.created_at)


def test_the_download_links_carry_the_current_filters(db, as_user):
    owner = make_user(db, email="ada@example.com")
    make_org(db, owner)
    state = as_user(AuditState, owner, path="/org/audit")
    state.load()
    assert state.csv_query == "format=csv"
    state.filter_action("org.created")
    state.filter_actor("ada@example.com")
    assert state.jsonl_query == "format=jsonl&actor=ada%40example.com&action=org.created"


def test_tenants_are_for_instance_admins_only(db, engine, as_user):
    owner = make_user(db)
    org = make_org(db, owner)
    state = as_user(TenantsState, owner, path="/admin/tenants")

    state.load()
    state.set_suspended(str(org.id), True)
    state.create_tenant({"name": "Globex", "slug": "globex", "owner_email": owner.email})

    assert state.tenants == []
    assert "instance administrators" in state.errors["create"]
    db.expire_all()
    assert db.get_one(Organization, org.id).status == OrgStatus.ACTIVE


def test_instance_admin_creates_suspends_and_reactivates(db, as_user):
    root = make_user(db, admin=True)
    owner = make_user(db, email="owner@globex.com")
    state = as_user(TenantsState, root, path="/admin/tenants")
    state.load()

    state.create_tenant({"name": "Globex", "slug": "globex", "owner_email": "owner@globex.com"})
    [tenant] = state.tenants
    assert (tenant.name, tenant.members, tenant.projects, tenant.suspended) == (
        "Globex", 1, 0, False)
    assert tenant.created_at.endswith("+00:00") and tenant.created.endswith(" UTC")
    state.set_suspended(tenant.id, True)
    assert state.tenants[0].suspended
    state.set_suspended(tenant.id, False)
    assert not state.tenants[0].suspended

    state.create_tenant({"name": "Again", "slug": "globex", "owner_email": "owner@globex.com"})
    assert "taken" in state.errors["slug"]
    state.create_tenant({"name": "Nobody", "slug": "nobody", "owner_email": "who@x.com"})
    assert "sign up first" in state.errors["owner_email"]
    assert owner.email == "owner@globex.com"
