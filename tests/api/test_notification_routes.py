"""The bell and notification choices over the API."""

from __future__ import annotations

from datetime import UTC, datetime

from projecthub.models import HealthLevel, Project, Reason, Role
from projecthub.services.notifications import events
from tests.api.tokens import bearer
from tests.factories import add_member, make_org, make_user, user_of

RED = [Reason(level=HealthLevel.RED, rule="overdue", text="6 Jira issues are overdue")]


def _red_project(db, org, owner) -> Project:
    project = Project(organization_id=org.id, key="WEB", name="Website", owner_id=owner.id)
    db.add(project)
    db.flush()
    events.health_changed(db, project, HealthLevel.GREEN, HealthLevel.RED, RED,
                          datetime(2026, 3, 2, tzinfo=UTC))
    db.commit()
    return project


def test_list_count_and_mark_read(client, db):
    owner = make_user(db)
    org = make_org(db, owner, slug="acme")
    project = _red_project(db, org, owner)
    headers = bearer(db, owner, org)
    base = "/api/v1/orgs/acme/notifications"
    assert client.get(f"{base}/unread-count", headers=headers).json() == {"unread": 1}
    [item] = client.get(base, headers=headers).json()
    assert item["title"] == "Website (WEB) is now red" and item["read"] is False
    assert item["link"] == f"/projects/{project.id}" and "overdue" in item["body"]
    assert client.post(f"{base}/{item['id']}/read", headers=headers).status_code == 204
    assert client.get(f"{base}?unread=true", headers=headers).json() == []
    assert client.post(f"{base}/read-all", headers=headers).json() == {"marked": 0}


def test_someone_elses_notification_is_not_found(client, db):
    owner = make_user(db)
    org = make_org(db, owner, slug="acme")
    _red_project(db, org, owner)
    colleague = user_of(db, add_member(db, org))
    [item] = client.get("/api/v1/orgs/acme/notifications", headers=bearer(db, owner, org)).json()
    response = client.post(f"/api/v1/orgs/acme/notifications/{item['id']}/read",
                           headers=bearer(db, colleague, org))
    assert response.status_code == 404 and response.json()["detail"] == "Notification not found."


def test_people_choose_and_admins_set_defaults(client, db):
    owner = make_user(db)
    org = make_org(db, owner, slug="acme")
    member = user_of(db, add_member(db, org, role=Role.MEMBER))
    mine, theirs = bearer(db, owner, org), bearer(db, member, org)
    grid = client.get("/api/v1/orgs/acme/notification-preferences", headers=theirs).json()
    assert {"event": "health_changed", "channel": "email", "mode": "immediate"} in grid
    assert len(grid) == 16  # 8 events x 2 channels
    assert {"event": "run_rejected", "channel": "email", "mode": "immediate"} in grid
    off = {"choices": [{"event": "health_changed", "channel": "email", "mode": "off"}]}
    digest = {"choices": [{"event": "run_failed", "channel": "email", "mode": "digest"}]}
    assert client.put("/api/v1/orgs/acme/notification-defaults", headers=theirs,
                      json=digest).status_code == 403
    assert client.put("/api/v1/orgs/acme/notification-defaults", headers=mine,
                      json=digest).status_code == 200
    updated = client.put("/api/v1/orgs/acme/notification-preferences", headers=theirs,
                         json=off).json()
    assert {"event": "health_changed", "channel": "email", "mode": "off"} in updated
    assert {"event": "run_failed", "channel": "email", "mode": "digest"} in updated
    bad = {"choices": [{"event": "nope", "channel": "email", "mode": "off"}]}
    assert client.put("/api/v1/orgs/acme/notification-preferences", headers=theirs,
                      json=bad).status_code == 422
