"""The status sync's plan: every live project once per cycle of its organization's interval,
spread over that interval in small batches, never twice in one cycle."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

from projecthub.models import Lifecycle, Organization, Project, ProjectStatus
from projecthub.services.status.schedule import (
    BATCH_SIZE,
    SLACK,
    WINDOW,
    needs_sync,
    next_slot,
    plan_sync,
)
from tests.factories import make_org, make_user

START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def _projects(db, org, n: int, *, synced_at: datetime | None,
              prefix: str = "P") -> list[uuid.UUID]:
    ids = []
    for i in range(n):
        project = Project(organization_id=org.id, key=f"{prefix}{i:03d}", name=f"{prefix} {i}",
                          lifecycle=Lifecycle.ACTIVE)
        db.add(project)
        db.flush()
        db.add(ProjectStatus(project_id=project.id, organization_id=org.id, synced_at=synced_at))
        ids.append(project.id)
    db.commit()
    return ids


def _set_interval(db, org: Organization, minutes: int) -> None:
    org.settings = {"status": {"sync_minutes": minutes}}
    db.add(org)
    db.commit()


def test_each_project_is_planned_once_per_cycle_spread_over_the_interval(db):
    org = make_org(db, make_user(db))
    _set_interval(db, org, 30)
    ids = _projects(db, org, 120, synced_at=START - timedelta(minutes=10))
    planned: Counter[uuid.UUID] = Counter()
    per_window = []
    for minute in range(30):  # one planner tick per minute over one whole cycle
        window = START + minute * WINDOW
        batches = plan_sync(db, window)
        per_window.append(sum(len(b.project_ids) for b in batches))
        for batch in batches:
            assert len(batch.project_ids) <= BATCH_SIZE
            assert window <= batch.run_at < window + WINDOW
            planned.update(batch.project_ids)
    assert set(planned) == set(ids) and set(planned.values()) == {1}
    assert max(per_window) <= 20  # 120 projects over 30 minutes: about 4 a minute, no burst


def test_batch_keys_are_stable_so_a_replanned_window_is_refused_by_the_queueing_lock(db):
    org = make_org(db, make_user(db))
    _projects(db, org, 60, synced_at=START - timedelta(minutes=10))
    _set_interval(db, org, 1)  # all 60 in one window: several batches
    first, again = plan_sync(db, START), plan_sync(db, START)
    assert len(first) >= 3
    assert [b.key for b in first] == [b.key for b in again]
    assert len({b.key for b in first}) == len(first)


def test_never_synced_and_long_overdue_projects_are_caught_up_at_once(db):
    org = make_org(db, make_user(db))
    fresh = _projects(db, org, 3, synced_at=None)
    stuck = _projects(db, org, 2, synced_at=START - timedelta(hours=5), prefix="S")
    _projects(db, org, 2, synced_at=START - timedelta(minutes=40), prefix="L")  # one late
    batches = plan_sync(db, START)
    overdue = [b for b in batches if ":overdue:" in b.key]
    assert [set(b.project_ids) for b in overdue] == [set(fresh) | set(stuck)]
    assert overdue[0].run_at == START


def test_a_project_synced_within_its_interval_is_skipped(db):
    org = make_org(db, make_user(db))
    (project_id,) = _projects(db, org, 1, synced_at=START - timedelta(minutes=20))
    assert not needs_sync(db, project_id, START)
    assert not needs_sync(db, project_id, START + timedelta(minutes=7))
    # A batch a little early at its slot (it runs at its first project's) still syncs.
    assert needs_sync(db, project_id, START + timedelta(minutes=10) - SLACK)
    project = db.get(Project, project_id)
    project.lifecycle = Lifecycle.ARCHIVED
    db.add(project)
    db.commit()
    assert not needs_sync(db, project_id, START + timedelta(minutes=10))


def test_a_slot_is_within_one_interval_and_fixed_per_project():
    project_id = uuid.uuid4()
    interval = timedelta(minutes=30)
    slot = next_slot(project_id, interval, START)
    assert START <= slot < START + interval
    assert next_slot(project_id, interval, slot) == slot
    assert next_slot(project_id, interval, slot + timedelta(seconds=1)) == slot + interval
