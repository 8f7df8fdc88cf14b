"""Every response carries an ``X-Request-ID`` (the client's when sane), and the request's log
lines carry it with the organization and user the route acts for."""

from __future__ import annotations

import logging
import re

import pytest

from projecthub.core.logging import ContextFields
from projecthub.services import audit
from tests.api.tokens import bearer
from tests.factories import make_org, make_user


def test_a_response_echoes_a_sane_client_request_id(client):
    response = client.get("/api/v1/health", headers={"X-Request-ID": "edge-3f2a91bc"})
    assert response.headers["x-request-id"] == "edge-3f2a91bc"


@pytest.mark.parametrize("given", [None, "phs_abcdefghijklmnop", "x" * 200])
def test_a_missing_or_unusable_request_id_is_replaced_by_a_new_one(client, given):
    headers = {"X-Request-ID": given} if given else {}
    response = client.get("/api/v1/health", headers=headers)
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_errors_carry_a_request_id_too(client):
    assert client.get("/api/v1/orgs/nowhere/projects").headers["x-request-id"]


class _Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.addFilter(ContextFields())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_routes_log_lines_name_the_request_organization_and_user(client, db, monkeypatch):
    owner = make_user(db)
    org = make_org(db, owner, slug="logged")
    headers = bearer(db, owner, org)
    original = audit.list_events

    def logging_list_events(*args, **kwargs):  # type: ignore[no-untyped-def]
        logging.getLogger("projecthub.test").warning("reading the audit log")
        return original(*args, **kwargs)

    monkeypatch.setattr(audit, "list_events", logging_list_events)
    captured = _Captured()
    logging.getLogger("projecthub.test").addHandler(captured)
    try:
        response = client.get("/api/v1/orgs/logged/audit-events",
                              headers={**headers, "X-Request-ID": "support-ticket-42"})
    finally:
        logging.getLogger("projecthub.test").removeHandler(captured)
    assert response.status_code == 200
    [record] = captured.records
    assert record.request_id == "support-ticket-42"  # type: ignore[attr-defined]
    assert record.org_id == str(org.id)  # type: ignore[attr-defined]
    assert record.user_id == str(owner.id)  # type: ignore[attr-defined]
