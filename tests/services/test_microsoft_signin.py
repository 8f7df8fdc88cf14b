"""Sign-ins in progress and what a validated Entra identity becomes (the service, without HTTP)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from projecthub.connectors.entra_signin import EntraIdentity
from projecthub.core.clock import utcnow
from projecthub.models import MicrosoftIdentity, MicrosoftSignIn, User
from projecthub.services import microsoft_signin, signup_policy
from projecthub.services.microsoft_signin import MicrosoftSignInRefused, PasswordNeeded, SignedIn
from projecthub.services.principal import actor_for
from tests.factories import make_user

TENANT = "3f1d0a3e-4b0c-4d4e-9a57-2f0c1b7f6a10"
BACK = "http://localhost:3000/dashboard"


def identity(email: str | None = "ada@acme.example", oid: str | None = None) -> EntraIdentity:
    return EntraIdentity(tenant_id=TENANT, object_id=oid or str(uuid.uuid4()),
                         username=email or "ada", name="Ada Lovelace", email=email)


def test_a_flow_is_claimed_once(db):
    handle = microsoft_signin.begin(db, flow={"state": "s", "nonce": "n"}, return_to=BACK)
    db.commit()
    assert microsoft_signin.claim(db, handle) == ({"state": "s", "nonce": "n"}, BACK)
    db.commit()
    for attempt in (handle, None, "phm_forged"):
        with pytest.raises(MicrosoftSignInRefused) as refused:
            microsoft_signin.claim(db, attempt)
        assert refused.value.reason == "expired_flow"


def test_an_expired_flow_is_refused_and_cleared_by_the_next_one(db):
    handle = microsoft_signin.begin(db, flow={"state": "s"}, return_to=BACK)
    row = db.exec(select(MicrosoftSignIn)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    with pytest.raises(MicrosoftSignInRefused):
        microsoft_signin.claim(db, handle)
    microsoft_signin.begin(db, flow={"state": "t"}, return_to=BACK)
    db.commit()
    assert [r.flow for r in db.exec(select(MicrosoftSignIn))] == [{"state": "t"}]


def test_a_new_person_gets_a_verified_account_and_a_session(db):
    result = microsoft_signin.complete(db, identity(), return_to=BACK)
    assert isinstance(result, SignedIn) and result.return_to == BACK
    user = db.exec(select(User)).one()
    assert user.email_verified_at is not None and user.display_name == "Ada Lovelace"


def test_the_domains_policy_admits_only_its_domains(db):
    admin = make_user(db, admin=True)
    signup_policy.set_policy(db, actor_for(admin), policy="domains", domains=["acme.example"])
    assert isinstance(microsoft_signin.complete(db, identity(), return_to=BACK), SignedIn)
    with pytest.raises(MicrosoftSignInRefused) as refused:
        microsoft_signin.complete(db, identity("eve@elsewhere.example"), return_to=BACK)
    assert refused.value.reason == "signup_closed"


def test_an_existing_address_waits_for_its_password(db):
    make_user(db, email="ada@acme.example")
    assert isinstance(microsoft_signin.complete(db, identity(), return_to=BACK), PasswordNeeded)
    assert db.exec(select(MicrosoftIdentity)).all() == []


@pytest.mark.parametrize(("prepare", "reason"), [
    ("deactivated", "inactive"), ("linked", "linked_elsewhere")])
def test_an_account_that_cannot_take_this_link_is_refused(db, prepare, reason):
    user = make_user(db, email="ada@acme.example")
    if prepare == "deactivated":
        user.is_active = False
        db.add(user)
    else:
        db.add(MicrosoftIdentity(user_id=user.id, tenant_id=TENANT,
                                 object_id=str(uuid.uuid4()), username="other"))
    db.commit()
    with pytest.raises(MicrosoftSignInRefused) as refused:
        microsoft_signin.complete(db, identity(), return_to=BACK)
    assert refused.value.reason == reason


def test_a_deactivated_linked_account_cannot_sign_in(db):
    oid = str(uuid.uuid4())
    microsoft_signin.complete(db, identity(oid=oid), return_to=BACK)
    user = db.exec(select(User)).one()
    user.is_active = False
    db.add(user)
    db.commit()
    with pytest.raises(MicrosoftSignInRefused) as refused:
        microsoft_signin.complete(db, identity(oid=oid), return_to=BACK)
    assert refused.value.reason == "inactive"


def test_without_an_address_nothing_is_created(db):
    with pytest.raises(MicrosoftSignInRefused) as refused:
        microsoft_signin.complete(db, identity(email=None), return_to=BACK)
    assert refused.value.reason == "no_email"
    assert db.exec(select(User)).all() == []
