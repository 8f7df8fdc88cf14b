"""The instance's rules for where tool connections may point, applied when a URL is saved and
again at every request (a name may resolve elsewhere later: DNS rebinding).

Production refuses loopback, private, link-local and reserved addresses and this app's own host;
development also reaches loopback, where the built-in sandbox lives. With
``PROJECTHUB_TOOL_HOST_ALLOWLIST`` on, only each vendor's own hosts are accepted.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from projecthub.connectors.hosts import (
    HostNotFound,
    HostPolicy,
    HostRefused,
    PinnedTransport,
    Resolver,
    host_matches,
    ip_literal,
    system_resolver,
)
from projecthub.core.config import settings
from projecthub.core.errors import Invalid
from projecthub.models import Tool
from projecthub.services.connection_specs import GRAPH_LOGIN_HOSTS, TOOL_SPECS

# Tests swap in a fake; everything else asks the operating system.
resolver: Resolver = system_resolver


def _vendor_hosts(tool: Tool, *, login: bool) -> tuple[str, ...]:
    return GRAPH_LOGIN_HOSTS if login else TOOL_SPECS[tool].hosts


def host_policy(tool: Tool, *, login: bool = False) -> HostPolicy:
    """The policy for a tool's API host (``login``: Microsoft's sign-in host) on this instance."""
    own_host = urlsplit(settings.PUBLIC_URL).hostname
    return HostPolicy(
        allow_loopback=not settings.is_production,
        allowed_hosts=_vendor_hosts(tool, login=login) if settings.TOOL_HOST_ALLOWLIST else None,
        refused_hosts=frozenset({own_host}) if settings.is_production and own_host else
        frozenset(),
        resolver=lambda host: resolver(host))


def check_tool_url(tool: Tool, url: str, *, field: str = "base_url",
                   login: bool = False) -> None:
    """Refuse, at save time, a URL whose host the policy forbids. A name that does not resolve
    yet is accepted: it is vetted again before every connection, which is what protects."""
    host = urlsplit(url).hostname or ""
    try:
        host_policy(tool, login=login).vet(host)
    except HostNotFound:
        return
    except HostRefused as exc:
        message = f"This address cannot be used: {exc}."
        raise Invalid(message, {field: message}) from None


def vetted_transport(tool: Tool, *, login: bool = False) -> httpx.AsyncBaseTransport:
    """The transport for real network calls: it connects only to addresses the policy vetted."""
    return PinnedTransport(host_policy(tool, login=login))


def is_vendor_url(tool: Tool, url: str, *, login: bool = False) -> bool:
    """Whether ``url`` is the vendor's own (or the development sandbox on loopback), so what it
    answers may be shown to people; an arbitrary host's reply never is."""
    host = (urlsplit(url).hostname or "").lower()
    if not settings.is_production and (host == "localhost" or _loopback_literal(host)):
        return True
    return host_matches(host, _vendor_hosts(tool, login=login))


def _loopback_literal(host: str) -> bool:
    try:
        literal = ip_literal(host)
    except HostRefused:
        return False
    return literal is not None and literal.is_loopback
