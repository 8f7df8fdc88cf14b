"""Mail limits per address of origin: the operator's factor raises every per-IP limit (an office
behind one NAT address), never the per-address one."""

from __future__ import annotations

import pytest

from projecthub.core.config import settings
from projecthub.core.errors import TooManyAttempts
from projecthub.services.throttle import MAIL_LIMITS, MailAction, limit_mail


def _sign_ups(db, count: int) -> None:
    for n in range(count):
        limit_mail(db, MailAction.SIGNUP, address=f"p{n}@example.com", client_ip="203.0.113.9")


def test_the_per_ip_limit_holds_by_default(db):
    _sign_ups(db, MAIL_LIMITS[MailAction.SIGNUP].per_ip)
    with pytest.raises(TooManyAttempts):
        _sign_ups(db, 1)


def test_the_factor_raises_the_per_ip_limit_only(db, monkeypatch):
    monkeypatch.setattr(settings, "MAIL_PER_IP_FACTOR", 3)
    _sign_ups(db, 3 * MAIL_LIMITS[MailAction.SIGNUP].per_ip)
    with pytest.raises(TooManyAttempts):
        _sign_ups(db, 1)
    for _ in range(MAIL_LIMITS[MailAction.SIGNUP].per_address):
        limit_mail(db, MailAction.SIGNUP, address="same@example.com", client_ip="198.51.100.1")
    with pytest.raises(TooManyAttempts):
        limit_mail(db, MailAction.SIGNUP, address="same@example.com", client_ip="198.51.100.1")
