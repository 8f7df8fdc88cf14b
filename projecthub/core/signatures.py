"""Webhook signatures both sides compute: the app verifying a delivery and the sandbox signing
one as the vendor would (so neither copies the other's rule)."""

from __future__ import annotations

import hashlib
import hmac


def hub_signature(secret: str, body: bytes) -> str:
    """``X-Hub-Signature`` as Atlassian sends it (WebSub's method=signature): ``sha256=`` and
    the hex HMAC-SHA256 of the raw body under the webhook's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


__all__ = ["hub_signature"]
