"""The dashboard's "Drifted" filter reads ``projects.drift_count`` (kept by the sync): only
drifted projects, with a count the rows carry for their badge."""

from __future__ import annotations

from projecthub.models import Lifecycle, Project
from projecthub.services.status.dashboard import DashboardQuery, list_projects
from tests.factories import make_org, make_user, principal


def test_drifted_filter_lists_only_projects_with_drift(db):
    owner = make_user(db)
    org = make_org(db, owner)
    for key, count in (("CALM", 0), ("MOVED", 2), ("GONE", 1)):
        db.add(Project(organization_id=org.id, name=f"Project {key}", key=key,
                       lifecycle=Lifecycle.ACTIVE, owner_id=owner.id, drift_count=count))
    db.commit()
    as_owner = principal(db, owner, org)
    everything = list_projects(db, as_owner, DashboardQuery())
    drifted = list_projects(db, as_owner, DashboardQuery(drifted=True))
    assert everything.total == 3
    assert drifted.total == 2
    assert {(r.key, r.drift_count) for r in drifted.rows} == {("MOVED", 2), ("GONE", 1)}
