"""The project list's cached answers (``api/answer_cache.py``): a change is in the very next
answer, whoever wrote it, and no answer reaches anyone who would not get it from the database."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, delete

from projecthub.api.routes.projects import LIST_ANSWERS
from projecthub.models import (
    HealthLevel,
    Lifecycle,
    Organization,
    Project,
    ProjectMember,
    ProjectResource,
    ProjectStatus,
    Reason,
    Role,
    User,
)
from projecthub.services import api_tokens
from tests.api.tokens import bearer
from tests.factories import add_member, make_org, make_user, principal, user_of

LIST = "/api/v1/orgs/acme/projects"


def _project(db: Session, org: Organization, owner: User, name: str, key: str,
             *, members: tuple[User, ...] = ()) -> Project:
    project = Project(organization_id=org.id, name=name, key=key, lifecycle=Lifecycle.ACTIVE,
                      owner_id=owner.id)
    db.add(project)
    db.flush()
    for user in members:
        db.add(ProjectMember(organization_id=org.id, project_id=project.id, user_id=user.id))
    db.commit()
    return project


def _names(client, headers: dict[str, str], query: str = "") -> list[str]:
    response = client.get(LIST + query, headers=headers)
    assert response.status_code == 200, response.text
    return [row["name"] for row in response.json()["items"]]


@pytest.fixture
def acme(db):
    owner = make_user(db, name="Olivia")
    org = make_org(db, owner, slug="acme")
    return owner, org, bearer(db, owner, org)


def test_an_unchanged_list_answers_304_to_its_etag(client, db, acme):
    owner, org, headers = acme
    _project(db, org, owner, "Intranet", "INTRA")
    first = client.get(LIST, headers=headers)
    etag = first.headers["etag"]
    assert first.status_code == 200 and first.headers["cache-control"] == "private, no-cache"
    again = client.get(LIST, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    _project(db, org, owner, "Website", "WEB")
    changed = client.get(LIST, headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert [r["name"] for r in changed.json()["items"]] == ["Intranet", "Website"]


def test_the_etag_of_another_query_does_not_match(client, db, acme):
    owner, org, headers = acme
    _project(db, org, owner, "Intranet", "INTRA")
    etag = client.get(LIST, headers=headers).headers["etag"]
    other = client.get(LIST + "?q=web", headers={**headers, "If-None-Match": etag})
    assert other.status_code == 200 and other.json()["items"] == []


def test_every_change_the_list_shows_is_in_the_next_answer(client, db, acme):
    owner, org, headers = acme
    project = _project(db, org, owner, "Intranet", "INTRA")
    assert _names(client, headers) == ["Intranet"]

    status = ProjectStatus(project_id=project.id, organization_id=org.id,
                           health=HealthLevel.RED,
                           reasons=[Reason(level=HealthLevel.RED, rule="budget", text="Over")])
    db.add(status)
    db.commit()  # a sync's figures
    row = client.get(LIST, headers=headers).json()["items"][0]
    assert row["health"] == "red" and row["reasons"] == ["Over"]

    project.name = "Extranet"  # a rename
    db.add(project)
    db.commit()
    assert _names(client, headers) == ["Extranet"]

    project.lifecycle = Lifecycle.ARCHIVED  # archived projects leave the default view
    db.add(project)
    db.commit()
    assert _names(client, headers) == []
    project.lifecycle = Lifecycle.ACTIVE
    db.add(project)
    db.commit()

    db.add(ProjectResource(organization_id=org.id, project_id=project.id, tool="jira",
                           kind="project", external_id="1"))
    db.commit()  # tools come from the resources, through projects.tools
    assert client.get(LIST, headers=headers).json()["items"][0]["tools"] == ["jira"]

    owner.display_name = "Olivia Renamed"  # the owner column, from the users table
    db.add(owner)
    db.commit()
    assert client.get(LIST, headers=headers).json()["items"][0]["owner_name"] == "Olivia Renamed"

    db.delete(project)
    db.commit()
    assert _names(client, headers) == []


def test_a_member_sees_a_project_they_are_added_to_at_once(client, db, acme):
    owner, org, _ = acme
    member = user_of(db, add_member(db, org, role=Role.MEMBER))
    headers = bearer(db, member, org)
    project = _project(db, org, owner, "Intranet", "INTRA")
    assert _names(client, headers) == []
    db.add(ProjectMember(organization_id=org.id, project_id=project.id, user_id=member.id))
    db.commit()
    assert _names(client, headers) == ["Intranet"]
    db.exec(delete(ProjectMember).where(col(ProjectMember.user_id) == member.id))
    db.commit()
    assert _names(client, headers) == []


def test_members_never_get_each_others_cached_answer(client, db, acme):
    owner, org, _ = acme
    alice = user_of(db, add_member(db, org, role=Role.MEMBER))
    bob = user_of(db, add_member(db, org, role=Role.VIEWER))
    _project(db, org, owner, "Alpha", "ALPHA", members=(alice,))
    _project(db, org, owner, "Beta", "BETA", members=(bob,))
    # Same organization, same data version, same query: only the visibility differs.
    assert _names(client, bearer(db, alice, org)) == ["Alpha"]
    assert _names(client, bearer(db, bob, org)) == ["Beta"]
    assert _names(client, bearer(db, owner, org)) == ["Alpha", "Beta"]


def test_a_role_change_changes_what_the_next_answer_shows(client, db, acme):
    owner, org, _ = acme
    membership = add_member(db, org, role=Role.ADMIN)
    admin = user_of(db, membership)
    headers = bearer(db, admin, org)
    _project(db, org, owner, "Alpha", "ALPHA")
    assert _names(client, headers) == ["Alpha"]
    membership.role = Role.MEMBER  # the role is read with the token, on every request
    db.add(membership)
    db.commit()
    assert _names(client, headers) == []


def test_organizations_never_get_each_others_cached_answer(client, db, acme):
    owner, org, headers = acme
    _project(db, org, owner, "Acme only", "ACME")
    other_owner = make_user(db)
    other = make_org(db, other_owner, slug="other")
    _project(db, other, other_owner, "Other only", "OTHER")
    assert _names(client, headers) == ["Acme only"]
    other_list = client.get("/api/v1/orgs/other/projects", headers=bearer(db, other_owner, other))
    assert [r["name"] for r in other_list.json()["items"]] == ["Other only"]
    assert client.get("/api/v1/orgs/other/projects", headers=headers).status_code == 404


def test_a_revoked_token_or_a_removed_member_is_refused_despite_the_cache(client, db, acme):
    owner, org, _ = acme
    membership = add_member(db, org, role=Role.ADMIN)
    admin = user_of(db, membership)
    _project(db, org, owner, "Alpha", "ALPHA")
    created = api_tokens.create_api_token(db, principal(db, admin, org), name="t")
    db.commit()
    headers = {"Authorization": f"Bearer {created.secret}"}
    etag = client.get(LIST, headers=headers).headers["etag"]
    membership.is_active = False
    db.add(membership)
    db.commit()
    assert client.get(LIST, headers={**headers, "If-None-Match": etag}).status_code == 401
    membership.is_active = True
    db.add(membership)
    db.commit()
    assert client.get(LIST, headers=headers).status_code == 200
    api_tokens.revoke_member_token(db, principal(db, owner, org), created.token.id)
    db.commit()
    assert client.get(LIST, headers={**headers, "If-None-Match": etag}).status_code == 401


def test_a_cached_answer_is_served_without_reading_the_page_again(client, db, acme):
    owner, org, headers = acme
    _project(db, org, owner, "Alpha", "ALPHA")
    LIST_ANSWERS.clear()
    first = client.get(LIST + "?q=%20ALP%20", headers=headers)
    assert len(LIST_ANSWERS) == 1
    second = client.get(LIST + "?q=alp", headers=headers)  # the same query, normalized
    assert len(LIST_ANSWERS) == 1 and second.content == first.content


def test_a_dead_pooled_connection_is_replaced_without_an_error(client, db, engine, acme):
    """The token's statement runs on a pool without a pre-ping (``core.db.single_read``)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to drop connections")
    owner, org, headers = acme
    _project(db, org, owner, "Alpha", "ALPHA")
    assert _names(client, headers) == ["Alpha"]
    with engine.connect() as connection:
        connection.exec_driver_sql("RESET ROLE")  # the superuser may end any backend
        ended = connection.exec_driver_sql(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()").scalar()
    assert ended
    assert _names(client, headers) == ["Alpha"]
