"""Sign-up policy: open, invite-only or listed domains; the refusal is the same for a new and a
taken address (no enumeration), invitations always work, the environment gives the default."""

from __future__ import annotations

import pytest
from sqlmodel import select

from projecthub.core.config import settings
from projecthub.core.errors import Invalid, PermissionDenied
from projecthub.models import AuditEvent, OutboxMessage, User
from projecthub.services import invitations, signup_policy
from projecthub.services.principal import actor_for
from projecthub.services.signup import sign_up
from projecthub.services.signup_policy import SignupPolicy, current_policy, set_policy
from tests.factories import make_org, make_user, principal

PASSWORD = "a long enough passphrase"


def _attempt(db, email: str, **kwargs) -> str:
    try:
        sign_up(db, email=email, password=PASSWORD, org_name="Acme", **kwargs)
    except PermissionDenied as exc:
        return exc.message
    return "accepted"


def test_environment_gives_the_default(db, monkeypatch):
    monkeypatch.setattr(settings, "SIGNUP", "domains")
    monkeypatch.setattr(settings, "SIGNUP_DOMAINS", ["Acme.example", "@beta.example"])
    view = current_policy(db)
    assert (view.policy, view.domains, view.from_environment) == (
        SignupPolicy.DOMAINS, ("acme.example", "beta.example"), True)


def test_open_policy_lets_anyone_sign_up(db):
    assert _attempt(db, "anyone@example.com") == "accepted"


def test_invite_only_refuses_new_and_taken_addresses_alike(db):
    admin = make_user(db, admin=True)
    make_user(db, email="taken@example.com")
    set_policy(db, actor_for(admin), policy="invite-only", domains="")
    before = len(db.exec(select(User)).all())
    mails_before = len(db.exec(select(OutboxMessage)).all())
    new, taken = _attempt(db, "new@example.com"), _attempt(db, "taken@example.com")
    assert new == taken and "invitation only" in new
    assert len(db.exec(select(User)).all()) == before
    assert len(db.exec(select(OutboxMessage)).all()) == mails_before  # the owner is not told


def test_invitation_links_keep_working_under_invite_only(db):
    admin, owner = make_user(db, admin=True), make_user(db)
    org = make_org(db, owner)
    invite = invitations.create_invitation(db, principal(db, owner, org), email="guest@example.com",
                                           role="member")
    set_policy(db, actor_for(admin), policy="invite-only", domains="")
    user = sign_up(db, email="guest@example.com", password=PASSWORD,
                   invitation_token=invite.link.rsplit("/", 1)[1])
    assert user is not None


def test_domains_policy_allows_listed_domains_only(db):
    admin = make_user(db, admin=True)
    set_policy(db, actor_for(admin), policy="domains", domains="acme.example\nbeta.example")
    assert _attempt(db, "jo@acme.example") == "accepted"
    refused = _attempt(db, "jo@elsewhere.example")
    assert "acme.example, beta.example" in refused
    assert _attempt(db, "jo@sub.acme.example") == refused  # a subdomain is another domain


def test_stored_policy_overrides_the_environment_and_is_audited(db, monkeypatch):
    monkeypatch.setattr(settings, "SIGNUP", "invite-only")
    admin = make_user(db, admin=True)
    set_policy(db, actor_for(admin), policy="open", domains="ignored.example")
    view = current_policy(db)
    assert (view.policy, view.domains, view.from_environment) == (SignupPolicy.OPEN, (), False)
    event = db.exec(select(AuditEvent).where(
        AuditEvent.action == "instance.signup_policy_changed")).one()
    assert event.actor_id == admin.id and event.detail["to"] == "open"


def test_only_instance_admins_change_the_policy(db):
    with pytest.raises(PermissionDenied):
        set_policy(db, actor_for(make_user(db)), policy="invite-only", domains="")
    assert current_policy(db).from_environment


@pytest.mark.parametrize(("policy", "domains", "field"), [
    ("closed", "", "policy"), ("domains", "", "domains"), ("domains", "not a domain", "domains"),
    ("domains", "a@b.example", "domains")])
def test_bad_policy_input_is_invalid(db, policy, domains, field):
    admin = make_user(db, admin=True)
    with pytest.raises(Invalid) as caught:
        set_policy(db, actor_for(admin), policy=policy, domains=domains)
    assert field in caught.value.fields
    assert signup_policy.current_policy(db).from_environment
