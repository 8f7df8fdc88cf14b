"""Where a login may send the browser next (``?next=``): a path on this site, never another
origin. The server (Reflex redirects) and the browser (after the login ``fetch``) apply the same
rule with their own URL parser, because each hand-written prefix check missed a trick: browsers
drop tabs and newlines anywhere in a URL (``/<TAB>/evil.example`` is ``//evil.example``), read
``\\`` as ``/``, and decode ``%2F`` on some routes.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

# Control characters and spaces, which browsers strip or ignore inside URLs.
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f]")
# Backslashes, and control characters, spaces or slashes in percent-encoded form. An empty path
# segment (``//``) is refused too: parsers disagree on it, and no page of ours needs one.
_DISGUISED = re.compile(r"\\|%(?:[01][0-9a-f]|20|2f|5c|7f)", re.IGNORECASE)
_PROBE_ORIGIN = "https://origin.invalid"


def local_path(wanted: str, fallback: str = "/dashboard") -> str:
    """``wanted`` as a same-origin path (with query and fragment), else ``fallback``."""
    cleaned = _INVISIBLE.sub("", wanted)
    if (not cleaned.startswith("/") or _DISGUISED.search(cleaned)
            or "//" in re.split(r"[?#]", cleaned, maxsplit=1)[0]):
        return fallback
    url = urlsplit(urljoin(_PROBE_ORIGIN + "/", cleaned))
    path = urlunsplit(("", "", url.path, url.query, url.fragment))
    same_origin = f"{url.scheme}://{url.netloc}" == _PROBE_ORIGIN
    return path if same_origin and path.startswith("/") and not path.startswith("//") else fallback


# The same rule for the browser: (wanted, fallback, origin) -> a path.
SAFE_NEXT_JS = r"""
(wanted, fallback, origin) => {
  const cleaned = (wanted || "").replace(/[\u0000-\u0020\u007f-\u009f]/g, "");
  if (!cleaned.startsWith("/") || /\\|%(?:[01][0-9a-f]|20|2f|5c|7f)/i.test(cleaned)
      || cleaned.split(/[?#]/)[0].includes("//")) {
    return fallback;
  }
  let url;
  try {
    url = new URL(cleaned, origin);
  } catch (error) {
    return fallback;
  }
  const path = url.pathname + url.search + url.hash;
  const ok = url.origin === origin && path.startsWith("/") && !path.startsWith("//");
  return ok ? path : fallback;
}
"""
