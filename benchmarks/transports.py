"""What-ifs for the status sync, through ``ToolClients``' own ``transport_factory`` hook.

The app shares one SSL context per process (``connectors/tls.py``) and one MSAL application per
connection (``connectors/graph_auth.MsalApplications``). These measure the alternatives in the
same run:

- ``before``: as before issue 13, each connector's transport builds its own SSL context (the CA
  bundle parsed again, 10-50 ms of CPU on the event loop) and its own MSAL application (an
  OpenID discovery request to Entra ID per connector; tokens still come from a shared cache);
- ``shared-transport``: one pooled transport per vendor origin for every connector.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

from projecthub.connectors.graph_auth import MsalApplication, MsalApplications
from projecthub.connectors.tls import ssl_context
from projecthub.services import tool_clients

WHAT_IFS = ("none", "before", "shared-transport")


def add_what_if_option(parser: argparse.ArgumentParser,
                       choices: tuple[str, ...] = WHAT_IFS) -> None:
    parser.add_argument("--what-if", choices=choices, nargs="+", default=["none"],
                        help="measure an alternative (see benchmarks/transports.py), each in "
                             "turn in the same run; none: the app as it is")


def transport_factory(what_if: str) -> Callable[[str], httpx.AsyncBaseTransport] | None:
    """The ``transport_factory`` for one what-if (``None``: the app's own vetted transports)."""
    if what_if == "before":
        return lambda _url: httpx.AsyncHTTPTransport()
    if what_if == "shared-transport":
        return TransportPool()
    return None


class _DiscoveryPerConnector(MsalApplications):
    """MSAL as before issue 13: a shared token cache per connection, a new application (and so
    a new OpenID discovery) per connector."""

    def get(self, *, connection: str, authority: str, login_url: str | None, client_id: str,
            client_secret: str) -> MsalApplication:
        shared = super().get(connection=connection, authority=authority, login_url=login_url,
                             client_id=client_id, client_secret=client_secret)
        return MsalApplication(shared.cache)


@contextmanager
def msal_applications(what_if: str) -> Iterator[None]:
    """Swap the process's MSAL registry for the what-if's (and back)."""
    saved = tool_clients.MSAL_APPLICATIONS
    tool_clients.MSAL_APPLICATIONS = (
        _DiscoveryPerConnector() if what_if == "before" else MsalApplications())
    try:
        yield
    finally:
        tool_clients.MSAL_APPLICATIONS = saved


class SharedTransport(httpx.AsyncBaseTransport):
    """A pooled transport that outlives the connectors using it (their ``aclose`` is ignored)."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport(
            verify=ssl_context(),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Connectors close their clients after every use; the pool must stay."""

    async def shutdown(self) -> None:
        await self._inner.aclose()


class TransportPool:
    """``transport_factory`` for ``ToolClients``: one :class:`SharedTransport` per origin."""

    def __init__(self) -> None:
        self._by_origin: dict[tuple[str, str, int | None], SharedTransport] = {}

    def __call__(self, base_url: str) -> httpx.AsyncBaseTransport:
        url = httpx.URL(base_url)
        origin = (url.scheme, url.host, url.port)
        if origin not in self._by_origin:
            self._by_origin[origin] = SharedTransport()
        return self._by_origin[origin]

    async def shutdown(self) -> None:
        for transport in self._by_origin.values():
            await transport.shutdown()
        self._by_origin.clear()


__all__ = ["WHAT_IFS", "SharedTransport", "TransportPool", "add_what_if_option",
           "msal_applications", "ssl_context", "transport_factory"]
