"""The sandboxes count requests per credential and window on their side of the wire, and, built
to enforce, answer Productive's 429 past its published limits."""

from __future__ import annotations

import httpx

from projecthub.sandbox import create_sandbox_app
from projecthub.sandbox.traffic import RateWindow, TrafficMeter, caller_key

ADMIN = "admin-secret"
PRODUCTIVE = {"X-Auth-Token": "sandbox-acme", "X-Organization-Id": "1000"}


class Now:
    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value


def test_the_meter_reports_the_peak_of_any_window_and_in_flight_per_caller():
    now = Now()
    meter = TrafficMeter((RateWindow(10.0, 3),), now=now)
    for at in (0.0, 4.0, 9.0, 12.0, 13.0):  # 4, 9, 12 and 13 fall within one 10 s window
        now.value = 1000.0 + at
        assert meter.admit("a")
    meter.admit("b")
    for _ in range(6):
        meter.done("a")
    report = meter.report()
    assert report["a"]["windows"] == [{"seconds": 10.0, "limit": 3, "peak": 4}]
    assert report["a"]["requests"] == 5 and report["a"]["peak_in_flight"] == 5
    assert report["b"]["requests"] == 1 and report["a"]["refused"] == 0


def test_an_enforcing_meter_refuses_past_the_limit_until_the_window_moves_on():
    now = Now()
    meter = TrafficMeter((RateWindow(10.0, 2),), enforce=True, now=now)
    assert meter.admit("a") and meter.admit("a")
    assert not meter.admit("a")
    assert meter.admit("b")  # another credential has its own allowance
    now.value += 10.0
    assert meter.admit("a")
    assert meter.report()["a"] == {"requests": 3, "refused": 1, "peak_in_flight": 3,
                                   "seconds": 10.0,
                                   "windows": [{"seconds": 10.0, "limit": 2, "peak": 2}]}


def test_callers_are_named_by_a_hash_of_their_credential_never_the_credential():
    key = caller_key([(b"X-Auth-Token", b"sandbox-acme")])
    assert key == caller_key([(b"x-auth-token", b"sandbox-acme")]) != caller_key([])
    assert "acme" not in key and len(key) == 16


async def test_productive_answers_its_429_past_100_requests_in_10_seconds():
    app = create_sandbox_app(admin_token=ADMIN, enforce_rate_limits=True)
    now = Now()
    app.vendors["productive"].traffic.now = now
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        url = "/sandbox/productive/api/v2/projects"
        statuses = [(await client.get(url, headers=PRODUCTIVE)).status_code for _ in range(100)]
        refused = await client.get(url, headers=PRODUCTIVE)
        now.value += 10.0
        again = await client.get(url, headers=PRODUCTIVE)
        hidden = await client.get("/sandbox/productive/_sandbox/traffic")
        traffic = (await client.get("/sandbox/productive/_sandbox/traffic",
                                    headers={"X-Sandbox-Admin-Token": ADMIN})).json()
    assert set(statuses) == {200} and again.status_code == 200
    assert refused.status_code == 429 and "retry-after" not in refused.headers
    assert refused.json()["errors"][0]["status"] in (429, "429")
    assert hidden.status_code == 404
    mine = traffic[caller_key([(b"x-auth-token", b"sandbox-acme")])]
    assert mine["requests"] == 101 and mine["refused"] == 1
    assert mine["windows"][0] == {"seconds": 10.0, "limit": 100, "peak": 100}


async def test_without_enforcement_the_sandbox_only_counts():
    app = create_sandbox_app()
    now = Now()
    app.vendors["productive"].traffic.now = now
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        for _ in range(101):
            assert (await client.get("/sandbox/productive/api/v2/projects",
                                     headers=PRODUCTIVE)).status_code == 200
    [mine] = app.vendors["productive"].traffic.report().values()
    assert mine["windows"][0]["peak"] == 101 and mine["refused"] == 0
