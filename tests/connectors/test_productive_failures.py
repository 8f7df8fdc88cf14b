"""How the Productive connector reports and survives failures the sandbox plays back: each
vendor error shape as its typed error, 429s without Retry-After, budgets, the client-side limit,
and no retry where a retry could create a second project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from projecthub.connectors.errors import (
    AuthFailed,
    Invalid,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    Timeout,
)
from projecthub.connectors.productive import (
    DEFAULT_LIMITS,
    DEFAULT_RETRY,
    parse_productive_error,
)
from projecthub.connectors.productive_models import ProjectType
from projecthub.connectors.ratelimit import Window
from projecthub.connectors.retry import RetryPolicy
from projecthub.sandbox.faults import Fault
from tests.connectors.productive_setup import make_connector, make_sandbox, productive_state

CASSETTES = Path(__file__).resolve().parents[1] / "vendor_fixtures" / "productive" / "cassettes"
API = "/api/v2"


@pytest.fixture
def app(clock):
    return make_sandbox(clock)


@pytest.fixture
def state(app):
    return productive_state(app)


@pytest.fixture
def faults(app):
    return app.vendors["productive"].faults


@pytest.fixture
async def productive(app, clock):
    connector, transport = make_connector(app, clock, retry=RetryPolicy(max_attempts=3))
    async with connector:
        yield connector, transport


def create_alpha(connector, state, marker="run-1"):
    return connector.create_project(
        name="Alpha", project_type=ProjectType.INTERNAL, company_id=state.organization.company_id,
        workflow_id=state.default_workflow.id, project_manager_id=state.owner.id, marker=marker)


def projects_named(state, name):
    return [p for p in state.table("projects").values() if p.name == name]


@pytest.mark.parametrize(("token", "organization_id"), [
    ("not-a-sandbox-token", "1000"), ("sandbox-acme", "1001")])
async def test_wrong_token_or_organization_is_auth_failed_without_retry_or_secret(
        app, clock, token, organization_id):
    connector, transport = make_connector(app, clock, token=token,
                                          organization_id=organization_id)
    async with connector:
        with pytest.raises(AuthFailed) as caught:
            await connector.current_identity()
    assert caught.value.status == 401 and caught.value.request_id
    assert token not in repr(caught.value) + str(caught.value) + repr(connector)
    assert len(transport.validated) == 1 and clock.sleeps == []


async def test_missing_record_is_not_found_with_the_vendor_text(productive):
    connector, _ = productive
    with pytest.raises(NotFound) as caught:
        await connector.get_project("999")
    assert caught.value.message == "GET /projects/999: The requested record was not found"


async def test_forbidden_is_permission_denied(productive, faults):
    connector, _ = productive
    faults.add(Fault(kind="status", status=403, path_prefix=f"{API}/workflows"))
    with pytest.raises(PermissionDenied):
        await anext(aiter(connector.iter_workflows()))


async def test_rate_limit_without_retry_after_backs_off_then_succeeds(app, clock, faults):
    connector, transport = make_connector(app, clock)
    faults.add(Fault(kind="rate_limit"))
    async with connector:
        assert (await connector.current_identity()).person.email
    assert len(clock.sleeps) == 1 and 0 <= clock.sleeps[0] <= DEFAULT_RETRY.base_delay
    assert transport.validated[:2] == ["GET /organization_memberships"] * 2


async def test_persistent_rate_limit_is_rate_limited_after_the_attempt_budget(productive, faults,
                                                                               clock):
    connector, transport = productive
    faults.add(Fault(kind="rate_limit", times=None))
    with pytest.raises(RateLimited) as caught:
        await connector.task_counts("1")
    assert caught.value.retry_after is None and caught.value.status == 429
    assert len(transport.validated) == 9 and len(clock.sleeps) == 6


async def test_a_rate_limited_create_is_retried_because_nothing_was_created(productive, faults,
                                                                              state):
    connector, _ = productive
    faults.add(Fault(kind="rate_limit", method="POST"))
    await create_alpha(connector, state)
    assert len(projects_named(state, "Alpha")) == 1


async def test_a_bad_gateway_on_create_is_not_retried_so_nothing_is_duplicated(productive,
                                                                               faults, state):
    connector, transport = productive
    faults.add(Fault(kind="status", status=502, method="POST"))
    with pytest.raises(ServerError):
        await create_alpha(connector, state)
    assert transport.validated == ["POST /projects"] and projects_named(state, "Alpha") == []


async def test_a_lost_create_reply_is_recovered_by_the_marker(productive, faults, state):
    connector, _ = productive
    faults.add(Fault(kind="reset", method="POST", after_handler=True))
    with pytest.raises(ServerError):
        await create_alpha(connector, state, marker="run-9")
    adopted = await connector.find_project_by_name("Alpha", marker="run-9")
    assert adopted is not None and [p.id for p in projects_named(state, "Alpha")] == [adopted.id]


async def test_reads_retry_server_errors_and_hangs_become_timeouts(productive, faults, clock):
    connector, _ = productive
    faults.add(Fault(kind="status", status=503, path_prefix=f"{API}/subsidiaries"))
    assert [s async for s in connector.iter_subsidiaries()]
    faults.add(Fault(kind="hang", seconds=45, times=None))
    with pytest.raises(Timeout):
        await connector.current_identity()


async def test_a_cut_reply_is_a_server_error_and_a_read_is_retried(app, clock, faults):
    connector, _ = make_connector(app, clock, validate=False)
    faults.add(Fault(kind="malformed", times=2))
    async with connector:
        assert [w.name async for w in connector.iter_workflows()] == ["Default workflow"]
        faults.add(Fault(kind="malformed", times=None))
        with pytest.raises(ServerError, match="malformed JSON"):
            await connector.current_identity()


async def test_the_client_keeps_under_100_requests_per_10_seconds(productive, clock, state):
    assert (Window(100, 10.0), Window(4000, 1800.0)) == DEFAULT_LIMITS
    connector, transport = productive
    for _ in range(101):
        await connector.get_project(state.add_project("Alpha").id)
    assert len(transport.validated) == 101
    assert clock.monotonic() == pytest.approx(10.0) and clock.sleeps == [pytest.approx(10.0)]


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


async def test_invalid_is_raised_for_the_vendors_own_validation(productive, state):
    connector, _ = productive
    with pytest.raises(Invalid) as caught:
        await connector.create_budget(
            name=" ", project_id=state.add_project("Alpha").id,
            company_id=state.organization.company_id, responsible_id=state.owner.id,
            subsidiary_id="999")
    assert caught.value.field_errors == {"name": "can't be blank",
                                         "subsidiary": "can't be blank"}
