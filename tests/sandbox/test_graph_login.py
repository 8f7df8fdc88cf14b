"""The sandbox's fake Entra ID on the wire: OpenID discovery, instance discovery, the client
credentials grant, and Entra's OAuth error bodies (AADSTS codes, trace ids)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import AsyncIterator

import httpx
import pytest

from projecthub.connectors.clock import FakeClock
from projecthub.sandbox import SandboxApp
from projecthub.sandbox.common import SandboxOptions
from projecthub.sandbox.graph import create_graph_sandbox
from tests.sandbox.entra import CLIENT_ID, DIRECTORY, LOGIN, token_form


def claims(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@pytest.fixture
def app() -> SandboxApp:
    options = SandboxOptions(sleep=FakeClock().sleep, admin_token="admin")
    return SandboxApp({"graph": create_graph_sandbox(options)})


@pytest.fixture
async def http(app) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        yield client


def assert_entra_error(response: httpx.Response, status: int, error: str, code: int) -> None:
    body = response.json()
    assert (response.status_code, body["error"], body["error_codes"]) == (status, error, [code])
    assert body["error_description"].startswith(f"AADSTS{code}: ")
    assert re.search(r"\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: ", body["error_description"])
    assert response.headers["x-ms-request-id"] == body["trace_id"]
    assert body["error_uri"] == f"https://login.microsoftonline.com/error?code={code}"


async def test_openid_configuration_names_the_public_cloud_endpoints(http):
    response = await http.get(f"{LOGIN}/{DIRECTORY}/v2.0/.well-known/openid-configuration")
    config = response.json()
    assert response.status_code == 200 and response.headers["x-ms-request-id"]
    assert config["token_endpoint"] == (
        f"https://login.microsoftonline.com/{DIRECTORY}/oauth2/v2.0/token")
    assert config["issuer"] == f"https://login.microsoftonline.com/{DIRECTORY}/v2.0"
    by_domain = await http.get(f"{LOGIN}/contoso.onmicrosoft.com/v2.0/.well-known/"
                               "openid-configuration")
    assert re.fullmatch(r"https://login\.microsoftonline\.com/[0-9a-f-]{36}/oauth2/v2\.0/token",
                        by_domain.json()["token_endpoint"])


async def test_malformed_and_missing_tenants_are_refused_as_entra_does(http):
    malformed = await http.get(f"{LOGIN}/contoso/v2.0/.well-known/openid-configuration")
    assert_entra_error(malformed, 400, "invalid_request", 900023)
    missing = await http.get(f"{LOGIN}/gone.invalid/v2.0/.well-known/openid-configuration")
    assert_entra_error(missing, 400, "invalid_tenant", 90002)


async def test_instance_discovery_points_at_the_tenants_configuration(http):
    response = await http.get(f"{LOGIN}/common/discovery/instance", params={
        "api-version": "1.1",
        "authorization_endpoint": f"https://login.microsoftonline.com/{DIRECTORY}/oauth2/"
                                  "v2.0/authorize"})
    body = response.json()
    assert body["tenant_discovery_endpoint"] == (
        f"https://login.microsoftonline.com/{DIRECTORY}/v2.0/.well-known/openid-configuration")
    assert "login.windows.net" in body["metadata"][0]["aliases"]


async def test_client_credentials_grant_issues_a_graph_token_with_the_tenants_roles(http):
    response = await http.post(f"{LOGIN}/{DIRECTORY}/oauth2/v2.0/token", data=token_form())
    body = response.json()
    assert (body["token_type"], body["expires_in"], body["ext_expires_in"]) == (
        "Bearer", 3599, 3599)
    assert response.headers["cache-control"] == "no-store, no-cache"
    payload = claims(body["access_token"])
    assert (payload["aud"], payload["tid"], payload["appid"], payload["idtyp"]) == (
        "https://graph.microsoft.com", DIRECTORY, CLIENT_ID, "app")
    assert "Team.Create" in payload["roles"]


async def test_the_secret_may_come_as_http_basic(http):
    form = token_form()
    del form["client_secret"], form["client_id"]
    basic = base64.b64encode(f"{CLIENT_ID}:sandbox-acme".encode()).decode()
    response = await http.post(f"{LOGIN}/{DIRECTORY}/oauth2/v2.0/token", data=form,
                               headers={"Authorization": f"Basic {basic}"})
    assert response.status_code == 200


@pytest.mark.parametrize(("overrides", "status", "error", "code"), [
    ({"client_secret": "guess"}, 401, "invalid_client", 7000215),
    ({"client_id": "my-app"}, 400, "unauthorized_client", 700016),
    ({"client_id": ""}, 400, "invalid_request", 900144),
    ({"scope": ""}, 400, "invalid_request", 900144),
    ({"scope": "User.Read.All"}, 400, "invalid_scope", 1002012),
    ({"scope": "https://management.azure.com/.default"}, 400, "invalid_resource", 500011),
    ({"grant_type": "password"}, 400, "unsupported_grant_type", 70003),
])
async def test_token_refusals_use_entras_codes(http, overrides, status, error, code):
    response = await http.post(f"{LOGIN}/{DIRECTORY}/oauth2/v2.0/token",
                               data=token_form(**overrides))
    assert_entra_error(response, status, error, code)


async def test_login_faults_are_queued_apart_and_answered_in_entras_shape(http):
    admin = {"X-Sandbox-Admin-Token": "admin"}
    queued = await http.post(f"{LOGIN}/_sandbox/faults", headers=admin,
                             json={"kind": "rate_limit", "retry_after": 12, "method": "POST"})
    assert queued.status_code == 200
    throttled = await http.post(f"{LOGIN}/{DIRECTORY}/oauth2/v2.0/token", data=token_form())
    assert_entra_error(throttled, 429, "temporarily_unavailable", 90055)
    assert throttled.headers["retry-after"] == "12"
    assert (await http.post(f"{LOGIN}/{DIRECTORY}/oauth2/v2.0/token",
                            data=token_form())).status_code == 200
