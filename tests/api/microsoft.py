"""Sign in with Microsoft over HTTP as a browser does it: start, the sandbox's account picker,
the callback, with the sandbox's Entra ID served in process."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.testclient import TestClient

from projecthub.core.config import settings
from projecthub.sandbox import SandboxApp, create_sandbox_app
from projecthub.sandbox.entra_signin import SignInDirectory
from projecthub.services import microsoft_signin
from tests.sandbox.entra_signin import sign_in_directory

ORIGIN = "http://localhost:3000"  # the pages' origin in development (an allowed one)


@dataclass
class Entra:
    sandbox: SandboxApp
    browser: TestClient  # the person's browser on Entra's pages

    @property
    def directory(self) -> SignInDirectory:
        return sign_in_directory(self.sandbox)


def serve_entra(monkeypatch: pytest.MonkeyPatch) -> Iterator[Entra]:
    """The sandbox as the instance's Entra ID (sandbox on, no app registration configured)."""
    sandbox = create_sandbox_app(seed_demo=False)
    monkeypatch.setattr(settings, "SANDBOX", True)
    monkeypatch.setattr(settings, "MICROSOFT_CLIENT_ID", None)
    monkeypatch.setattr(microsoft_signin, "transport",
                        lambda: httpx.ASGITransport(app=sandbox))
    with TestClient(sandbox) as browser:
        yield Entra(sandbox, browser)


def start(client: TestClient, next_path: str = "/projects",
          origin: str = ORIGIN) -> httpx.Response:
    response = client.get("/api/v1/auth/microsoft/start",
                          params={"next": next_path, "origin": origin}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response


def pick(entra: Entra, authorize_url: str, email: str, name: str = "Ada Lovelace") -> str:
    """The person picks (or types) their account; the callback URL Entra redirects to."""
    response = entra.browser.post(authorize_url, data={"email": email, "name": name},
                                  follow_redirects=False)
    assert response.status_code == 302, response.text
    return response.headers["location"]


def sign_in(client: TestClient, entra: Entra, email: str,
            name: str = "Ada Lovelace") -> httpx.Response:
    """The whole round trip; the callback's response (a redirect)."""
    callback = pick(entra, start(client).headers["location"], email, name)
    return client.get(callback, follow_redirects=False)


def reason(response: httpx.Response) -> str | None:
    """The refusal the login page is asked to show, if the browser is sent there."""
    location = urlsplit(response.headers["location"])
    return parse_qs(location.query).get("microsoft", [None])[0]
