"""The shared sandbox frame: tenants, auth, vendor errors, request ids, faults, admin endpoints."""

from __future__ import annotations

import httpx
import pytest

from projecthub.connectors.clock import FakeClock
from projecthub.sandbox import SandboxApp, create_sandbox_app
from projecthub.sandbox.faults import Fault
from tests.sandbox.toy import create_toy

ADMIN = {"X-Sandbox-Admin-Token": "admin-secret"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def toy(clock):
    return create_toy(clock.sleep, admin_token="admin-secret")


@pytest.fixture
async def http(toy):
    app = SandboxApp({"toy": toy})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://sandbox.test/sandbox/toy",
                                 headers={"x-token": "sandbox-acme"}) as client:
        yield client


async def test_tenants_are_seeded_on_first_use_and_isolated(http):
    await http.post("/items", json={"name": "mine"})
    assert (await http.get("/items")).json() == {"items": ["seeded", "mine"]}
    other = await http.get("/items", headers={"x-token": "sandbox-other"})
    assert other.json() == {"items": ["seeded"]}


async def test_bad_credentials_get_the_vendor_401_with_a_request_id(http):
    response = await http.get("/items", headers={"x-token": "wrong"})
    assert response.status_code == 401 and response.json()["error"] == "bad token"
    assert response.headers["x-request-id"].startswith("req-")


async def test_unknown_paths_and_bad_json_use_the_vendor_envelope(http):
    assert (await http.get("/nope")).json()["error"] == "Not Found"
    bad = await http.post("/items", content=b"{not json",
                          headers={"content-type": "application/json"})
    assert bad.status_code == 400 and "error" in bad.json()


async def test_rate_limit_fault_answers_429_with_retry_after_once(http, toy):
    toy.faults.add(Fault(kind="rate_limit", retry_after=9))
    first = await http.get("/items")
    assert (first.status_code, first.headers["retry-after"]) == (429, "9")
    assert (await http.get("/items")).status_code == 200


async def test_status_fault_can_target_a_method_and_path(http, toy):
    toy.faults.add(Fault(kind="status", status=502, method="POST", path_prefix="/items", times=2))
    assert (await http.get("/items")).status_code == 200
    assert (await http.post("/items", json={"name": "x"})).status_code == 502
    assert (await http.post("/items", json={"name": "x"})).status_code == 502
    assert (await http.post("/items", json={"name": "x"})).status_code == 201


async def test_latency_advances_the_sandbox_clock(http, toy, clock):
    toy.faults.add(Fault(kind="latency", seconds=2.5))
    await http.get("/items")
    assert clock.sleeps == [2.5]


async def test_hang_surfaces_as_a_read_timeout_in_process(http, toy, clock):
    toy.faults.add(Fault(kind="hang", seconds=40))
    with pytest.raises(httpx.ReadTimeout):
        await http.get("/items")
    assert clock.monotonic() == 40


async def test_reset_after_the_handler_keeps_the_side_effect(http, toy):
    toy.faults.add(Fault(kind="reset", method="POST", after_handler=True))
    with pytest.raises(httpx.RemoteProtocolError):
        await http.post("/items", json={"name": "ghost"})
    assert "ghost" in (await http.get("/items")).json()["items"]


async def test_malformed_fault_cuts_the_real_body(http, toy):
    toy.faults.add(Fault(kind="malformed"))
    response = await http.get("/items")
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()


async def test_admin_endpoint_queues_and_clears_faults_with_the_token(http, toy):
    assert (await http.post("/_sandbox/faults", json={"kind": "reset"})).status_code == 404
    queued = await http.post("/_sandbox/faults", json=[{"kind": "status", "status": 500}],
                             headers=ADMIN)
    assert queued.status_code == 200 and queued.json()[0]["status"] == 500
    bogus = await http.post("/_sandbox/faults", json={"kind": "bogus"}, headers=ADMIN)
    assert bogus.status_code == 422
    assert (await http.delete("/_sandbox/faults", headers=ADMIN)).json() == []
    assert toy.faults.pending == []


async def test_admin_reset_forgets_tenants(http):
    await http.post("/items", json={"name": "mine"})
    assert (await http.post("/_sandbox/reset", headers=ADMIN)).status_code == 204
    assert (await http.get("/items")).json() == {"items": ["seeded"]}


def test_create_sandbox_app_builds_every_registered_vendor():
    app = create_sandbox_app()
    assert isinstance(app, SandboxApp)
