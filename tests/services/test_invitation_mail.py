"""Invitations by mail: who invited whom to what with which role; resend rotates the link."""

from __future__ import annotations

import pytest
from sqlmodel import select

from projecthub.core.config import settings
from projecthub.core.errors import NotFound
from projecthub.models import OutboxMessage, Role
from projecthub.services import invitations, mail_sender
from tests.factories import add_member, make_org, make_user, owner_principal, principal
from tests.mail_fixtures import link_in


async def test_invitee_receives_who_what_and_role_by_smtp(db, smtp):
    owner = make_user(db, email="grace@example.com", name="Grace Hopper")
    org = make_org(db, owner, name="Acme Agency")
    created = invitations.create_invitation(db, principal(db, owner, org),
                                            email="ada@example.com", role="admin")
    assert created.mailed
    db.commit()  # as the caller's unit of work does; the sender reads the outbox on its own
    await mail_sender.send_pending()
    [received] = smtp.to("ada@example.com")
    text = received.get_body(("plain",)).get_content()
    assert "Grace Hopper (grace@example.com) invited you (ada@example.com) to join Acme " \
           "Agency as an admin" in text
    assert created.link in text and "invited this address" in text
    assert received["Subject"].startswith("You are invited to join Acme Agency")


def test_names_are_escaped_in_the_html_part(db):
    owner = make_user(db, name="<script>x</script>")
    org = make_org(db, owner, name="Acme")
    invitations.create_invitation(db, principal(db, owner, org), email="a@example.com",
                                  role="member")
    html = db.exec(select(OutboxMessage)).one().body_html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_resend_mails_a_fresh_link_and_the_old_one_stops_working(db):
    org = make_org(db)
    admin = owner_principal(db, org)
    first = invitations.create_invitation(db, admin, email="ada@example.com", role="member")
    again = invitations.resend_invitation(db, admin, first.invitation.id)
    db.commit()
    assert again.link != first.link and again.mailed
    mailed_links = {link_in(m.body_text, "/invite/") for m in db.exec(select(OutboxMessage))}
    assert mailed_links == {first.link, again.link}
    with pytest.raises(NotFound):
        invitations.preview_invitation(db, first.link.rsplit("/", 1)[1])
    assert invitations.preview_invitation(db, again.link.rsplit("/", 1)[1]).email == \
        "ada@example.com"


def test_resend_of_another_organizations_invitation_is_not_found(db):
    org_a, org_b = make_org(db), make_org(db)
    foreign = invitations.create_invitation(db, owner_principal(db, org_b),
                                            email="x@example.com", role="member")
    with pytest.raises(NotFound):
        invitations.resend_invitation(db, owner_principal(db, org_a), foreign.invitation.id)


def test_without_mail_the_inviter_is_told_to_pass_the_link_on(db, monkeypatch):
    org = make_org(db)
    admin = make_user(db)
    add_member(db, org, admin, role=Role.ADMIN)
    monkeypatch.setattr(settings, "ENV", "production")
    created = invitations.create_invitation(db, principal(db, admin, org),
                                            email="ada@example.com", role="member")
    assert not created.mailed and created.link
