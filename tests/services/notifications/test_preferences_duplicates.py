"""A choices list naming the same event and channel twice keeps the last (it used to insert two
rows and fail on the unique key: found by the API schema suite)."""

from __future__ import annotations

from sqlmodel import select

from projecthub.models import (
    DeliveryMode,
    NotificationChannel,
    NotificationDefault,
    NotificationEvent,
    NotificationPreference,
)
from projecthub.services.notifications import preferences
from projecthub.services.notifications.preferences import Choice
from tests.factories import make_org, make_user, principal


def _twice() -> list[Choice]:
    return [Choice(NotificationEvent.RUN_FAILED, NotificationChannel.EMAIL, DeliveryMode.OFF),
            Choice(NotificationEvent.RUN_FAILED, NotificationChannel.EMAIL, DeliveryMode.DIGEST)]


def test_a_person_naming_a_choice_twice_keeps_the_last(db):
    owner = make_user(db, email="twice@example.com", name="Twice")
    p = principal(db, owner, make_org(db, owner, name="Twice", slug="twice"))
    preferences.set_user_choices(db, p.actor, _twice())
    db.commit()
    rows = db.exec(select(NotificationPreference).where(
        NotificationPreference.user_id == owner.id)).all()
    assert [(r.event, r.mode) for r in rows] == [("run_failed", "digest")]


def test_an_admin_naming_a_default_twice_keeps_the_last(db):
    owner = make_user(db, email="twice2@example.com", name="Twice Two")
    p = principal(db, owner, make_org(db, owner, name="Twice Two", slug="twice-two"))
    preferences.set_org_defaults(db, p, _twice())
    db.commit()
    rows = db.exec(select(NotificationDefault).where(
        NotificationDefault.organization_id == p.org_id)).all()
    assert [(r.event, r.mode) for r in rows] == [("run_failed", "digest")]
