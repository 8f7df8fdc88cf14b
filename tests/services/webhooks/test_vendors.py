"""Each vendor's proof that a delivery is its own, checked directly: signatures, timestamps,
delivery ids, Graph's handshake and clientState, Productive's query secret."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from projecthub.core.signatures import hub_signature
from projecthub.services.webhooks.vendors import (
    REPLAY_WINDOW,
    Handshake,
    Incoming,
    Refused,
    verify_confluence,
    verify_graph,
    verify_jira,
    verify_productive,
)

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
SECRET = "s3cret-for-tests"


def atlassian(payload: dict, *, secret: str = SECRET, delivery: str = "d-1") -> Incoming:
    body = json.dumps(payload).encode()
    return Incoming({"x-hub-signature": hub_signature(secret, body),
                     "x-atlassian-webhook-identifier": delivery}, {}, body)


def stamp(at: datetime = NOW) -> int:
    return int(at.timestamp() * 1000)


def test_jira_issue_event_names_its_project_by_id_and_key():
    got = verify_jira(atlassian({"timestamp": stamp(), "webhookEvent": "jira:issue_created",
                                 "issue": {"fields": {"project": {"id": "10000",
                                                                  "key": "WEB"}}}}),
                      SECRET, NOW)
    assert (got.key, got.event, got.refs) == ("d-1", "jira:issue_created", ("10000", "WEB"))


def test_jira_signature_is_checked_against_the_endpoint_secret():
    forged = atlassian({"timestamp": stamp()}, secret="another")
    with pytest.raises(Refused, match="bad signature"):
        verify_jira(forged, SECRET, NOW)


def test_a_changed_body_breaks_the_signature():
    good = atlassian({"timestamp": stamp(), "issue": {}})
    tampered = Incoming(good.headers, {}, good.body.replace(b"{}", b'{"x": 1}'))
    with pytest.raises(Refused):
        verify_jira(tampered, SECRET, NOW)


@pytest.mark.parametrize("offset", [REPLAY_WINDOW + timedelta(seconds=1),
                                    -(REPLAY_WINDOW + timedelta(seconds=1))])
def test_a_timestamp_outside_the_window_is_refused(offset):
    with pytest.raises(Refused, match="window"):
        verify_jira(atlassian({"timestamp": stamp(NOW - offset)}), SECRET, NOW)


def test_confluence_page_event_names_its_space():
    got = verify_confluence(atlassian({"timestamp": stamp(), "webhookEvent": "page_updated",
                                       "page": {"spaceKey": "WEB", "id": 5}}), SECRET, NOW)
    assert got.refs == ("WEB",) and got.event == "page_updated"


def graph(items: list[dict], query: dict | None = None) -> Incoming:
    return Incoming({}, query or {}, json.dumps({"value": items}).encode())


def test_graph_validation_token_is_a_handshake():
    assert verify_graph(Incoming({}, {"validationToken": "abc 123"}, b""), SECRET,
                        NOW) == Handshake("abc 123")


def test_graph_notifications_need_our_client_state_on_every_item():
    item = {"clientState": SECRET, "changeType": "updated", "resourceData": {"id": "g-1"}}
    got = verify_graph(graph([item, {**item, "resourceData": {"id": "g-2"}}]), SECRET, NOW)
    assert got.refs == ("g-1", "g-2") and got.event == "updated" and len(got.key) == 64
    with pytest.raises(Refused, match="clientState"):
        verify_graph(graph([item, {**item, "clientState": "guess"}]), SECRET, NOW)


def test_productive_needs_the_secret_in_the_query():
    body = json.dumps({"data": {"type": "tasks", "id": "7", "relationships": {
        "project": {"data": {"type": "projects", "id": "42"}}}}}).encode()
    got = verify_productive(Incoming({}, {"secret": SECRET}, body), SECRET, NOW)
    assert got.refs == ("42",) and got.event == "tasks"
    with pytest.raises(Refused):
        verify_productive(Incoming({}, {"secret": "nope"}, body), SECRET, NOW)
    with pytest.raises(Refused):
        verify_productive(Incoming({}, {}, body), SECRET, NOW)
