"""Sign-up, login and logout run in the browser with ``fetch`` against ``/api/v1/auth/*``.

The password goes from the form's DOM straight to the REST API: it never enters Reflex state or
a websocket frame. The API answers with an HttpOnly cookie that no script can read; a full page
load follows so the websocket reconnects carrying it. Only the API's error (``detail`` and
``fields``, never the input) is handed back to a state callback.
"""

from __future__ import annotations

import json
from typing import Any

import reflex as rx
from reflex.config import get_config
from reflex.utils.exec import is_prod_mode
from reflex_base.event import EventSpec

from projecthub.core.web import API_PREFIX
from projecthub.ui.next_path import SAFE_NEXT_JS

AUTH_PATH = f"{API_PREFIX}/auth"

# (formId, path, loginPath, fallback, apiBase) -> null after success (the page navigates), else
# the error. With a loginPath (sign-up), an accepted sign-up is followed by a login with the same
# email and password; if that fails, the sign-up's generic answer is shown (status 202).
_SUBMIT_JS = """
async (formId, path, loginPath, fallback, apiBase) => {
  const safeNext = __SAFE_NEXT__;
  const form = document.getElementById(formId);
  const button = form.querySelector("button[type=submit]");
  const body = {};
  for (const [key, value] of new FormData(form)) {
    if (typeof value === "string") body[key] = value;
  }
  const api = new URL(apiBase || window.location.origin);
  if (["localhost", "0.0.0.0", "[::]"].includes(api.hostname)) {
    api.hostname = window.location.hostname;
  }
  const next = safeNext(new URLSearchParams(window.location.search).get("next"), fallback,
                        window.location.origin);
  const post = (url, payload) => fetch(api.origin + url, {
    method: "POST", credentials: "include",
    headers: {"Content-Type": "application/json"}, body: JSON.stringify(payload),
  });
  if (button) button.disabled = true;
  let response;
  let accepted = null;
  try {
    response = await post(path, body);
    if (response.ok && loginPath) {
      accepted = await response.json().catch(() => ({}));
      response = await post(loginPath, {email: body.email, password: body.password});
    }
  } catch (error) {
    if (button) button.disabled = false;
    return {status: 0, detail: "Could not reach the server. Check your connection.", fields: {}};
  }
  if (response.ok) {
    window.location.assign(next);
    return null;
  }
  if (button) button.disabled = false;
  if (accepted && response.status === 401) {
    return {status: 202, detail: accepted.detail || "", fields: {}};
  }
  const data = await response.json().catch(() => ({}));
  const fields = Object.assign({}, data.fields || {});
  if (Array.isArray(data.detail)) {
    for (const problem of data.detail) {
      const name = (problem.loc || []).slice(-1)[0];
      if (name && !fields[name]) fields[name] = problem.msg;
    }
  }
  const detail = typeof data.detail === "string" ? data.detail
    : "Something went wrong. Please try again.";
  return {status: response.status, detail: detail, fields: fields};
}
""".replace("__SAFE_NEXT__", SAFE_NEXT_JS.strip())

_LOGOUT_JS = """
async (path, apiBase) => {
  const api = new URL(apiBase || window.location.origin);
  if (["localhost", "0.0.0.0", "[::]"].includes(api.hostname)) {
    api.hostname = window.location.hostname;
  }
  try {
    await fetch(api.origin + path, {method: "POST", credentials: "include"});
  } finally {
    // A new Reflex token: the tab's states (the last pages' rows) are never sent again.
    window.sessionStorage.removeItem("token");
    window.location.assign("/login");
  }
}
"""


# (path, fallback, apiBase): a full-page navigation to the API's Microsoft start route (never the
# SPA router, which would answer its own 404), with this page's origin and its safe ``?next=``.
_MICROSOFT_JS = """
(path, fallback, apiBase) => {
  const safeNext = __SAFE_NEXT__;
  const api = new URL(apiBase || window.location.origin);
  if (["localhost", "0.0.0.0", "[::]"].includes(api.hostname)) {
    api.hostname = window.location.hostname;
  }
  const url = new URL(api.origin + path);
  url.searchParams.set("next", safeNext(new URLSearchParams(window.location.search).get("next"),
                                        fallback, window.location.origin));
  url.searchParams.set("origin", window.location.origin);
  window.location.assign(url.toString());
}
""".replace("__SAFE_NEXT__", SAFE_NEXT_JS.strip())


def api_base() -> str:
    """Where the browser finds the API: the page's own origin in production (one port); in
    development the backend port from Reflex's ``api_url``. Cookies are per host, not port,
    so the session cookie set there also reaches the websocket."""
    return "" if is_prod_mode() else get_config().api_url.rstrip("/")


def _call(function_js: str, *args: Any) -> str:
    return f"({function_js.strip()})({', '.join(json.dumps(arg) for arg in args)})"


def submit_auth_form(form_id: str, endpoint: str, fallback: str,
                     callback: Any) -> EventSpec:
    """For a form's ``on_submit``: post its named inputs to ``/auth/<endpoint>`` (a sign-up is
    followed by a login), then load ``?next=`` (a same-origin path) or ``fallback``; on failure
    ``callback`` gets the error dict."""
    login_path = f"{AUTH_PATH}/login" if endpoint == "signup" else ""
    code = _call(_SUBMIT_JS, form_id, f"{AUTH_PATH}/{endpoint}", login_path, fallback,
                 api_base())
    return rx.call_script(code, callback=callback)


def sign_in_with_microsoft(fallback: str = "/dashboard") -> EventSpec:
    """Go to Microsoft's sign-in page by way of the API (which keeps the flow server-side)."""
    return rx.call_script(_call(_MICROSOFT_JS, f"{AUTH_PATH}/microsoft/start", fallback,
                                api_base()))


def logout() -> EventSpec:
    """End the session server-side (the API clears the cookie) and land on the login page."""
    return rx.call_script(_call(_LOGOUT_JS, f"{AUTH_PATH}/logout", api_base()))
