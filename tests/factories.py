"""Factories: build the rows a test needs in one call, with sensible defaults."""

from __future__ import annotations

import itertools

from sqlmodel import Session

from projecthub.models import Membership, Organization, Role, User
from projecthub.services import accounts, orgs, verification
from projecthub.services.principal import Principal, actor_for, principal_in_org

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def make_user(db: Session, *, email: str | None = None, name: str = "", admin: bool = False,
              password: str = PASSWORD, verified: bool = True) -> User:
    """A confirmed address unless ``verified=False`` (the state right after sign-up)."""
    n = next(_counter)
    user = accounts.create_user(db, email=email or f"user{n}@example.com", password=password,
                                display_name=name or f"User {n}", is_instance_admin=admin)
    if verified:
        verification.mark_verified(db, user)
    db.commit()
    return user


def make_org(db: Session, owner: User | None = None, *, name: str = "",
             slug: str = "") -> Organization:
    n = next(_counter)
    owner = owner or make_user(db)
    org = orgs.create_organization(db, actor_for(owner), name=name or f"Org {n}",
                                   slug=slug or f"org-{n}")
    db.commit()
    return org


def add_member(db: Session, org: Organization, user: User | None = None,
               role: Role = Role.MEMBER) -> Membership:
    user = user or make_user(db)
    membership = Membership(organization_id=org.id, user_id=user.id, role=role)
    db.add(membership)
    db.commit()
    return membership


def user_of(db: Session, membership: Membership) -> User:
    """The user behind a membership."""
    return db.get_one(User, membership.user_id)


def principal(db: Session, user: User, org: Organization) -> Principal:
    return principal_in_org(db, actor_for(user), org.id)


def owner_principal(db: Session, org: Organization) -> Principal:
    """The principal of the organization's first owner."""
    from sqlmodel import select

    membership = db.exec(select(Membership).where(
        Membership.organization_id == org.id, Membership.role == Role.OWNER)).first()
    assert membership is not None
    user = db.get(User, membership.user_id)
    assert user is not None
    return principal(db, user, org)
