"""``?next=`` after login stays on this site, on the server and in the browser (issue 10,
finding 3): every payload that a browser would resolve to another origin falls back."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from projecthub.ui import auth_client
from projecthub.ui.next_path import SAFE_NEXT_JS
from projecthub.ui.state.auth import local_path

ORIGIN = "http://localhost:3000"
FALLBACK = "/dashboard"
ATTACKS = [
    "//evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "/%09/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    " //evil.example",
    "\x00//evil.example",
    "/\x0b/evil.example",
    "https://evil.example",
    "http:evil.example",
    "HTTPS://evil.example/dashboard",
    "javascript:alert(1)",
    "\tjavascript:alert(1)",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "/%5C%5Cevil.example",
    "///evil.example",
    "/.//evil.example",
    "/..//evil.example",
    "//evil.example/%2e%2e",
    "%2F%2Fevil.example",
    "data:text/html,<script>alert(1)</script>",
    "",
]
LOCAL = {
    "/projects": "/projects",
    "/projects/42?tab=runs#top": "/projects/42?tab=runs#top",
    "/invite/inv_abc": "/invite/inv_abc",
    "/a/../dashboard": "/dashboard",
    "/projects?back=https://example.com/x": "/projects?back=https://example.com/x",
}


@pytest.mark.parametrize("wanted", ATTACKS)
def test_server_side_next_refuses_other_origins(wanted):
    assert local_path(wanted) == FALLBACK


@pytest.mark.parametrize(("wanted", "expected"), LOCAL.items())
def test_server_side_next_keeps_local_paths(wanted, expected):
    assert local_path(wanted) == expected


def _browser_rule(cases: list[str]) -> list[str]:
    """Run the browser's rule under Node, whose ``URL`` is the WHATWG parser browsers use."""
    node = shutil.which("node")
    assert node, "Node is part of the documented setup (Reflex builds with it)"
    script = (f"const rule = {SAFE_NEXT_JS.strip()};\n"
              f"const cases = {json.dumps(cases)};\n"
              f"console.log(JSON.stringify(cases.map("
              f"w => rule(w, {json.dumps(FALLBACK)}, {json.dumps(ORIGIN)}))));")
    output = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True,
                            timeout=30).stdout
    result: list[str] = json.loads(output)
    return result


def test_browser_side_next_refuses_other_origins():
    assert _browser_rule(ATTACKS) == [FALLBACK] * len(ATTACKS)


def test_browser_side_next_keeps_local_paths():
    assert _browser_rule(list(LOCAL)) == list(LOCAL.values())


def test_the_login_and_sign_up_forms_use_the_browser_rule():
    assert SAFE_NEXT_JS.strip() in auth_client._SUBMIT_JS
