"""One failure contract for the four connectors, against each vendor's sandbox and spec: a refused
credential, 429s, bursts of 5xx, hangs and cut replies on reads, and creates whose reply was lost.

Reads are retried within the attempt and time budgets; a create is repeated only when the vendor
says nothing happened (429), and a lost create reply is left to the lookup that adopts it.
"""

from __future__ import annotations

import pytest

from projecthub.connectors import errors
from projecthub.connectors.retry import RetryPolicy
from projecthub.sandbox.faults import Fault
from tests.connectors.vendors import CONTRACT_RETRY, VENDORS, VendorCase

HINTING_VENDORS = [v for v in VENDORS if v.rate_limit_hint is not None]
CLIENT_ERRORS: dict[int, type[errors.ConnectorError]] = {
    400: errors.Invalid, 401: errors.AuthFailed, 403: errors.PermissionDenied,
    404: errors.NotFound, 409: errors.Conflict, 422: errors.Invalid}


@pytest.fixture(params=VENDORS, ids=repr)
def vendor(request: pytest.FixtureRequest) -> VendorCase:
    return request.param


async def test_wrong_secret_is_auth_failed_without_retry_or_secret(vendor, app, clock):
    connector, transport = vendor.connect(app, clock, secret=vendor.wrong_secret)
    async with connector:
        with pytest.raises(errors.AuthFailed) as caught:
            await vendor.read(connector)
        shown = repr(caught.value) + str(caught.value) + repr(connector)
    assert caught.value.status == 401 and caught.value.request_id
    assert vendor.refusal_text in caught.value.message
    assert vendor.wrong_secret not in shown
    assert transport.validated == list(vendor.refused_requests) and clock.sleeps == []


async def test_429_waits_what_the_vendor_asks_then_succeeds(vendor, connected, faults, clock):
    connector, transport = connected
    hint = vendor.rate_limit_hint
    faults.add(Fault(kind="rate_limit", retry_after=hint, path_prefix=vendor.read_path))
    await vendor.read(connector)
    shortest, longest = (hint, hint) if hint is not None else (0.0, CONTRACT_RETRY.base_delay)
    assert len(clock.sleeps) == 1 and shortest <= clock.sleeps[0] <= longest
    assert transport.validated == [vendor.read_request] * 2


async def test_429_without_retry_after_backs_off_until_the_attempt_budget(vendor, connected,
                                                                         faults, clock):
    connector, transport = connected
    faults.add(Fault(kind="rate_limit", times=None, path_prefix=vendor.read_path))
    with pytest.raises(errors.RateLimited) as caught:
        await vendor.read(connector)
    assert (caught.value.status, caught.value.retry_after) == (429, None)
    assert transport.validated == [vendor.read_request] * 3 and len(clock.sleeps) == 2


@pytest.mark.parametrize("vendor", HINTING_VENDORS, ids=repr, indirect=True)
async def test_429_longer_than_the_time_budget_is_rate_limited_at_once(vendor, connected,
                                                                        faults, clock):
    connector, transport = connected
    faults.add(Fault(kind="rate_limit", retry_after=600, times=None))
    with pytest.raises(errors.RateLimited) as caught:
        await vendor.read(connector)
    assert (caught.value.status, caught.value.retry_after) == (429, 600)
    assert transport.validated == [vendor.read_request] and clock.sleeps == []


async def test_429_on_a_create_is_retried_because_nothing_happened(vendor, connected, faults,
                                                                   app):
    connector, transport = connected
    hint = None if vendor.rate_limit_hint is None else 3
    faults.add(Fault(kind="rate_limit", retry_after=hint, method="POST",
                     path_prefix=vendor.create_path))
    await vendor.create(connector, app, "Retry")
    assert vendor.created(app, "Retry") == 1
    assert transport.validated.count(vendor.create_request) == 2


async def test_a_5xx_burst_on_reads_is_retried_until_the_attempt_budget(vendor, connected,
                                                                        faults, clock):
    connector, transport = connected
    faults.add(Fault(kind="status", status=503, times=None, path_prefix=vendor.read_path))
    with pytest.raises(errors.ServerError) as caught:
        await vendor.read(connector)
    assert caught.value.status == 503
    assert transport.validated == [vendor.read_request] * 3 and len(clock.sleeps) == 2


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_a_short_5xx_burst_on_reads_recovers(vendor, connected, faults, clock, status):
    connector, transport = connected
    faults.add(Fault(kind="status", status=status, times=2, path_prefix=vendor.read_path))
    await vendor.read(connector)
    assert transport.validated == [vendor.read_request] * 3 and len(clock.sleeps) == 2
    assert faults.pending == []


@pytest.mark.parametrize(("status", "error"), [
    (500, errors.ServerError), (502, errors.ServerError), (504, errors.Timeout)])
async def test_a_5xx_on_a_create_is_not_retried_and_nothing_is_duplicated(
        vendor, connected, faults, app, status, error):
    connector, transport = connected
    faults.add(Fault(kind="status", status=status, method="POST", path_prefix=vendor.create_path))
    with pytest.raises(error) as caught:
        await vendor.create(connector, app, "Once")
    assert caught.value.status == status
    assert transport.validated == [vendor.create_request] and vendor.created(app, "Once") == 0


@pytest.mark.parametrize(("kind", "error"), [
    ("reset", errors.ServerError), ("hang", errors.Timeout)])
async def test_a_lost_reply_to_a_create_is_reported_and_the_resource_can_be_adopted(
        vendor, connected, faults, app, kind, error):
    connector, transport = connected
    faults.add(Fault(kind=kind, seconds=40, method="POST", path_prefix=vendor.create_path,
                     after_handler=True))
    with pytest.raises(error):
        await vendor.create(connector, app, "Gamma")
    assert transport.validated.count(vendor.create_request) == 0
    assert await vendor.find(connector, "Gamma") is not None
    assert vendor.created(app, "Gamma") == 1


async def test_hanging_reads_time_out_within_the_attempt_budget(vendor, connected, faults, clock):
    connector, _ = connected
    faults.add(Fault(kind="hang", seconds=30, times=None, path_prefix=vendor.read_path))
    with pytest.raises(errors.Timeout) as caught:
        await vendor.read(connector)
    assert caught.value.status is None
    assert 90 <= clock.monotonic() < CONTRACT_RETRY.deadline


async def test_the_time_budget_stops_retries_before_the_attempt_budget(vendor, app, faults,
                                                                       clock):
    connector, _ = vendor.connect(app, clock, retry=RetryPolicy(max_attempts=10, deadline=50))
    faults.add(Fault(kind="hang", seconds=30, times=None, path_prefix=vendor.read_path))
    async with connector:
        with pytest.raises(errors.Timeout):
            await vendor.read(connector)
    assert clock.monotonic() < 50 + 30


async def test_a_cut_reply_to_a_read_is_retried(vendor, connected, faults):
    connector, transport = connected
    faults.add(Fault(kind="malformed", path_prefix=vendor.read_path))
    await vendor.read(connector)
    assert transport.validated == [vendor.read_request] * 2


async def test_a_dropped_connection_on_a_slow_read_is_retried(vendor, connected, faults, clock):
    connector, transport = connected
    faults.add(Fault(kind="reset", path_prefix=vendor.read_path),
               Fault(kind="latency", seconds=3, path_prefix=vendor.read_path))
    await vendor.read(connector)
    assert transport.validated == [vendor.read_request] and faults.pending == []
    assert clock.sleeps[0] == 3 and len(clock.sleeps) == 2  # the slow reply, one backoff


async def test_cut_replies_until_the_budget_are_a_server_error(vendor, connected, faults):
    connector, transport = connected
    faults.add(Fault(kind="malformed", times=None, path_prefix=vendor.read_path))
    with pytest.raises(errors.ServerError, match="malformed JSON"):
        await vendor.read(connector)
    assert transport.validated == [vendor.read_request] * 3


@pytest.mark.parametrize(("vendor", "status"), [
    pytest.param(v, status, id=f"{v}-{status}") for v in VENDORS
    for status in v.client_error_statuses], indirect=["vendor"])
async def test_client_errors_are_typed_and_never_retried(vendor, connected, faults, clock,
                                                         status):
    connector, transport = connected
    faults.add(Fault(kind="status", status=status, times=None, path_prefix=vendor.read_path))
    with pytest.raises(CLIENT_ERRORS[status]) as caught:
        await vendor.read(connector)
    assert caught.value.status == status
    attempts = vendor.attempts_on_401 if status == 401 else 1
    assert transport.validated == [vendor.read_request] * attempts and clock.sleeps == []
