"""Talking to the sandbox's fake Entra ID as MSAL would: the client credentials grant."""

from __future__ import annotations

import httpx

LOGIN = "http://sandbox.test/sandbox/graph/login"
DIRECTORY = "3f1d0a3e-4b0c-4d4e-9a57-2f0c1b7f6a10"
CLIENT_ID = "6731de76-14a6-49ae-97bc-6eba6914391e"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"


def token_form(secret: str = "sandbox-acme", **overrides: str) -> dict[str, str]:
    """The form of a client credentials grant for the sandbox app (``overrides`` replace fields)."""
    return {"client_id": CLIENT_ID, "client_secret": secret, "scope": GRAPH_SCOPE,
            "grant_type": "client_credentials", **overrides}


async def fetch_token(http: httpx.AsyncClient, secret: str = "sandbox-acme") -> str:
    """A Graph access token from the fake Entra ID, as MSAL would get it."""
    response = await http.post(f"{LOGIN}/{DIRECTORY}/oauth2/v2.0/token", data=token_form(secret))
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])
