"""The project list's usual request skips FastAPI's dependency solving (``api/direct_route.py``);
whatever it is sent, it answers exactly as FastAPI's own handling does."""

from __future__ import annotations

import fastapi.routing
import pytest

from projecthub.api.deps import get_db
from projecthub.api.routes import projects
from projecthub.api.schemas import ProjectListQuery
from tests.api.tokens import bearer
from tests.factories import make_org, make_user

# Token headers by name; filled per test from a real token.
REQUESTS = [
    ("acme", "", "token"), ("acme", "?page=2&page_size=1", "token"), ("acme", "?page=0", "token"),
    ("acme", "?page=abc", "token"), ("acme", "?q=%20INTRA%20", "token"),
    ("acme", "?descending=true&drifted=no", "token"), ("acme", "?drifted=maybe", "token"),
    ("acme", "?sort=bogus", "token"), ("acme", "?unknown=1&page=1&page=2", "token"),
    ("acme", "?q=" + "x" * 201, "token"), ("acme", "", "none"), ("acme", "?page=abc", "none"),
    ("acme", "", "basic"), ("acme", "", "empty bearer"), ("acme", "", "unknown"),
    ("other", "", "token"), ("x" * 51, "", "token"), ("x" * 51, "?page=abc", "none"),
]


@pytest.fixture
def headers(db) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    owner = make_user(db)
    org = make_org(db, owner, slug="acme")
    make_org(db, make_user(db), slug="other")
    return {"token": bearer(db, owner, org), "none": {},
            "basic": {"Authorization": "Basic b3duZXI6cGFzcw=="},
            "empty bearer": {"Authorization": "Bearer "},
            "unknown": {"Authorization": "Bearer pht_unknown"}}


def _answers(client, headers: dict[str, dict[str, str]]) -> list[tuple[int, bytes, object]]:
    """Each request's status, body and every header but the request's own id, in order."""
    answers = []
    for slug, query, who in REQUESTS:
        response = client.get(f"/api/v1/orgs/{slug}/projects{query}", headers=headers[who])
        answers.append((response.status_code, response.content,
                        [(k, v) for k, v in response.headers.multi_items() if k != "x-request-id"]))
        etag = response.headers.get("etag")
        if etag:  # and the same request naming its answer: 304, with its own headers
            again = client.get(f"/api/v1/orgs/{slug}/projects{query}",
                               headers={**headers[who], "If-None-Match": f'W/"x", {etag}'})
            answers.append((again.status_code, again.content,
                            [(k, v) for k, v in again.headers.multi_items()
                             if k != "x-request-id"]))
    return answers


def test_the_direct_list_answers_as_fastapi_does(client, api_app, headers):
    direct = _answers(client, headers)
    api_app.dependency_overrides[get_db] = get_db  # any override takes FastAPI's way
    assert _answers(client, headers) == direct
    assert {status for status, _, _ in direct} == {200, 304, 401, 404, 422}


def test_the_usual_list_request_solves_no_dependency(client, headers, monkeypatch):
    async def unsolvable(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("FastAPI solved the list's dependencies")

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", unsolvable)
    usual = client.get("/api/v1/orgs/acme/projects?page=1", headers=headers["token"])
    assert usual.status_code == 200
    # A request it does not recognise goes to FastAPI (here failing, instead of its 422).
    unusual = client.get("/api/v1/orgs/acme/projects?page=abc", headers=headers["token"])
    assert unusual.status_code == 500


def test_a_query_string_is_validated_once_and_the_kept_ones_are_bounded(client, headers,
                                                                       monkeypatch):
    validated: list[object] = []
    validate = ProjectListQuery.model_validate

    def counted(value: object) -> ProjectListQuery:
        validated.append(value)
        return validate(value)

    monkeypatch.setattr(ProjectListQuery, "model_validate", counted)
    monkeypatch.setattr(projects, "_PARSED_QUERIES_MAX", 2)
    projects._PARSED_QUERIES.clear()
    for query in ("?page=1", "?page=1", "?page=abc", "?page=abc"):
        client.get(f"/api/v1/orgs/acme/projects{query}", headers=headers["token"])
    # The accepted string once; a refused one every time (FastAPI answers it), never kept.
    assert len(validated) == 3 and list(projects._PARSED_QUERIES) == [b"page=1"]
    for query in ("?page=2", "?page=3"):
        client.get(f"/api/v1/orgs/acme/projects{query}", headers=headers["token"])
    assert list(projects._PARSED_QUERIES) == [b"page=3"]  # emptied when full


def test_a_long_query_string_is_answered_but_not_kept(client, headers):
    """Unknown parameters are accepted and ignored, so a valid string can be long: it is
    served, but only strings up to the bound are kept (any client can send them)."""
    projects._PARSED_QUERIES.clear()
    long = "?page=1&" + "&".join(f"x{n}={'y' * 40}" for n in range(60))
    assert len(long) > projects._PARSED_QUERY_MAX_BYTES
    answered = client.get(f"/api/v1/orgs/acme/projects{long}", headers=headers["token"])
    assert answered.status_code == 200
    assert not projects._PARSED_QUERIES
    client.get("/api/v1/orgs/acme/projects?page=1", headers=headers["token"])
    assert list(projects._PARSED_QUERIES) == [b"page=1"]
