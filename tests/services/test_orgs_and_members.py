"""Organizations, roles, the last-owner rule, deactivation and suspension."""

from __future__ import annotations

import pytest

from projecthub.core.errors import (
    Conflict,
    Invalid,
    NotAuthenticated,
    NotFound,
    OrganizationSuspended,
    PermissionDenied,
)
from projecthub.models import Membership, OrgStatus, Role
from projecthub.services import admin, members, orgs, sessions
from projecthub.services.principal import actor_for
from tests.factories import add_member, make_org, make_user, owner_principal, principal


def test_creator_becomes_owner_and_sees_the_org_in_their_list(db):
    user = make_user(db)
    org = make_org(db, user, name="Acme Agency", slug="acme")
    listed = orgs.list_my_organizations(db, actor_for(user))
    assert [(o.slug, o.role) for o in listed] == [("acme", Role.OWNER)]
    assert principal(db, user, org).role == Role.OWNER


def test_slug_must_be_unique_and_well_formed(db):
    make_org(db, slug="acme")
    with pytest.raises(Conflict):
        make_org(db, slug="acme")
    with pytest.raises(Invalid):
        make_org(db, slug="Not A Slug")


def test_admin_renames_org_but_member_cannot(db):
    org = make_org(db, slug="acme")
    admin_user = add_member(db, org, role=Role.ADMIN)
    member = add_member(db, org, role=Role.MEMBER)
    as_admin = principal(db, _user(db, admin_user), org)
    orgs.update_organization(db, as_admin, name="Acme Ltd", slug="acme-ltd")
    assert orgs.get_organization(db, as_admin).slug == "acme-ltd"
    with pytest.raises(PermissionDenied):
        orgs.update_organization(db, principal(db, _user(db, member), org), name="Hijack")


def _user(db, membership: Membership):
    from projecthub.models import User

    return db.get(User, membership.user_id)


def test_last_owner_cannot_be_removed_demoted_or_deactivated(db):
    org = make_org(db)
    owner = owner_principal(db, org)
    own = db.exec(Membership.__table__.select()).first()  # the only membership
    for action in (
        lambda: members.change_role(db, owner, own.id, role="admin"),
        lambda: members.remove_member(db, owner, own.id),
        lambda: members.set_active(db, owner, own.id, active=False),
    ):
        with pytest.raises(Conflict, match="last owner"):
            action()


def test_second_owner_allows_demoting_the_first(db):
    org = make_org(db)
    owner = owner_principal(db, org)
    second = add_member(db, org, role=Role.OWNER)
    first = next(m for m in members.list_members(db, owner) if m.id != second.id)
    members.change_role(db, owner, first.id, role="member")
    roles = sorted(m.role for m in members.list_members(db, owner))
    assert roles == [Role.MEMBER, Role.OWNER]


def test_admin_cannot_grant_owner_or_touch_owners(db):
    org = make_org(db)
    admin_m = add_member(db, org, role=Role.ADMIN)
    member_m = add_member(db, org, role=Role.MEMBER)
    as_admin = principal(db, _user(db, admin_m), org)
    with pytest.raises(PermissionDenied):
        members.change_role(db, as_admin, member_m.id, role="owner")
    members.change_role(db, as_admin, member_m.id, role="viewer")


def test_member_cannot_manage_members(db):
    org = make_org(db)
    member_m = add_member(db, org)
    other = add_member(db, org)
    with pytest.raises(PermissionDenied):
        members.remove_member(db, principal(db, _user(db, member_m), org), other.id)


def test_deactivated_member_loses_access_and_sessions(db):
    org = make_org(db)
    m = add_member(db, org)
    user = _user(db, m)
    token = sessions.start_session(db, user)
    db.commit()
    members.set_active(db, owner_principal(db, org), m.id, active=False)
    with pytest.raises(NotAuthenticated):
        sessions.resolve_session(db, token)
    with pytest.raises(NotFound):
        principal(db, user, org)
    members.set_active(db, owner_principal(db, org), m.id, active=True)
    assert principal(db, user, org).role == Role.MEMBER


def test_removed_member_is_gone(db):
    org = make_org(db)
    m = add_member(db, org)
    members.remove_member(db, owner_principal(db, org), m.id)
    with pytest.raises(NotFound):
        principal(db, _user(db, m), org)


def test_suspended_org_hides_its_data_until_reactivated(db):
    root = make_user(db, admin=True)
    org = make_org(db)
    owner = owner_principal(db, org)
    user = _user(db, db.exec(Membership.__table__.select()).first())
    admin.set_tenant_status(db, actor_for(root), org.id, OrgStatus.SUSPENDED)
    with pytest.raises(OrganizationSuspended):
        principal(db, user, org)
    admin.set_tenant_status(db, actor_for(root), org.id, OrgStatus.ACTIVE)
    assert principal(db, user, org).org_id == owner.org_id


def test_tenants_list_counts_members_and_projects_for_instance_admins_only(db):
    from projecthub.models import Project

    root = make_user(db, admin=True)
    org = make_org(db, slug="acme")
    add_member(db, org)
    db.add(Project(organization_id=org.id, name="Website", key="WEB"))
    db.commit()
    tenants = admin.list_tenants(db, actor_for(root))
    assert [(t.slug, t.member_count, t.project_count) for t in tenants] == [("acme", 2, 1)]
    with pytest.raises(PermissionDenied):
        admin.list_tenants(db, actor_for(make_user(db)))


def test_instance_admin_creates_a_tenant_for_an_existing_account(db):
    root = make_user(db, admin=True)
    owner = make_user(db, email="owner@example.com")
    org = admin.create_tenant(db, actor_for(root), name="Beta", slug="beta",
                              owner_email="owner@example.com")
    assert principal(db, owner, org).role == Role.OWNER
    with pytest.raises(Invalid):
        admin.create_tenant(db, actor_for(root), name="Gamma", slug="gamma",
                            owner_email="ghost@example.com")


def test_instance_admin_is_not_a_member_of_tenants(db):
    root = make_user(db, admin=True)
    org = make_org(db)
    with pytest.raises(NotFound):
        principal(db, root, org)
