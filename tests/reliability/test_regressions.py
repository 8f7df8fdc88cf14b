"""Bugs the reliability suite found, each pinned by the smallest request that showed it."""

from __future__ import annotations

import logging
import uuid

import httpx
import jsonschema
import pytest

from projecthub.api.main import create_api
from projecthub.connectors.base import ConnectorClient, VendorError
from projecthub.connectors.clock import FakeClock
from projecthub.connectors.errors import ServerError
from projecthub.core.web import API_PREFIX
from tests.api.tokens import bearer
from tests.factories import make_org, make_user

api_app = create_api()


def _owner(db):
    owner = make_user(db)
    return bearer(db, owner, make_org(db, owner, slug="acme"))


def _documented_body(method: str, path: str, status: int) -> dict:
    spec = api_app.openapi()
    content = spec["paths"][API_PREFIX + path][method]["responses"][str(status)]["content"]
    schema = content["application/json"]["schema"]
    return {**schema, "components": spec["components"]}


def test_error_answers_are_documented_and_match_their_schema(client, db):
    """Schemathesis: 401/403/404/409 were undocumented, and a rule-breaking 422 body
    (``detail`` text plus ``fields``) did not match FastAPI's documented validation error."""
    headers = _owner(db)
    refused = client.post(f"{API_PREFIX}/orgs/acme/invitations", headers=headers,
                          json={"email": "not an address", "role": "member"})
    assert refused.status_code == 422 and refused.json()["fields"]
    jsonschema.validate(refused.json(), _documented_body("post", "/orgs/{org_slug}/invitations",
                                                         422))
    missing = client.get(f"{API_PREFIX}/orgs/acme", headers={})
    assert missing.status_code == 401
    jsonschema.validate(missing.json(), _documented_body("get", "/orgs/{org_slug}", 401))
    operation = api_app.openapi()["paths"][f"{API_PREFIX}/orgs/{{org_slug}}"]["patch"]
    assert {"400", "401", "403", "404", "409", "422", "429"} <= set(operation["responses"])


def test_method_not_allowed_lists_every_method_of_the_path(client, db):
    """Schemathesis: ``OPTIONS /me`` answered 405 with ``Allow: GET`` though PATCH exists too
    (FastAPI has a route per method; Starlette named only the first route's)."""
    response = client.request("OPTIONS", f"{API_PREFIX}/me", headers=_owner(db))
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, PATCH"
    member = client.put(f"{API_PREFIX}/orgs/acme/members/00000000-0000-0000-0000-000000000000")
    assert member.headers["allow"] == "DELETE, PATCH"


def test_member_update_with_nothing_to_change_for_an_unknown_member_is_not_found(client, db):
    """Schemathesis: ``PATCH .../members/<unknown id>`` with ``{}`` made no service call that
    looks the member up, then ``next()`` found nothing: StopIteration inside a coroutine, 500."""
    response = client.patch(f"{API_PREFIX}/orgs/acme/members/{uuid.uuid4()}", headers=_owner(db),
                            json={"role": None, "is_active": None})
    assert response.status_code == 404
    assert response.json() == {"detail": "Member not found."}


@pytest.mark.parametrize(("source", "line", "problem"), [
    ("\x1f", "line 1", "contains a character YAML does not allow"),
    ("name: X\n\x07", "line 2", "contains a character YAML does not allow"),
    ("[" * 5000, "line 1", "is nested too deeply"),
])
def test_template_source_yaml_cannot_read_is_a_field_error(client, db, source, line, problem):
    """Schemathesis: a control character made PyYAML's reader raise ``ReaderError``, which is not
    a ``MarkedYAMLError``; deep nesting raised ``RecursionError``. Both were 500s."""
    response = client.post(f"{API_PREFIX}/orgs/acme/templates", headers=_owner(db),
                           json={"source": source})
    assert response.status_code == 422
    assert response.json()["fields"] == {line: problem}


@pytest.mark.parametrize(("error", "words"), [
    (httpx.RemoteProtocolError("peer closed"),
     "the connection closed before the reply was complete"),
    (httpx.ConnectError("refused"), "could not connect"),
])
async def test_a_dropped_connection_reads_as_words_not_a_class_name(error, words):
    """Fault injection: a reset before a create failed the step with
    ``jira: POST /rest/api/3/project: RemoteProtocolError``, httpx's class name, on screen."""
    def drop(_request: httpx.Request) -> httpx.Response:
        raise error

    client = ConnectorClient(tool="jira", base_url="https://acme.example",
                             error_parser=lambda _status, body: VendorError(str(body)),
                             transport=httpx.MockTransport(drop), clock=FakeClock())
    async with client:
        with pytest.raises(ServerError) as raised:
            await client.request("POST", "/rest/api/3/project", json_body={})
    assert str(raised.value) == f"jira: POST /rest/api/3/project: {words}"


def test_a_malformed_request_is_refused_without_echoing_what_was_sent(client, db):
    """Secret canaries: FastAPI's 422 echoed each bad field's ``input``, so a tool token sent
    in a misspelt field (or as a number) came back in the error body."""
    canary = "canary-misplaced-secret-5Qm2"
    response = client.post(f"{API_PREFIX}/orgs/acme/connections", headers=_owner(db), json={
        "tool": "jira", "name": "Jira", "base_url": "https://acme.atlassian.net",
        "settings": {"email": "a@example.com"}, "secrets": {"api_token": [canary]},
        "api_tokne": canary})
    assert response.status_code == 422
    assert canary not in response.text
    assert {tuple(issue["loc"]) for issue in response.json()["detail"]} == {
        ("body", "secrets", "api_token"), ("body", "api_tokne")}
    assert all("input" not in issue and issue["msg"] for issue in response.json()["detail"])


def test_sql_logs_never_show_bound_values(client, db, caplog):
    """Secret canaries: with SQL echo on (``sqlalchemy.engine`` at INFO), a password typed into
    the login form's email box was logged as the query's bound value."""
    canary = "Canary-typed-in-the-wrong-box-8Rw"
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    response = client.post(f"{API_PREFIX}/auth/login", json={"email": canary,
                                                             "password": canary})
    assert response.status_code == 401
    sql = [r for r in caplog.records if r.name.startswith("sqlalchemy.engine")]
    assert sql, "SQL echo was not captured"
    assert not [r.getMessage() for r in sql if canary.lower() in r.getMessage().lower()]
