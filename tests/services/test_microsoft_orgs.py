"""An organization's Microsoft sign-in rules: who may set them, the directory they bind to,
sessions refused without Microsoft, and joining by directory."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from projecthub.core.errors import Invalid, PermissionDenied
from projecthub.models import Membership, MicrosoftIdentity, MicrosoftPolicy, Role
from projecthub.services import microsoft_orgs, sessions
from projecthub.services.microsoft_orgs import MicrosoftRequired
from tests.factories import add_member, make_org, make_user, principal, user_of

TENANT = "3f1d0a3e-4b0c-4d4e-9a57-2f0c1b7f6a10"
OTHER_TENANT = "9a8b7c6d-0000-4000-8000-000000000001"


def link(db, user, tenant: str = TENANT) -> None:
    db.add(MicrosoftIdentity(user_id=user.id, tenant_id=tenant, object_id=str(uuid.uuid4()),
                             username=user.email))
    db.commit()


@pytest.fixture
def owner(db):
    user = make_user(db)
    link(db, user)
    return user


@pytest.fixture
def org(db, owner):
    return make_org(db, owner, name="Acme")


def session_of(db, user, tenant: str | None):
    token = sessions.start_session(db, user, microsoft_tenant_id=tenant)
    db.commit()
    return sessions.resolve_session(db, token)


def test_rules_are_off_until_an_admin_turns_them_on(db, owner, org):
    view = microsoft_orgs.get_policy(db, principal(db, owner, org))
    assert (view.tenant_id, view.require_microsoft, view.allow_join) == (None, False, False)
    assert view.your_tenant_id == TENANT
    microsoft_orgs.set_policy(db, principal(db, owner, org), require_microsoft=False,
                              allow_join=False)
    assert db.exec(select(MicrosoftPolicy)).all() == []


def test_turning_a_rule_on_binds_the_admins_own_directory(db, owner, org):
    view = microsoft_orgs.set_policy(db, principal(db, owner, org), require_microsoft=True,
                                     allow_join=True, join_role="viewer")
    assert (view.tenant_id, view.join_role) == (TENANT, Role.VIEWER)


def test_an_admin_without_a_linked_account_cannot_bind_a_directory(db, org):
    admin = user_of(db, add_member(db, org, role=Role.ADMIN))
    with pytest.raises(Invalid, match="Sign in with Microsoft once first"):
        microsoft_orgs.set_policy(db, principal(db, admin, org), require_microsoft=False,
                                  allow_join=True)


def test_members_cannot_read_or_change_the_rules(db, org):
    member = user_of(db, add_member(db, org, role=Role.MEMBER))
    link(db, member)
    with pytest.raises(PermissionDenied):
        microsoft_orgs.get_policy(db, principal(db, member, org))
    with pytest.raises(PermissionDenied):
        microsoft_orgs.set_policy(db, principal(db, member, org), require_microsoft=True,
                                  allow_join=False)


@pytest.mark.parametrize("role", ["owner", "boss"])
def test_nobody_joins_as_owner_or_an_unknown_role(db, owner, org, role):
    with pytest.raises(Invalid, match="Choose admin, member or viewer"):
        microsoft_orgs.set_policy(db, principal(db, owner, org), require_microsoft=False,
                                  allow_join=True, join_role=role)


def test_only_owners_let_people_join_as_admins(db, org):
    admin = user_of(db, add_member(db, org, role=Role.ADMIN))
    link(db, admin)
    with pytest.raises(Invalid, match="Only owners"):
        microsoft_orgs.set_policy(db, principal(db, admin, org), require_microsoft=False,
                                  allow_join=True, join_role="admin")


def test_a_required_microsoft_sign_in_refuses_password_and_foreign_sessions(db, owner, org):
    microsoft_orgs.set_policy(db, principal(db, owner, org), require_microsoft=True,
                              allow_join=False)
    db.commit()
    member = user_of(db, add_member(db, org, role=Role.MEMBER))
    for tenant in (None, OTHER_TENANT):
        with pytest.raises(MicrosoftRequired, match="Acme requires signing in with Microsoft"):
            sessions.session_principal(db, session_of(db, member, tenant))
        db.rollback()
    assert sessions.session_principal(db, session_of(db, member, TENANT)).org_id == org.id


def test_switching_into_an_organization_that_requires_microsoft_is_refused(db, owner, org):
    microsoft_orgs.set_policy(db, principal(db, owner, org), require_microsoft=True,
                              allow_join=False)
    db.commit()
    other = make_org(db, owner)
    context = session_of(db, owner, None)
    sessions.switch_organization(db, context, other.id)
    with pytest.raises(MicrosoftRequired):
        sessions.switch_organization(db, context, org.id)


def test_joining_by_directory_respects_a_deactivated_membership(db, owner, org):
    microsoft_orgs.set_policy(db, principal(db, owner, org), require_microsoft=False,
                              allow_join=True, join_role="member")
    db.commit()
    newcomer, former = make_user(db), make_user(db)
    membership = add_member(db, org, former)
    membership.is_active = False
    db.add(membership)
    db.commit()
    assert microsoft_orgs.join_by_directory(db, newcomer, TENANT) == [org.id]
    assert microsoft_orgs.join_by_directory(db, former, TENANT) == []
    assert microsoft_orgs.join_by_directory(db, make_user(db), OTHER_TENANT) == []
    db.commit()
    rows = db.exec(select(Membership).where(Membership.user_id == former.id)).all()
    assert [row.is_active for row in rows] == [False]
