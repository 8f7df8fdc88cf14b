"""Invitation page: preview, accept as the invited account, refuse anyone else."""

from __future__ import annotations

from sqlmodel import select

from projecthub.models import Invitation, Membership
from projecthub.services import invitations
from projecthub.ui.state.invite import InviteState
from tests.factories import make_org, make_user, owner_principal
from tests.ui.tabs import browser_state, redirect_path
from tests.ui.times import instant, near


def _invite(db, email: str = "bob@example.com", role: str = "admin"):  # type: ignore[no-untyped-def]
    org = make_org(db, name="Acme Agency")
    link = invitations.create_invitation(db, owner_principal(db, org), email=email,
                                         role=role).link
    db.commit()  # the page reads it in its own unit of work
    return org, "/invite/" + link.rsplit("/", 1)[-1]


def test_a_visitor_sees_what_the_invitation_offers(db):
    _, path = _invite(db)
    state = browser_state(InviteState, None, path=path)

    state.load()

    assert (state.invited_org, state.invited_email, state.invited_role) == (
        "Acme Agency", "bob@example.com", "admin")
    assert state.problem == "" and state.logged_in is False
    assert state.invitation_token == path.removeprefix("/invite/")
    [invitation] = db.exec(select(Invitation)).all()
    assert near(instant(state.expires_at, state.expires), invitation.expires_at)


def test_an_unknown_or_used_link_explains_itself(db, as_user):
    state = browser_state(InviteState, None, path="/invite/inv_nope")
    state.load()
    assert state.problem == "This invitation link is not valid."

    _org, path = _invite(db)
    bob = make_user(db, email="bob@example.com")
    as_user(InviteState, bob, path=path).accept()
    state = browser_state(InviteState, None, path=path)
    state.load()
    assert "already been used" in state.problem


def test_the_invited_account_joins_and_switches_to_the_organization(db, as_user):
    org, path = _invite(db)
    bob = make_user(db, email="bob@example.com")
    state = as_user(InviteState, bob, path=path)
    state.load()
    assert state.logged_in and state.user_email == state.invited_email

    assert redirect_path(state.accept()) == "/dashboard"

    membership = db.exec(select(Membership).where(Membership.user_id == bob.id)).one()
    assert (membership.organization_id, membership.role) == (org.id, "admin")


def test_another_account_is_refused(db, as_user):
    _org, path = _invite(db)
    eve = make_user(db, email="eve@example.com")
    state = as_user(InviteState, eve, path=path)
    state.load()

    assert state.accept() is None

    assert "for bob@example.com" in state.errors["form"]
    assert db.exec(select(Membership).where(Membership.user_id == eve.id)).all() == []
