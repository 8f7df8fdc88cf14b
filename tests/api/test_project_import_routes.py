"""Import over the API: the candidates with suggested matches, then a selection imported."""

from __future__ import annotations

import pytest
from sqlmodel import select

from projecthub.api.routes import project_import as route
from projecthub.models import Project, Role
from tests.api.tokens import bearer
from tests.factories import add_member, make_org, make_user, user_of
from tests.services.project_import.seed import key_of, seed_existing
from tests.services.provisioning.world import TENANT, World, build_world


@pytest.fixture
def world(db, monkeypatch) -> World:
    world = build_world(db)
    monkeypatch.setattr(route, "tool_clients", world.config().tools_factory)
    seed_existing(world.sandbox, TENANT, 4, lead_email="pm@example.com")
    return world


def url(world: World, tail: str = "") -> str:
    return f"/api/v1/orgs/{world.org.slug}/project-import{tail}"


def test_candidates_then_import_then_linked(client, db, world):
    headers = bearer(db, world.owner, world.org)
    listed = client.get(url(world, "/candidates"), headers=headers)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert [p["key"] for p in body["proposals"]] == [key_of(i) for i in range(4)]
    assert [r["tool"] for r in body["proposals"][0]["resources"]] == [
        "jira", "confluence", "productive", "graph"]
    assert body["problems"] == [] and body["linked"] == []
    chosen = body["proposals"][:3]
    chosen[2] = {**chosen[2], "key": "lower"}
    done = client.post(url(world), headers=headers, json={"proposals": chosen})
    assert done.status_code == 200, done.text
    report = done.json()
    assert (report["requested"], report["created"]) == (3, 2)
    assert report["failures"][0]["key"] == "lower"
    assert "capital letters" in report["failures"][0]["reason"]
    db.expire_all()
    assert sorted(db.exec(select(Project.key)).all()) == [key_of(0), key_of(1)]
    again = client.get(url(world, "/candidates"), headers=headers).json()
    assert [p["key"] for p in again["proposals"]] == [key_of(2), key_of(3)]
    assert {c["linked_to"] for c in again["linked"]} == {key_of(0), key_of(1)}


def test_members_may_not_list_or_import(client, db, world):
    member = user_of(db, add_member(db, world.org, role=Role.MEMBER))
    headers = bearer(db, member, world.org)
    assert client.get(url(world, "/candidates"), headers=headers).status_code == 403
    assert client.post(url(world), headers=headers, json={"proposals": []}).status_code == 403


def test_another_organizations_connection_in_the_body_is_not_found(client, db, world):
    headers = bearer(db, world.owner, world.org)
    proposal = client.get(url(world, "/candidates"), headers=headers).json()["proposals"][0]
    stranger = make_user(db)
    theirs = make_org(db, stranger, slug="theirs")
    response = client.post(f"/api/v1/orgs/{theirs.slug}/project-import",
                           headers=bearer(db, stranger, theirs), json={"proposals": [proposal]})
    assert response.status_code == 404
    assert response.json()["detail"] == "Connection not found."
    assert db.exec(select(Project)).all() == []
