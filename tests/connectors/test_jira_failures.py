"""How the Jira connector reports and survives failures the sandbox plays back: typed errors,
retries on the fake clock, budgets, and no retry where a retry could duplicate or cannot help."""

from __future__ import annotations

import pytest

from projecthub.connectors.clock import FakeClock
from projecthub.connectors.errors import (
    AuthFailed,
    Conflict,
    Invalid,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    Timeout,
)
from projecthub.connectors.retry import RetryPolicy
from projecthub.sandbox.faults import Fault
from tests.connectors.jira_setup import jira_state, make_connector, make_sandbox

MYSELF = "/rest/api/3/myself"


@pytest.fixture
def app(clock: FakeClock):
    return make_sandbox(clock)


@pytest.fixture
def faults(app):
    return app.vendors["jira"].faults


@pytest.fixture
async def jira(app, clock):
    connector, transport = make_connector(app, clock, retry=RetryPolicy(max_attempts=3,
                                                                        deadline=120))
    async with connector:
        yield connector, transport


async def test_wrong_token_is_auth_failed_without_retry_or_secret(app, clock):
    connector, transport = make_connector(app, clock, token="not-a-sandbox-token")
    async with connector:
        with pytest.raises(AuthFailed) as caught:
            await connector.current_user()
    assert caught.value.status == 401 and caught.value.request_id
    assert "Basic authentication" in caught.value.message
    assert "not-a-sandbox-token" not in repr(caught.value) + str(caught.value)
    assert len(transport.validated) == 1 and clock.sleeps == []


async def test_unknown_email_with_a_valid_token_is_auth_failed(app, clock):
    connector, _ = make_connector(app, clock, email="stranger@example.com")
    async with connector:
        with pytest.raises(AuthFailed):
            await connector.current_user()


async def test_non_admin_cannot_create_projects(app, clock):
    connector, _ = make_connector(app, clock, email="ana.lopez@projecthub.example")
    async with connector:
        me = await connector.current_user()
        with pytest.raises(PermissionDenied) as caught:
            await connector.create_project(key="ANA", name="Ana's", lead_account_id=me.account_id)
    assert caught.value.status == 403


async def test_missing_project_is_not_found_with_jira_text_and_request_id(jira):
    connector, _ = jira
    with pytest.raises(NotFound) as caught:
        await connector.get_project("NOPE")
    assert "No project could be found with key 'NOPE'" in caught.value.message
    assert caught.value.request_id


async def test_duplicate_key_is_a_conflict_from_jiras_400(jira, clock):
    connector, transport = jira
    me = await connector.current_user()
    with pytest.raises(Conflict) as caught:
        await connector.create_project(key="WEB", name="Another web", lead_account_id=me.account_id)
    assert caught.value.status == 400
    assert "A project with that project key already exists." in caught.value.message
    assert transport.validated.count("POST /rest/api/3/project") == 1 and clock.sleeps == []


async def test_invalid_create_carries_field_errors(jira):
    connector, _ = jira
    with pytest.raises(Invalid) as caught:
        await connector.create_project(key="GOOD", name=" ", lead_account_id="no-such-account")
    assert set(caught.value.field_errors) == {"projectName", "projectLead"}


async def test_bad_jql_is_invalid_with_jiras_message(jira):
    connector, _ = jira
    with pytest.raises(Invalid, match="does not exist for the field 'project'"):
        await connector.count_issues('project = "GHOST"')
    with pytest.raises(Invalid, match="Unbounded JQL"):
        await connector.count_issues("order by created")


async def test_429_waits_at_least_retry_after_then_succeeds(jira, faults, clock):
    connector, transport = jira
    faults.add(Fault(kind="rate_limit", retry_after=17, path_prefix=MYSELF))
    me = await connector.current_user()
    assert me.display_name == "Demo Admin"
    assert clock.sleeps and clock.sleeps[0] >= 17
    assert clock.monotonic() >= 17
    assert transport.validated == ["GET /rest/api/3/myself"] * 2


async def test_429_longer_than_the_budget_raises_rate_limited(app, clock, faults):
    connector, _ = make_connector(app, clock, retry=RetryPolicy(deadline=30))
    faults.add(Fault(kind="rate_limit", retry_after=600, times=None))
    async with connector:
        with pytest.raises(RateLimited) as caught:
            await connector.current_user()
    assert caught.value.retry_after == 600 and clock.sleeps == []


async def test_server_errors_on_reads_are_retried_within_the_attempt_budget(jira, faults, clock):
    connector, transport = jira
    faults.add(Fault(kind="status", status=503, times=None))
    with pytest.raises(ServerError) as caught:
        await connector.get_project("WEB")
    assert caught.value.status == 503
    assert len(transport.validated) == 3 and len(clock.sleeps) == 2


async def test_transient_failures_on_reads_recover(jira, faults):
    connector, _ = jira
    faults.add(Fault(kind="status", status=502), Fault(kind="malformed"))
    assert (await connector.get_project("WEB")).key == "WEB"
    faults.add(Fault(kind="reset"), Fault(kind="latency", seconds=3))
    assert (await connector.current_user()).active
    assert faults.pending == []


async def test_500_on_create_is_not_retried(jira, faults, app):
    connector, transport = jira
    faults.add(Fault(kind="status", status=500, method="POST"))
    me = await connector.current_user()
    with pytest.raises(ServerError):
        await connector.create_project(key="BETA", name="Beta", lead_account_id=me.account_id)
    assert transport.validated.count("POST /rest/api/3/project") == 1
    assert "BETA" not in jira_state(app).projects


async def test_lost_reply_to_a_create_is_reported_and_the_project_can_be_adopted(jira, faults):
    connector, transport = jira
    me = await connector.current_user()
    faults.add(Fault(kind="reset", method="POST", after_handler=True))
    with pytest.raises(ServerError):
        await connector.create_project(key="GAMMA", name="Gamma", lead_account_id=me.account_id)
    assert transport.validated.count("POST /rest/api/3/project") == 0
    adopted = await connector.find_project("GAMMA")
    assert adopted is not None and adopted.name == "Gamma"


async def test_hanging_reads_time_out_within_the_attempt_budget(jira, faults, clock):
    connector, _ = jira
    faults.add(Fault(kind="hang", seconds=30, times=None))
    with pytest.raises(Timeout) as caught:
        await connector.current_user()
    assert caught.value.status is None
    assert clock.monotonic() >= 90


async def test_the_time_budget_stops_retries_before_the_attempt_budget(app, clock, faults):
    connector, _ = make_connector(app, clock, retry=RetryPolicy(max_attempts=10, deadline=50))
    faults.add(Fault(kind="hang", seconds=30, times=None))
    async with connector:
        with pytest.raises(Timeout):
            await connector.current_user()
    assert clock.monotonic() < 50 + 30


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
async def test_client_errors_from_the_vendor_are_never_retried(jira, faults, clock, status):
    connector, transport = jira
    faults.add(Fault(kind="status", status=status, times=None))
    with pytest.raises((Invalid, AuthFailed, PermissionDenied, NotFound, Conflict)):
        await connector.get_project("WEB")
    assert len(transport.validated) == 1 and clock.sleeps == []
