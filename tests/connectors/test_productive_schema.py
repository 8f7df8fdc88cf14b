"""The Productive schema checker: real recorded traffic passes, and each kind of mistake fails."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from tests.connectors.productive_schema import check_errors, check_reply_headers, load_schema

CASSETTES = Path(__file__).resolve().parents[1] / "vendor_fixtures" / "productive" / "cassettes"


def recorded() -> list[tuple[str, dict[str, Any]]]:
    return [(f"{path.stem}#{n}", exchange) for path in sorted(CASSETTES.glob("*.json"))
            for n, exchange in enumerate(json.loads(path.read_text())["http_interactions"])]


@pytest.mark.parametrize(("name", "exchange"), recorded(), ids=[n for n, _ in recorded()])
def test_every_recorded_exchange_passes(name, exchange):
    schema = load_schema()
    request, response = exchange["request"], exchange["response"]
    url = urlsplit(request["uri"])
    kind, _, ident = url.path.removeprefix("/api/v2/").partition("/")
    status = response["status"]["code"]
    body_text = response["body"]["string"]
    headers = httpx.Headers({k: v[0] for k, v in response["headers"].items()})
    problems = schema.check_query(kind, parse_qsl(url.query))
    if request["body"]["string"] and status < 400:  # the 422 cassette sends a blank task on purpose
        problems += schema.check_request(kind, json.loads(request["body"]["string"]),
                                         create=request["method"] == "post")
    problems += check_reply_headers(status, headers, bool(body_text))
    if status >= 400:
        problems += check_errors(json.loads(body_text), status)
    elif body_text:
        many = request["method"] == "get" and not ident
        problems += schema.check_document(json.loads(body_text), kind, many=many)
    assert problems == [], name


PROJECT = {"data": {"type": "projects",
                    "attributes": {"name": "Alpha", "project_type_id": 2},
                    "relationships": {"company": {"data": {"type": "companies", "id": "1"}},
                                      "project_manager": {"data": {"type": "people", "id": "2"}},
                                      "workflow": {"data": {"type": "workflows", "id": "3"}}}}}


def with_data(**changes: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(PROJECT["data"]))
    for key, value in changes.items():
        section, _, name = key.partition("__")
        if value is None:
            data[section].pop(name)
        else:
            data[section][name] = value
    return {"data": data}


def test_a_complete_project_create_passes():
    assert load_schema().check_request("projects", PROJECT, create=True) == []


@pytest.mark.parametrize(("changes", "problem"), [
    ({"attributes__name": None}, "lacks required 'name'"),
    ({"relationships__workflow": None}, "lacks required 'workflow'"),
    ({"attributes__project_type_id": 7}, "project_type_id=7"),
    ({"attributes__name": 42}, "name=42"),
    ({"attributes__created_at": "2026-01-01T00:00:00Z"}, "read-only"),
    ({"attributes__color": "red"}, "no writable field 'color'"),
    ({"relationships__company": {"data": {"type": "people", "id": "1"}}}, "company links"),
    ({"relationships__company": {"data": {"type": "companies", "id": 1}}}, "company links"),
])
def test_each_kind_of_request_mistake_is_reported(changes, problem):
    problems = load_schema().check_request("projects", with_data(**changes), create=True)
    assert any(problem in p for p in problems), problems


def test_query_checks_filters_sorts_includes_and_page_size():
    problems = load_schema().check_query("projects", [
        ("filter[name]", "x"), ("sort", "-title"), ("include", "tasks"), ("page[size]", "500"),
        ("page[number]", "0"), ("per_page", "5")])
    assert len(problems) == 6, problems
    assert load_schema().check_query("projects", [
        ("filter[query]", "x"), ("filter[status]", "1"), ("sort", "-created_at"),
        ("include", "company,workflow"), ("page[size]", "200")]) == []


def test_reply_checks_catch_a_missing_settings_block_and_wrong_types():
    body = {"data": {"id": "1", "type": "projects", "attributes": {"project_type_id": "x"},
                     "relationships": {"company": {"data": {"type": "people", "id": "9"}}}},
            "meta": {}}
    problems = load_schema().check_document(body, "projects", many=False)
    assert any("settings" in p for p in problems)
    assert any("project_type_id" in p for p in problems)
    assert any("company links" in p for p in problems)


def test_error_checks_want_string_statuses_and_pointers_on_422():
    assert check_errors({"errors": [{"status": 404, "title": "x", "detail": "y"}]}, 404)
    assert check_errors({"errors": [{"status": "422", "title": "x", "detail": "y",
                                      "code": "invalid_attribute", "source": {}}]}, 422)
    assert check_errors({"errors": [{"status": 400, "title": "Unsupported Filter",
                                      "detail": "Filter 'x' is not supported"}]}, 400) == []


def test_required_fields_are_read_from_the_schema():
    schema = load_schema()
    assert schema.required("projects") == {"name", "project_type_id", "company",
                                           "project_manager", "workflow"}
    assert schema.required("memberships") == {"type_id", "access_type_id"}
