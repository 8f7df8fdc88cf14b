"""Times as the viewer reads them: in the browser's own time zone and locale (the server knows
neither), with the UTC time on hover; and data ages that tick on without a reload.

States hand over two strings per instant: its ISO form (UTC, with offset) for the browser to
convert, and the labelled UTC text from ``ui.format.when`` for the hover and for screen readers'
``title``. An empty ISO string means "never" and shows ``empty``."""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var
from reflex_components_moment.moment import Moment  # rx.moment: mypy sees the module

from projecthub.ui.typed import cond

# The browser's language, e.g. "de-AT"; moment picks its nearest locale ("de"). Guarded: the
# build may prerender a page, where there is no navigator.
BROWSER_LOCALE: Var[str] = Var(
    _js_expr="(typeof navigator === 'undefined' ? 'en' : navigator.language)", _var_type=str)
DATE_TIME_FORMAT = "lll"  # moment's localized date and time: "6 Dec 2026 16:12", "Dec 6, ..."
TIME_FORMAT = "LTS"  # the localized time of day with seconds: "16:12:05", "4:12:05 PM"
AGE_TICK_MS = 30_000


def local_time(iso: Var[str] | str, utc: Var[str] | str, *, empty: str = "—",
               fmt: str = DATE_TIME_FORMAT) -> rx.Component:
    """The instant in the viewer's zone and locale, its UTC time on hover."""
    return cond(iso != "", Moment.create(iso, format=fmt, local=True,
                                     locale=BROWSER_LOCALE, custom_attrs={"title": utc},
                                     data_testid="local-time"),
                rx.text(empty, as_="span"))


def time_ago(iso: Var[str] | str, utc: Var[str] | str, *, empty: str = "never") -> rx.Component:
    """"5 minutes ago", re-rendered every half minute; the UTC time on hover."""
    return cond(iso != "", Moment.create(iso, from_now=True, interval=AGE_TICK_MS,
                                     locale=BROWSER_LOCALE, custom_attrs={"title": utc},
                                     data_testid="time-ago"),
                rx.text(empty, as_="span"))
