"""The bell and the notification choices as the UI's states see them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from projecthub.models import (
    DeliveryMode,
    HealthLevel,
    Notification,
    NotificationDefault,
    NotificationPreference,
    Project,
    Reason,
    Role,
)
from projecthub.services.notifications import events
from projecthub.ui.state.notifications import (
    BellState,
    NotificationPrefsState,
    OrgNotificationsState,
)
from tests.factories import add_member, make_org, make_user, user_of
from tests.ui.tabs import browser_state, login, redirect_path
from tests.ui.times import instant, near

RED = [Reason(level=HealthLevel.RED, rule="overdue", text="6 Jira issues are overdue")]


def test_the_bell_counts_and_opening_an_item_marks_it_read_and_goes_to_its_page(db):
    owner = make_user(db)
    org = make_org(db, owner)
    project = Project(organization_id=org.id, key="WEB", name="Website", owner_id=owner.id)
    db.add(project)
    db.flush()
    events.health_changed(db, project, HealthLevel.GREEN, HealthLevel.RED, RED,
                          datetime(2026, 3, 2, tzinfo=UTC))
    db.commit()
    bell = browser_state(BellState, login(db, owner))
    bell.load_bell()
    assert bell.unread == 1 and bell.bell_label == "1 unread notifications"
    [item] = bell.items
    assert item.title == "Website (WEB) is now red" and item.unread
    stored = db.exec(select(Notification)).one()
    assert near(instant(item.at_iso, item.at), stored.updated_at)
    assert redirect_path(bell.open_item(item.id)) == f"/projects/{project.id}"
    assert bell.unread == 0 and bell.bell_label == "Notifications"


def test_signed_out_the_bell_is_quietly_empty(db):
    bell = browser_state(BellState, None)
    bell.load_bell()
    assert (bell.unread, bell.items) == (0, [])


def test_a_person_chooses_and_an_admin_sets_defaults(db):
    owner = make_user(db)
    org = make_org(db, owner)
    member = user_of(db, add_member(db, org, role=Role.MEMBER))
    prefs = browser_state(NotificationPrefsState, login(db, member), "/account")
    prefs.load()
    health = next(r for r in prefs.rows if r.event == "health_changed")
    assert (health.email, health.teams) == ("immediate", "immediate")
    prefs.choose("health_changed", "email", "digest")
    assert next(r for r in prefs.rows if r.event == "health_changed").email == "digest"
    rejected = next(r for r in prefs.rows if r.event == "run_rejected")
    assert (rejected.label, rejected.email) == ("A run I started is rejected", "immediate")
    [row] = db.exec(select(NotificationPreference)).all()
    assert (row.user_id, row.mode) == (member.id, DeliveryMode.DIGEST)
    prefs.choose("health_changed", "email", "sometimes")
    assert "Unknown" in prefs.errors["notifications"]

    refused = browser_state(OrgNotificationsState, login(db, member), "/org/settings")
    refused.choose("run_failed", "teams", "off")
    assert "admin" in " ".join(refused.errors.values())
    assert db.exec(select(NotificationDefault)).all() == []
    admin = browser_state(OrgNotificationsState, login(db, owner), "/org/settings")
    admin.load()
    admin.choose("run_failed", "teams", "off")
    assert next(r for r in admin.rows if r.event == "run_failed").teams == "off"
    admin.save_alert({"team_id": "team-1", "channel_id": "19:abc@thread.tacv2",
                      "coalesce_minutes": "15"})
    assert admin.alert == {"team_id": "team-1", "channel_id": "19:abc@thread.tacv2",
                           "coalesce_minutes": "15"}
    admin.save_alert({"team_id": "", "channel_id": "", "coalesce_minutes": "soon"})
    assert "whole number" in admin.errors["coalesce_minutes"]
