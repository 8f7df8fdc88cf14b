"""Login throttling under real concurrency, and login answers that do not tell whether an
account exists (issue 10, findings 2 and 6)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest

from projecthub.api.main import create_api
from projecthub.core import clock
from projecthub.core.config import settings
from projecthub.core.errors import AppError, TooManyAttempts
from projecthub.services import accounts
from tests.factories import PASSWORD, make_user
from tests.loopback import serve

WRONG = "not the password!"


class CountingVerifier:
    """Counts password checks per email (the attack's currency), thread-safely."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        self._lock = threading.Lock()
        real = accounts.verify_password

        def counting(password: str, stored_hash: str | None) -> tuple[bool, str | None]:
            with self._lock:
                self.calls += 1
            return real(password, stored_hash)

        monkeypatch.setattr(accounts, "verify_password", counting)


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Time stands still, so a back-off window never runs out during the test."""
    now = clock.utcnow()
    monkeypatch.setattr(clock, "utcnow", lambda: now)
    return now


def _login(base: str, email: str, password: str = WRONG) -> httpx.Response:
    return httpx.post(f"{base}/api/v1/auth/login", json={"email": email, "password": password},
                      timeout=60)


def test_parallel_guessers_get_no_more_password_checks_than_the_limit(
        db, monkeypatch, frozen_clock):
    make_user(db, email="ada@example.com")
    checks = CountingVerifier(monkeypatch)
    with serve(create_api()) as base, ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: _login(base, "ada@example.com").status_code,
                                 range(8 * settings.LOGIN_MAX_FAILURES)))
    assert set(statuses) == {401, 429}
    assert checks.calls == statuses.count(401) == settings.LOGIN_MAX_FAILURES


def test_password_spraying_from_one_address_is_throttled(db, monkeypatch, frozen_clock):
    monkeypatch.setattr(settings, "LOGIN_IP_MAX_FAILURES", 6)
    checks = CountingVerifier(monkeypatch)
    for n in range(10):
        make_user(db, email=f"user{n}@example.com")
    answers = [accounts_login(db, f"user{n}@example.com", ip="203.0.113.9") for n in range(10)]
    assert answers == [401] * 6 + [429] * 4
    assert checks.calls == 6
    assert accounts_login(db, "user9@example.com", ip="198.51.100.1") == 401


def test_spraying_from_many_addresses_meets_the_global_limit(db, monkeypatch, frozen_clock):
    monkeypatch.setattr(settings, "LOGIN_GLOBAL_MAX_FAILURES", 5)
    answers = [accounts_login(db, f"x{n}@example.com", ip=f"203.0.113.{n}") for n in range(8)]
    assert answers == [401] * 5 + [429] * 3


def test_back_off_grows_per_failure_and_is_capped(db, monkeypatch, frozen_clock):
    make_user(db, email="ada@example.com")
    now = frozen_clock
    for _ in range(settings.LOGIN_MAX_FAILURES):
        assert accounts_login(db, "ada@example.com") == 401
    waits = []
    for _ in range(12):
        with pytest.raises(TooManyAttempts) as blocked:
            accounts.authenticate(db, email="ada@example.com", password=WRONG)
        waits.append(blocked.value.retry_after)
        now = now + timedelta(seconds=blocked.value.retry_after)
        monkeypatch.setattr(clock, "utcnow", lambda at=now: at)
        assert accounts_login(db, "ada@example.com") == 401
    assert waits[:4] == [1, 2, 4, 8]
    assert max(waits) == waits[-1] == settings.LOGIN_BACKOFF_MAX_SECONDS
    with pytest.raises(TooManyAttempts):
        accounts.authenticate(db, email="ada@example.com", password=PASSWORD)
    monkeypatch.setattr(clock, "utcnow", lambda: now + timedelta(seconds=waits[-1]))
    assert accounts.authenticate(db, email="ada@example.com", password=PASSWORD)
    db.commit()
    assert accounts_login(db, "ada@example.com") == 401, "success starts the count over"


def test_throttled_known_and_unknown_emails_answer_alike(client, db, monkeypatch, frozen_clock):
    make_user(db, email="ada@example.com")
    checks = CountingVerifier(monkeypatch)
    answers = {}
    for email in ("ada@example.com", "nobody@example.com"):
        for _ in range(settings.LOGIN_MAX_FAILURES):
            client.post("/api/v1/auth/login", json={"email": email, "password": WRONG})
        before = checks.calls
        response = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        answers[email] = (response.status_code, response.json(),
                          response.headers.get("retry-after"), checks.calls - before)
    assert answers["ada@example.com"] == answers["nobody@example.com"]
    assert answers["ada@example.com"][0] == 429


def test_unknown_email_and_wrong_password_cost_one_password_check_each(client, db, monkeypatch):
    make_user(db, email="ada@example.com")
    checks = CountingVerifier(monkeypatch)
    for email in ("ada@example.com", "nobody@example.com"):
        client.post("/api/v1/auth/login", json={"email": email, "password": WRONG})
    assert checks.calls == 2


def accounts_login(db, email: str, *, ip: str = "192.0.2.1", password: str = WRONG) -> int:  # type: ignore[no-untyped-def]
    """One login through the service; the status code the API would answer."""
    try:
        accounts.authenticate(db, email=email, password=password, client_ip=ip)
    except AppError as exc:
        db.rollback()
        return exc.status_code
    db.commit()
    return 200
