"""What-ifs for the status sync, through ``ToolClients``' own ``transport_factory`` hook.

Today each connector builds its own ``httpx.AsyncClient``, and with it a new SSL context (the CA
bundle parsed again, about 50 ms of CPU on the event loop here) and a new connection pool (against
a real https vendor, a new TLS handshake per connector). These measure what sharing would save,
without changing the app:

- ``shared-ssl``: a transport per connector as today, but one SSL context for the process;
- ``shared-transport``: one pooled transport per vendor origin for every connector.
"""

from __future__ import annotations

import argparse
import functools
import ssl
from collections.abc import Callable

import httpx

WHAT_IFS = ("none", "shared-ssl", "shared-transport")


def add_what_if_option(parser: argparse.ArgumentParser,
                       choices: tuple[str, ...] = WHAT_IFS) -> None:
    parser.add_argument("--what-if", choices=choices, default="none",
                        help="measure a proposed fix (see benchmarks/transports.py); none: the "
                             "app as it is")


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()


def transport_factory(what_if: str) -> Callable[[str], httpx.AsyncBaseTransport] | None:
    """The ``transport_factory`` for one what-if (``None``: the app's own behaviour)."""
    if what_if == "shared-ssl":
        return lambda _url: httpx.AsyncHTTPTransport(verify=shared_ssl_context())
    if what_if == "shared-transport":
        return TransportPool()
    return None


class SharedTransport(httpx.AsyncBaseTransport):
    """A pooled transport that outlives the connectors using it (their ``aclose`` is ignored)."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport(
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
           "shared_ssl_context", "transport_factory"]
