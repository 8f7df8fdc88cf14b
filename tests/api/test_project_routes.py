"""Templates, projects and runs over the API."""

from __future__ import annotations

from tests.api.tokens import bearer
from tests.factories import make_org, make_user

SKIP_ALL = {"jira_mode": "skip", "confluence_mode": "skip", "m365_mode": "skip",
            "productive_mode": "skip"}


def _setup(client, db):
    owner = make_user(db)
    org = make_org(db, owner, slug="acme")
    return owner, bearer(db, owner, org)


def test_builtin_template_is_listed_with_its_yaml(client, db):
    _, headers = _setup(client, db)
    templates = client.get("/api/v1/orgs/acme/templates", headers=headers).json()
    assert templates[0]["is_builtin"] and "steps:" in templates[0]["source"]


def test_template_edit_errors_carry_line_numbers(client, db):
    _, headers = _setup(client, db)
    builtin = client.get("/api/v1/orgs/acme/templates", headers=headers).json()[0]
    copy = client.post(f"/api/v1/orgs/acme/templates/{builtin['id']}/clone", headers=headers)
    assert copy.status_code == 201
    bad = client.put(f"/api/v1/orgs/acme/templates/{copy.json()['id']}", headers=headers,
                     json={"source": "name: X\nsteps:\n  - id: s\n    title: S\n    fields:\n"
                                     "      - {id: a, label: A, type: wat}\n"})
    assert bad.status_code == 422 and "line 6" in bad.json()["fields"]


def test_dry_run_plans_without_creating(client, db):
    owner, headers = _setup(client, db)
    answers = {"name": "Intranet", "key": "INTRA", "project_type": "internal",
               "client_company": "Acme",
               "project_manager": str(owner.id), **SKIP_ALL}
    plan = client.post("/api/v1/orgs/acme/projects", headers=headers,
                       json={"answers": answers, "dry_run": True})
    assert plan.status_code == 200 and plan.json()["ok"] is True
    assert [c["decision"] for c in plan.json()["checks"]] == ["skip"] * 4
    created = client.post("/api/v1/orgs/acme/projects", headers=headers,
                          json={"answers": answers})
    assert created.status_code == 201
    body = created.json()
    assert body["project"]["key"] == "INTRA" and body["run"]["status"] == "pending"
    project_id, run_id = body["project"]["id"], body["run"]["id"]
    detail = client.get(f"/api/v1/orgs/acme/projects/{project_id}", headers=headers).json()
    assert detail["project"]["lifecycle"] == "provisioning" and detail["health"] == "unknown"
    runs = client.get(f"/api/v1/orgs/acme/projects/{project_id}/runs", headers=headers).json()
    assert [r["id"] for r in runs] == [run_id]
    cancelled = client.post(f"/api/v1/orgs/acme/runs/{run_id}/cancel", headers=headers)
    assert cancelled.json()["status"] == "cancelled"
    again = client.post(f"/api/v1/orgs/acme/runs/{run_id}/cancel", headers=headers)
    assert again.status_code == 409
    duplicate = client.post("/api/v1/orgs/acme/projects", headers=headers,
                            json={"answers": answers})
    assert duplicate.status_code == 409


def test_invalid_answers_are_422_by_field(client, db):
    _, headers = _setup(client, db)
    response = client.post("/api/v1/orgs/acme/projects", headers=headers,
                           json={"answers": {"name": "", "key": "bad", **SKIP_ALL}})
    assert response.status_code == 422
    assert {"name", "key", "project_manager"} <= set(response.json()["fields"])


def test_project_list_filters_and_lifecycle(client, db):
    owner, headers = _setup(client, db)
    base = {"project_type": "internal", "client_company": "Acme",
            "project_manager": str(owner.id), **SKIP_ALL}
    for name, key in (("Intranet", "INTRA"), ("Website", "WEB")):
        created = client.post("/api/v1/orgs/acme/projects", headers=headers,
                              json={"answers": {"name": name, "key": key, **base}})
        assert created.status_code == 201
    response = client.get("/api/v1/orgs/acme/projects?q=web", headers=headers)
    assert response.status_code == 200, response.text
    listed = response.json()
    assert [p["key"] for p in listed["items"]] == ["WEB"] and listed["total"] == 1
    assert listed["by_lifecycle"] == {"provisioning": 2}
    bad = client.get("/api/v1/orgs/acme/projects?health=purple", headers=headers)
    assert bad.status_code == 422 and "health" in bad.json()["fields"]
    project_id = listed["items"][0]["id"]
    early = client.post(f"/api/v1/orgs/acme/projects/{project_id}/lifecycle", headers=headers,
                        json={"lifecycle": "archived"})
    assert early.status_code == 409  # still being set up
    history = client.get(f"/api/v1/orgs/acme/projects/{project_id}/history", headers=headers)
    assert history.status_code == 200 and history.json() == []
