"""Driving the sandbox's "Sign in with Microsoft" as a browser would: pick an account on the
authorize page, follow the redirect back with its code."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from projecthub.sandbox import SandboxApp
from projecthub.sandbox.entra_signin import SignInDirectory

SANDBOX_LOGIN = "http://sandbox.test/sandbox/graph/login"
REDIRECT_URI = "http://sandbox.test/api/v1/auth/microsoft/callback"
APP_ID = "6731de76-14a6-49ae-97bc-6eba6914391e"
APP_SECRET = "sandbox-demo"


def sign_in_directory(app: SandboxApp) -> SignInDirectory:
    """The sandbox's signing key and codes (``next_claims`` bends the next ID token)."""
    graph = app.vendors["graph"]
    return graph.issuer.sign_in  # type: ignore[attr-defined, no-any-return]


async def pick_account(http: httpx.AsyncClient, authorize_url: str, email: str,
                       name: str = "Test Person") -> dict[str, str]:
    """Post the picker's form for ``email``; the query of the redirect back (code, state)."""
    response = await http.post(authorize_url, data={"email": email, "name": name})
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}
