"""What only Productive does wrong: its error bodies (recorded and not), the organization header,
replies that break its schema, its default backoff and the client-side limit (shared failures are
in ``test_vendor_contract.py``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from projecthub.connectors.errors import AuthFailed, Invalid, NotFound, RateLimited, ServerError
from projecthub.connectors.productive import (
    DEFAULT_LIMITS,
    DEFAULT_RETRY,
    parse_productive_error,
)
from projecthub.connectors.ratelimit import Window
from projecthub.connectors.retry import RetryPolicy
from projecthub.sandbox.faults import Fault
from tests.connectors.productive_setup import make_connector, productive_state
from tests.connectors.vendors import PRODUCTIVE, VendorCase

CASSETTES = Path(__file__).resolve().parents[1] / "vendor_fixtures" / "productive" / "cassettes"


@pytest.fixture
def vendor() -> VendorCase:
    return PRODUCTIVE


@pytest.fixture
def state(app):
    return productive_state(app)


async def test_a_token_for_another_organization_is_auth_failed_without_retry(app, clock):
    connector, transport = make_connector(app, clock, organization_id="1001")
    async with connector:
        with pytest.raises(AuthFailed) as caught:
            await connector.current_identity()
    assert caught.value.status == 401 and caught.value.request_id
    assert "sandbox-acme" not in repr(caught.value) + str(caught.value) + repr(connector)
    assert len(transport.validated) == 1 and clock.sleeps == []


async def test_missing_record_is_not_found_with_the_vendor_text(connected):
    connector, _ = connected
    with pytest.raises(NotFound) as caught:
        await connector.get_project("999")
    assert caught.value.message == "GET /projects/999: The requested record was not found"


async def test_rate_limit_without_retry_after_backs_off_by_the_default_policy(app, clock,
                                                                             faults):
    connector, transport = make_connector(app, clock)
    faults.add(Fault(kind="rate_limit"))
    async with connector:
        assert (await connector.current_identity()).person.email
    assert len(clock.sleeps) == 1 and 0 <= clock.sleeps[0] <= DEFAULT_RETRY.base_delay
    assert transport.validated[:2] == ["GET /organization_memberships"] * 2


async def test_persistent_rate_limit_on_concurrent_counts_is_rate_limited(connected, faults,
                                                                          clock):
    connector, transport = connected
    faults.add(Fault(kind="rate_limit", times=None))
    with pytest.raises(RateLimited) as caught:
        await connector.task_counts("1")
    assert caught.value.retry_after is None and caught.value.status == 429
    assert len(transport.validated) == 9 and len(clock.sleeps) == 6


async def test_the_client_keeps_under_100_requests_per_10_seconds(app, clock, state):
    assert (Window(100, 10), Window(4000, 1800)) == DEFAULT_LIMITS
    connector, transport = make_connector(app, clock, retry=RetryPolicy(deadline=5))
    project = state.add_project("Alpha").id
    async with connector:
        for _ in range(96):  # 100 less the 4 that may still be in flight as a window turns
            await connector.get_project(project)
        with pytest.raises(RateLimited) as held:
            await connector.get_project(project)
    assert transport is not None and len(transport.validated) == 96
    assert held.value.status is None and held.value.retry_after is not None
    assert 0 < held.value.retry_after <= 10 and clock.sleeps == []


def recorded_error(name: str) -> tuple[int, object]:
    exchange = json.loads((CASSETTES / name).read_text())["http_interactions"][0]["response"]
    return exchange["status"]["code"], json.loads(exchange["body"]["string"])


def test_recorded_422_becomes_field_errors():
    status, body = recorded_error("errors_422.json")
    parsed = parse_productive_error(status, body)
    assert parsed.field_errors == {"title": "can't be blank", "project": "can't be blank",
                                   "task_list": "can't be blank"}
    assert parsed.code == "invalid_attribute"
    assert parsed.message == "title can't be blank; project can't be blank; " \
                             "task_list can't be blank"


@pytest.mark.parametrize(("body", "message"), [
    ({"errors": [{"status": 400, "title": "Unsupported Filter",
                  "detail": "Filter 'x' is not supported on this endpoint"}]},
     "Filter 'x' is not supported on this endpoint"),
    ("<html>Bad gateway</html>\nmore", "<html>Bad gateway</html>"),
    (None, ""),
])
def test_other_error_bodies_become_a_readable_message(body, message):
    parsed = parse_productive_error(400, body)
    assert parsed.message == message and parsed.field_errors == {}


async def test_a_reply_that_breaks_the_schema_is_a_server_error(app, clock, state):
    connector, _ = make_connector(app, clock, validate=False)
    state.add_project("Alpha").project_type_id = 9
    async with connector:
        with pytest.raises(ServerError, match="unexpected Project"):
            await anext(aiter(connector.iter_projects()))


async def test_invalid_is_raised_for_the_vendors_own_validation(connected, state):
    connector, _ = connected
    with pytest.raises(Invalid) as caught:
        await connector.create_budget(
            name=" ", project_id=state.add_project("Alpha").id,
            company_id=state.organization.company_id, responsible_id=state.owner.id,
            subsidiary_id="999")
    assert caught.value.field_errors == {"name": "can't be blank",
                                         "subsidiary": "can't be blank"}
