"""Validation of tool base URLs: https only, except loopback (the sandbox) in development."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from projecthub.core.config import settings
from projecthub.core.errors import Invalid

_LOOPBACK_NAMES = {"localhost"}


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def clean_base_url(value: str, *, field: str = "base_url") -> str:
    """Normalise a base URL or raise ``Invalid`` saying what to fix."""
    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    problem = None
    if parts.scheme not in {"https", "http"} or not host:
        problem = "Enter a full URL such as https://acme.atlassian.net."
    elif parts.username or parts.password:
        problem = "Put credentials in their own fields, not in the URL."
    elif parts.query or parts.fragment:
        problem = "Remove the query string or fragment from the URL."
    elif parts.scheme == "http" and not (not settings.is_production and _is_loopback(host)):
        problem = "Use https. Plain http is only allowed for the local sandbox in development."
    if problem:
        raise Invalid(problem, {field: problem})
    return url
