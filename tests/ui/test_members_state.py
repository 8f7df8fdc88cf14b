"""Members page: roles are re-checked in every handler, not just hidden in the page."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from projecthub.models import Membership, Role
from projecthub.ui.state.members import INVITE_LINK_ID, MembersState
from projecthub.ui.state.session import parse_id
from tests.factories import add_member, make_org, make_user, user_of
from tests.ui.tabs import revealed
from tests.ui.times import instant, near


def _role(engine: Any, membership: Membership) -> tuple[str, bool]:
    with Session(engine) as db:
        row = db.get(Membership, membership.id)
        assert row is not None
        return str(row.role), row.is_active


def test_a_member_sees_the_list_but_cannot_change_roles_or_invite(db, engine, as_user):
    org = make_org(db)
    target = add_member(db, org, role=Role.VIEWER)
    member = add_member(db, org, role=Role.MEMBER)
    state = as_user(MembersState, user_of(db, member), path="/org/members")

    state.load()
    assert len(state.members) == 3 and state.invitations == []
    # Join times go to the browser as ISO instants (its zone) with their UTC text.
    assert all(m.joined_at.endswith("+00:00") and m.joined.endswith(" UTC")
               for m in state.members)
    assert not state.is_org_admin

    state.change_role(str(target.id), "admin")
    assert "admin role" in state.errors["members"]
    assert _role(engine, target) == ("viewer", True)

    state.invite({"email": "x@example.com", "role": "member"})
    assert not state.link_shown
    assert state.errors


def test_an_admin_changes_a_role_and_deactivates(db, engine, as_user):
    org = make_org(db)
    admin = add_member(db, org, role=Role.ADMIN)
    target = add_member(db, org, role=Role.MEMBER)
    state = as_user(MembersState, user_of(db, admin), path="/org/members")
    state.load()

    state.change_role(str(target.id), "viewer")
    state.set_active(str(target.id), False)

    assert _role(engine, target) == ("viewer", False)
    row = next(m for m in state.members if m.id == str(target.id))
    assert (row.role, row.active) == ("viewer", False)


def test_the_last_owner_cannot_demote_themselves_and_is_told_why(db, engine, as_user):
    owner = make_user(db)
    make_org(db, owner)
    state = as_user(MembersState, owner, path="/org/members")
    state.load()
    mine = state.members[0]

    state.change_role(mine.id, "admin")
    state.set_active(mine.id, False)

    assert "last owner" in state.errors["members"]
    assert state.members[0].role == "owner"
    assert _role(engine, db.get_one(Membership, parse_id(mine.id, "Member"))) == ("owner", True)


def test_invite_shows_the_link_once_and_lists_the_invitation(db, as_user):
    owner = make_user(db)
    make_org(db, owner)
    state = as_user(MembersState, owner, path="/org/members")
    state.load()

    shown = state.invite({"email": "Bob@Example.com", "role": "admin"})

    link = revealed(shown, INVITE_LINK_ID)
    assert link and "/invite/inv_" in link and state.link_shown
    assert instant(state.invite_expires_at, state.invite_expires) == instant(
        state.invitations[0].expires_at, state.invitations[0].expires)
    assert link.encode() not in state._serialize()  # never at rest in Reflex's state store
    assert [(i.email, i.role) for i in state.invitations] == [("bob@example.com", "admin")]
    assert revealed(state.dismiss_link(), INVITE_LINK_ID) == "" and not state.link_shown
    assert (state.invite_expires, state.invite_expires_at) == ("", "")


def test_invite_errors_land_next_to_the_field(db, as_user):
    owner = make_user(db, email="ada@example.com")
    make_org(db, owner)
    state = as_user(MembersState, owner, path="/org/members")
    state.load()

    state.invite({"email": "not an email", "role": "member"})
    assert state.errors == {"email": "Enter a valid email address."}

    state.invite({"email": "ada@example.com", "role": "member"})
    assert "already a member" in state.errors["email"]



def test_admins_see_and_revoke_members_api_tokens_and_members_cannot(db, engine, as_user):
    from projecthub.models import ApiToken
    from projecthub.services import api_tokens
    from tests.factories import principal

    org = make_org(db)
    admin = add_member(db, org, role=Role.ADMIN)
    member = add_member(db, org, role=Role.MEMBER)
    token = api_tokens.create_api_token(db, principal(db, user_of(db, member), org),
                                        name="CI", read_only=True).token
    as_member = as_user(MembersState, user_of(db, member), path="/org/members")
    as_member.load()
    assert as_member.member_tokens == []
    as_member.revoke_member_token(str(token.id))
    assert "admin role" in as_member.errors["member_tokens"]

    state = as_user(MembersState, user_of(db, admin), path="/org/members")
    state.load()
    assert [(t.name, t.owner, t.read_only) for t in state.member_tokens] == [
        ("CI", user_of(db, member).email, True)]
    [row] = state.member_tokens
    assert near(instant(row.expires_at, row.expires), token.expires_at)
    assert row.last_used_at == ""
    state.revoke_member_token(state.member_tokens[0].id)
    assert state.member_tokens == []
    with Session(engine) as check:
        assert check.get_one(ApiToken, token.id).revoked_at is not None


def test_resend_shows_a_fresh_link_and_says_it_was_mailed(db, as_user):
    owner = make_user(db)
    make_org(db, owner)
    state = as_user(MembersState, owner, path="/org/members")
    state.load()
    first = revealed(state.invite({"email": "bob@example.com", "role": "member"}),
                     INVITE_LINK_ID)
    again = revealed(state.resend_invitation(state.invitations[0].id), INVITE_LINK_ID)
    assert again and again != first and "/invite/inv_" in again
    assert state.invite_sent_note == "Sent by email to bob@example.com."
    assert again.encode() not in state._serialize()
