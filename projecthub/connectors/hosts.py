"""Which hosts a connector may reach, and an HTTP transport that connects only to vetted addresses.

Tenant owners choose a tool's base URL, so the host is hostile input: it could name loopback, the
private network or a cloud metadata service (SSRF). :class:`HostPolicy` resolves the name and
refuses it unless every address is public; :class:`PinnedTransport` re-checks at every connection
and dials the address it vetted (no second lookup, so DNS rebinding cannot swap it), while TLS
still verifies the certificate and sends SNI and ``Host`` for the name.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
import httpcore
import httpx

from projecthub.connectors.tls import ssl_context

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], Sequence[str]]
"""A host name to its addresses (what ``getaddrinfo`` answers); injectable for tests."""

# WHATWG URL rule: a host whose last label is a number is an IPv4 address in any of the forms
# inet_aton accepts (2130706433, 127.1, 0x7f.1, 0177.0.0.1).
_NUMERIC_LABEL = re.compile(r"(0x[0-9a-f]*|[0-9]+)", re.IGNORECASE)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class HostRefused(httpcore.ConnectError):
    """The host is not one a connector may reach; the message says why, for a person."""


class HostNotFound(HostRefused):
    """The name does not resolve (yet): refused for a connection, harmless to save."""


def system_resolver(host: str) -> list[str]:
    """The operating system's answer for ``host``, each address once."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise HostNotFound(f"{host} could not be found") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def ip_literal(host: str) -> IPAddress | None:
    """The address a host spells directly, in any notation a resolver accepts, else ``None``."""
    bare = host.strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if not _NUMERIC_LABEL.fullmatch(bare.rsplit(".", 1)[-1]):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(bare))
    except OSError:
        raise HostRefused(f"{host} is not a valid address") from None


def _embedded_ipv4(address: IPAddress) -> list[IPAddress]:
    """IPv4 addresses an IPv6 address carries (mapped, 6to4, Teredo, NAT64): vetted too."""
    if isinstance(address, ipaddress.IPv4Address):
        return []
    found: list[IPAddress] = [a for a in (address.ipv4_mapped, address.sixtofour) if a]
    if address.teredo:
        found.extend(address.teredo)
    if address in _NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def _is_public(address: IPAddress) -> bool:
    return (address.is_global and not address.is_multicast and not address.is_reserved
            and not address.is_unspecified and not address.is_link_local
            and not address.is_private and not address.is_loopback)


def _is_loopback(address: IPAddress) -> bool:
    return address.is_loopback or any(a.is_loopback for a in _embedded_ipv4(address))


def host_matches(host: str, patterns: Iterable[str]) -> bool:
    """``*.atlassian.net`` matches any subdomain (not the bare domain); others match exactly."""
    name = host.lower().rstrip(".")
    for pattern in patterns:
        if pattern.startswith("*."):
            if name.endswith(pattern[1:]) and len(name) > len(pattern) - 1:
                return True
        elif name == pattern:
            return True
    return False


@dataclass(frozen=True)
class HostPolicy:
    """What one connection may reach. ``allowed_hosts`` (``None``: any public host) is the
    per-tool allow-list; ``allow_loopback`` lets development reach the built-in sandbox."""

    allow_loopback: bool = False
    allowed_hosts: tuple[str, ...] | None = None
    refused_hosts: frozenset[str] = frozenset()
    resolver: Resolver = field(default=system_resolver, compare=False)

    def vet(self, host: str) -> list[IPAddress]:
        """The addresses ``host`` may be reached at; raises :class:`HostRefused` otherwise.

        Every address must pass: one private answer among public ones refuses the host."""
        name = host.lower().strip("[]").rstrip(".")
        if not name or name in self.refused_hosts:
            raise HostRefused(f"{host or 'an empty host'} may not be used as a tool's address")
        literal = ip_literal(name)
        local = self.allow_loopback and (
            name == "localhost" or (literal is not None and _is_loopback(literal)))
        if (not local and self.allowed_hosts is not None
                and not host_matches(name, self.allowed_hosts)):
            raise HostRefused(f"{host} is not one of this tool's hosts "
                              f"({', '.join(self.allowed_hosts)})")
        addresses = [literal] if literal is not None else self._resolve(name)
        for address in addresses:
            if self.allow_loopback and _is_loopback(address):
                continue
            if not all(_is_public(a) for a in (address, *_embedded_ipv4(address))):
                raise HostRefused(f"{host} points to a private or reserved address "
                                  f"({address}); only public hosts can be used")
        return addresses

    def _resolve(self, name: str) -> list[IPAddress]:
        answers = list(self.resolver(name))
        if not answers:
            raise HostNotFound(f"{name} could not be found")
        return [ipaddress.ip_address(a.split("%", 1)[0]) for a in answers]


class _VettingBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections only to addresses the policy vetted, resolved once per connection."""

    def __init__(self, policy: HostPolicy) -> None:
        self._policy = policy
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None,
        local_address: str | None = None, socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await anyio.to_thread.run_sync(self._policy.vet, host)
        failure: httpcore.ConnectError | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout=timeout, local_address=local_address,
                    socket_options=socket_options)
            except httpcore.ConnectError as exc:
                failure = exc
        assert failure is not None  # vet() never returns an empty list
        raise failure

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None,  # noqa: ARG002 (the interface's)
        socket_options: Iterable[Any] | None = None,  # noqa: ARG002
    ) -> httpcore.AsyncNetworkStream:
        raise HostRefused("unix sockets are not a tool's address")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (TLS, pooling, HTTP/1.1) over :class:`_VettingBackend`; no proxy
    from the environment, so nothing but the vetted address is ever dialled."""

    def __init__(self, policy: HostPolicy) -> None:
        context = ssl_context(trust_env=False)
        super().__init__(verify=context, trust_env=False)
        # httpx builds its pool without a way to pass the backend; swap in an identical pool.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=context, network_backend=_VettingBackend(policy))


def refusal(exc: BaseException) -> HostRefused | None:
    """The policy refusal behind a transport error (httpx wraps httpcore's), if that was it."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, HostRefused):
            return cause
        cause = cause.__cause__
    return None


__all__ = ["HostNotFound", "HostPolicy", "HostRefused", "PinnedTransport", "Resolver",
           "host_matches", "ip_literal", "refusal", "system_resolver"]
