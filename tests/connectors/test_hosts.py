"""SSRF guard: which hosts a connector may reach, and a transport that dials only vetted addresses
(issue 10, finding 4). Names resolve through a fake resolver, so no test depends on real DNS."""

from __future__ import annotations

from collections.abc import Sequence

import httpx
import pytest

from projecthub.connectors.base import ConnectorClient, VendorError
from projecthub.connectors.errors import ServerError
from projecthub.connectors.hosts import HostPolicy, HostRefused, PinnedTransport
from tests.loopback import serve

PUBLIC = "93.184.215.14"


def resolver(answers: dict[str, Sequence[str]]):  # type: ignore[no-untyped-def]
    def resolve(host: str) -> Sequence[str]:
        return answers[host]

    return resolve


FORBIDDEN_LITERALS = [
    "127.0.0.1", "127.1", "2130706433", "0x7f.1", "0177.0.0.1", "0x7f000001", "[::1]",
    "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "10.0.0.1", "172.16.5.4", "192.168.1.1",
    "169.254.169.254", "2852039166", "[fe80::1]", "[fc00::1]", "[fd12:3456::1]", "224.0.0.251",
    "[ff02::1]", "0.0.0.0", "0", "[::]", "240.0.0.1", "255.255.255.255", "100.64.0.1",
    "192.0.2.10", "[2002:7f00:1::1]", "[64:ff9b::a9fe:a9fe]", "[::ffff:169.254.169.254]",
    "[2001:db8::1]",
]


@pytest.mark.parametrize("host", FORBIDDEN_LITERALS)
def test_private_loopback_and_reserved_addresses_are_refused_in_every_notation(host):
    with pytest.raises(HostRefused):
        HostPolicy(resolver=resolver({})).vet(host)


@pytest.mark.parametrize("answers", [["169.254.169.254"], ["10.1.2.3"], ["::1"],
                                     [PUBLIC, "192.168.0.7"], ["fd00::5"]])
def test_a_name_resolving_to_any_private_address_is_refused(answers):
    with pytest.raises(HostRefused, match="private or reserved"):
        HostPolicy(resolver=resolver({"evil.example": answers})).vet("evil.example")


def test_a_public_name_and_a_public_literal_are_accepted():
    policy = HostPolicy(resolver=resolver({"acme.atlassian.net": [PUBLIC, "2606:4700::1"]}))
    assert [str(a) for a in policy.vet("acme.atlassian.net")] == [PUBLIC, "2606:4700::1"]
    assert [str(a) for a in policy.vet(PUBLIC)] == [PUBLIC]


def test_loopback_is_reachable_only_when_allowed_and_only_loopback():
    local = HostPolicy(allow_loopback=True,
                       resolver=resolver({"localhost": ["127.0.0.1", "::1"]}))
    assert len(local.vet("localhost")) == 2 and local.vet("127.0.0.1")
    with pytest.raises(HostRefused):
        local.vet("10.0.0.1")


def test_allow_list_accepts_vendor_subdomains_only():
    policy = HostPolicy(allowed_hosts=("*.atlassian.net", "api.productive.io"),
                        resolver=lambda _host: [PUBLIC])
    assert policy.vet("acme.atlassian.net") and policy.vet("API.productive.io.")
    for host in ("atlassian.net", "evilatlassian.net", "acme.atlassian.net.evil.example",
                 "productive.io", PUBLIC):
        with pytest.raises(HostRefused, match="not one of this tool's hosts"):
            policy.vet(host)


def test_refused_names_and_unknown_names_are_refused():
    policy = HostPolicy(refused_hosts=frozenset({"hub.example"}), resolver=resolver({"x": []}))
    with pytest.raises(HostRefused):
        policy.vet("hub.example")
    with pytest.raises(HostRefused, match="could not be found"):
        policy.vet("x")


def _echo_host():  # type: ignore[no-untyped-def]
    seen: list[str] = []

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        seen.append(dict(scope["headers"])[b"host"].decode())
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b"{}"})

    return app, seen


async def test_pinned_transport_dials_the_vetted_address_and_keeps_the_host_name():
    app, seen = _echo_host()
    with serve(app) as url:
        port = httpx.URL(url).port
        policy = HostPolicy(allow_loopback=True,
                            resolver=resolver({"vendor.test": ["127.0.0.1"]}))
        async with httpx.AsyncClient(transport=PinnedTransport(policy)) as client:
            response = await client.get(f"http://vendor.test:{port}/rest")
    assert response.status_code == 200 and seen == [f"vendor.test:{port}"]


async def test_rebinding_to_a_private_address_is_refused_at_request_time_without_connecting():
    app, seen = _echo_host()
    answers = iter([[PUBLIC], ["127.0.0.1"]])
    policy = HostPolicy(resolver=lambda _host: next(answers))
    policy.vet("rebind.example")  # the save-time check saw a public address
    with serve(app) as url:
        port = httpx.URL(url).port
        client = ConnectorClient(tool="jira", base_url=f"http://rebind.example:{port}",
                                 error_parser=lambda _s, _b: VendorError(""),
                                 transport=PinnedTransport(policy))
        async with client:
            with pytest.raises(ServerError, match="private or reserved address") as caught:
                await client.request("GET", "/rest/api/3/myself")
    assert seen == [] and caught.value.status is None
