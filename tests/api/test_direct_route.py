"""The project list's usual request skips FastAPI's dependency solving (``api/direct_route.py``);
whatever it is sent, it answers exactly as FastAPI's own handling does."""

from __future__ import annotations

import fastapi.routing
import pytest

from projecthub.api.deps import get_db
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


def _answers(client, headers: dict[str, dict[str, str]]) -> list[tuple[int, bytes, str | None]]:
    answers = []
    for slug, query, who in REQUESTS:
        response = client.get(f"/api/v1/orgs/{slug}/projects{query}", headers=headers[who])
        answers.append((response.status_code, response.content, response.headers.get("etag")))
    return answers


def test_the_direct_list_answers_as_fastapi_does(client, api_app, headers):
    direct = _answers(client, headers)
    api_app.dependency_overrides[get_db] = get_db  # any override takes FastAPI's way
    assert _answers(client, headers) == direct
    assert {status for status, _, _ in direct} == {200, 401, 404, 422}


def test_the_usual_list_request_solves_no_dependency(client, headers, monkeypatch):
    async def unsolvable(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("FastAPI solved the list's dependencies")

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", unsolvable)
    usual = client.get("/api/v1/orgs/acme/projects?page=1", headers=headers["token"])
    assert usual.status_code == 200
    # A request it does not recognise goes to FastAPI (here failing, instead of its 422).
    unusual = client.get("/api/v1/orgs/acme/projects?page=abc", headers=headers["token"])
    assert unusual.status_code == 500
