"""SSRF through tool base URLs (issue 10, finding 4): an owner may not point a connection at
loopback, the private network or a metadata service, when saving it nor (DNS rebinding) when it
is used, and a connection test never shows what an arbitrary host answered."""

from __future__ import annotations

import httpx
import pytest

from projecthub.core.config import settings
from projecthub.core.errors import Invalid
from projecthub.services import connection_checks, connections, tool_hosts
from projecthub.services.tool_clients import ToolClients
from tests.factories import make_org, owner_principal

PUBLIC = "93.184.215.14"
NAMES = {"metadata.evil.example": ["169.254.169.254"], "intranet.evil.example": ["10.0.0.8"],
         "acme.atlassian.net": [PUBLIC], "evil.example": [PUBLIC], "localhost": ["127.0.0.1"],
         "graph.microsoft.com": [PUBLIC]}


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch):  # type: ignore[no-untyped-def]
    answers = dict(NAMES)
    monkeypatch.setattr(tool_hosts, "resolver", lambda host: answers[host])
    return answers


@pytest.fixture
def production(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(type(settings), "is_production", property(lambda _self: True))


def _jira(db, p, url, name="Jira"):  # type: ignore[no-untyped-def]
    view = connections.create_connection(
        db, p, tool="jira", name=name, base_url=url,
        settings_values={"email": "ops@acme.example"}, secret_values={"api_token": "t" * 24})
    db.commit()  # as the caller's unit of work does; tool clients read it in their own session
    return view


@pytest.mark.usefixtures("production")
@pytest.mark.parametrize("url", [
    "https://169.254.169.254", "https://metadata.evil.example", "https://intranet.evil.example",
    "https://127.1", "https://2130706433", "https://0x7f.1", "https://[::ffff:10.0.0.1]",
    "https://[fd00::1]:8443", "https://localhost",
])
def test_internal_base_url_is_refused_when_saved_in_production(db, url):
    p = owner_principal(db, make_org(db))
    with pytest.raises(Invalid) as caught:
        _jira(db, p, url)
    assert "base_url" in caught.value.fields
    view = _jira(db, p, "https://acme.atlassian.net", name="ok")
    with pytest.raises(Invalid) as caught:
        connections.update_connection(db, p, view.id, base_url=url)
    assert "base_url" in caught.value.fields


@pytest.mark.usefixtures("production")
def test_graph_sign_in_host_is_vetted_too(db):
    p = owner_principal(db, make_org(db))
    with pytest.raises(Invalid) as caught:
        connections.create_connection(
            db, p, tool="graph", name="M365", base_url="https://graph.microsoft.com",
            settings_values={"tenant_id": "t", "client_id": "c",
                             "authority_host": "https://metadata.evil.example"},
            secret_values={"client_secret": "s" * 24})
    assert "authority_host" in caught.value.fields


def test_allow_list_accepts_only_the_vendors_hosts(db, monkeypatch, fake_dns):
    monkeypatch.setattr(settings, "TOOL_HOST_ALLOWLIST", True)
    fake_dns.update({"graph.microsoft.us": [PUBLIC], "login.microsoftonline.us": [PUBLIC]})
    p = owner_principal(db, make_org(db))
    with pytest.raises(Invalid):
        _jira(db, p, "https://evil.example")
    assert _jira(db, p, "https://acme.atlassian.net").base_url == "https://acme.atlassian.net"
    graph = connections.create_connection(
        db, p, tool="graph", name="Gov", base_url="https://graph.microsoft.us",
        settings_values={"tenant_id": "t", "client_id": "c",
                         "authority_host": "https://login.microsoftonline.us"},
        secret_values={"client_secret": "s" * 24})
    assert graph.settings["authority_host"] == "https://login.microsoftonline.us"
    # The development sandbox on loopback keeps working with the allow-list on.
    assert _jira(db, p, "http://localhost:8000/sandbox/jira", name="Sandbox")


def test_a_name_that_does_not_resolve_yet_is_saved_and_vetted_when_used(db, fake_dns):
    p = owner_principal(db, make_org(db))
    fake_dns["new-site.atlassian.net"] = []
    assert _jira(db, p, "https://new-site.atlassian.net").base_url


@pytest.mark.usefixtures("production")
async def test_rebinding_to_metadata_is_refused_when_the_connection_is_tested(db, fake_dns):
    p = owner_principal(db, make_org(db))
    view = _jira(db, p, "https://evil.example")
    fake_dns["evil.example"] = ["169.254.169.254"]
    tools = ToolClients(lambda: db, p)
    result = await connection_checks.check_connection(db, p, tools, view.id)
    assert not result.ok and "private or reserved address (169.254.169.254)" in result.message


def _replying(body: bytes, status: int = 404) -> httpx.MockTransport:
    return httpx.MockTransport(lambda _request: httpx.Response(
        status, content=body, headers={"content-type": "text/plain", "x-arequestid": "r-1"}))


async def test_connection_test_never_shows_an_arbitrary_hosts_reply(db):
    p = owner_principal(db, make_org(db))
    view = _jira(db, p, "https://evil.example")
    tools = ToolClients(lambda: db, p,
                        transport_factory=lambda _url: _replying(b"INTERNAL-ADMIN-PAGE"))
    result = await connection_checks.check_connection(db, p, tools, view.id)
    assert not result.ok and "INTERNAL-ADMIN-PAGE" not in result.message
    assert "answered HTTP 404" in result.message
    vendor = _jira(db, p, "https://acme.atlassian.net", name="Vendor")
    result = await connection_checks.check_connection(db, p, tools, vendor.id)
    assert "INTERNAL-ADMIN-PAGE" in result.message  # the vendor's own words are kept
