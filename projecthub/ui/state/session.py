"""The signed-in person as the UI shows them, and the one way handlers find out who is asking.

Public vars hold display data only. The session token stays in the HttpOnly cookie: handlers read
it from the websocket handshake (``router.headers.cookie``, which Reflex never sends to the
browser) and resolve it again on every call, so a stale tab or a forged event gets nothing.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from urllib.parse import quote

import reflex as rx
from reflex_base.event import EventCallback, EventSpec
from reflex_base.event.context import EventContext
from sqlmodel import Session

from projecthub.core import log_context
from projecthub.core.db import session_scope
from projecthub.core.errors import (
    AppError,
    Invalid,
    NotAuthenticated,
    NotFound,
    OrganizationSuspended,
)
from projecthub.core.web import session_token_from_header
from projecthub.services import orgs, projects, sessions, verification
from projecthub.services.microsoft_orgs import MicrosoftRequired
from projecthub.services.principal import Actor, Principal
from projecthub.services.sessions import SessionContext
from projecthub.ui.typed import event

ADMIN_ROLES = ("owner", "admin")
# What a handler hands back to the browser: nothing, one event (a redirect, a toast, another
# handler) or several.
Event = EventSpec | EventCallback[()]
Events = Event | list[Event] | None
# Loads the row a page's URL names as a principal, or raises NotFound (projects.get_project).
Locate = Callable[[Session, Principal, uuid.UUID], object]


def then(events: Events, *more: Event) -> list[Event]:
    """``events`` (none, one or several) followed by ``more``."""
    listed = events if isinstance(events, list) else [events] if events else []
    return [*listed, *more]


@dataclasses.dataclass(frozen=True)
class OrgChoice:
    """An organization in the switcher."""

    id: str
    name: str
    role: str
    suspended: bool
    current: bool


class SessionState(rx.State):
    """Base of every ProjectHub state: display data about the person and their organization."""

    logged_in: rx.Field[bool] = rx.field(False)
    user_name: rx.Field[str] = rx.field("")
    user_email: rx.Field[str] = rx.field("")
    is_instance_admin: rx.Field[bool] = rx.field(False)
    # Until the address is confirmed a banner asks for it (services.verification).
    email_unverified: rx.Field[bool] = rx.field(False)
    org_name: rx.Field[str] = rx.field("")
    role: rx.Field[str] = rx.field("")
    # Why the current organization cannot be shown (suspended, none chosen); "" when it can.
    org_problem: rx.Field[str] = rx.field("")
    org_suspended: rx.Field[bool] = rx.field(False)
    # The organization requires Sign in with Microsoft and this session did not use it.
    org_needs_microsoft: rx.Field[bool] = rx.field(False)
    orgs: rx.Field[list[OrgChoice]] = rx.field(default_factory=list)
    # Field (or form section) -> message, shown next to the input it is about.
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    # "<websocket id> <URL>" of the page whose load last checked the session and filled its
    # vars in one event (``_mark_checked``); the shell shows that page without waiting for the
    # rest of Reflex's on_load chain (docs/architecture.md §16).
    checked_view: rx.Field[str] = rx.field("")

    @rx.var
    def is_org_admin(self) -> bool:
        return self.role in ADMIN_ROLES

    @rx.var
    def initials(self) -> str:
        words = (self.user_name or self.user_email).split()
        return "".join(word[0] for word in words[:2]).upper() or "?"

    # Server-side helpers: the leading underscore keeps them out of the browser's reach.

    def _context(self, db: Session) -> SessionContext:
        log_context.begin_event(_event_id())  # this event's log lines share a request id
        token = session_token_from_header(self.router.headers.cookie)
        context = sessions.resolve_session(db, token)
        log_context.bind(user_id=context.actor.user_id)
        return context

    def _actor(self, db: Session) -> Actor:
        return self._context(db).actor

    def _principal(self, db: Session) -> Principal:
        return sessions.session_principal(db, self._context(db))

    def _refresh(self, db: Session) -> Principal | None:
        """Fill the display vars for a page load; the principal, or None (see ``org_problem``)."""
        context = self._context(db)
        self.logged_in = True
        self.user_name = context.display_name
        self.user_email = context.actor.email
        self.is_instance_admin = context.actor.is_instance_admin
        self.email_unverified = not verification.is_verified(db, context.actor.user_id)
        self.errors = {}
        mine = orgs.list_my_organizations(db, context.actor)
        current = context.current_org_id
        self.orgs = [OrgChoice(str(o.id), o.name, o.role.value, o.status == "suspended",
                               o.id == current) for o in mine]
        self.org_name = next((o.name for o in mine if o.id == current), "")
        try:
            principal = sessions.session_principal(db, context)
        except (NotFound, OrganizationSuspended, MicrosoftRequired) as exc:
            self.role = ""
            self.org_problem = exc.message
            self.org_suspended = isinstance(exc, OrganizationSuspended)
            self.org_needs_microsoft = isinstance(exc, MicrosoftRequired)
            return None
        self.role = principal.role.value
        self.org_problem = ""
        self.org_suspended = self.org_needs_microsoft = False
        return principal

    def _mark_checked(self) -> None:
        """For a page whose one on_load handler fills all it shows: its session is checked and
        its vars are set in this event. A snapshot a new connection receives (another websocket
        id) or a navigation (another URL) never matches, so stale vars never show."""
        self.checked_view = f"{self.router.session.session_id} {self.router.url}"

    def _to_login(self) -> EventSpec:
        self.logged_in = False
        path = self.router.url.path
        return rx.redirect(f"/login?next={quote(path)}" if path.startswith("/") else "/login")

    def _load_page(self, fill: Callable[[Session, Principal], None],
                   field: str = "form") -> EventSpec | None:
        """A signed-in page's on_load: refresh the shell, then ``fill`` the page's own vars
        (skipped when the organization is suspended or missing; errors shown at ``field``)."""
        try:
            with session_scope() as db:
                principal = self._refresh(db)
                if principal is not None:
                    fill(db, principal)
        except AppError as exc:
            return self._fail(exc, field=field)
        return None

    def _load_row(self, raw_id: str, fill: Callable[[Session, Principal, uuid.UUID], None],
                  label: str = "Project",
                  locate: Locate = projects.get_project) -> tuple[EventSpec | None, str]:
        """The on_load of a page about one row named in its URL (a project): ``_load_page``
        with the id parsed first, following a link into another of the person's organizations
        (``_reach``). A row missing or not the person's is the problem the page shows instead,
        returned with the event for a lost session (or the notice of a switch)."""
        try:
            with session_scope() as db:
                principal = self._refresh(db)
                row_id = parse_id(raw_id, label)
                reached, notice = self._reach(db, principal, row_id, locate)
                if reached is None:
                    if principal is None:
                        return None, ""  # the page says why the organization cannot be shown
                    raise NotFound(f"{label} not found.")
                fill(db, reached, row_id)
        except NotAuthenticated as exc:
            return self._fail(exc), ""
        except AppError as exc:
            return None, exc.message
        return notice, ""

    def _reach(self, db: Session, principal: Principal | None, row_id: uuid.UUID,
               locate: Locate) -> tuple[Principal | None, EventSpec | None]:
        """Who sees the row a link names: the current principal, or another of the person's
        organizations that sees it, made current (with a notice saying so); None if neither."""
        if principal is not None:
            try:
                locate(db, principal, row_id)
                return principal, None
            except NotFound:
                pass
        other = sessions.switch_to_holder(db, self._context(db),
                                          lambda s, p: locate(s, p, row_id))
        if other is None:
            return None, None
        self._refresh(db)
        return other, rx.toast.info(f"Switched to {self.org_name}, where this link belongs.")

    def _fail(self, exc: AppError, field: str = "form") -> EventSpec | None:
        """The UI's one place where a typed error becomes what a person sees: field messages
        next to their inputs, anything else next to the form or section named by ``field``."""
        if isinstance(exc, NotAuthenticated):
            return self._to_login()
        if isinstance(exc, OrganizationSuspended):
            self.org_problem = exc.message
            self.org_suspended = True
            return None
        self.errors = dict(exc.fields) if isinstance(exc, Invalid) and exc.fields else {
            field: exc.message}
        return None

    def _fill(self, db: Session, principal: Principal) -> None:
        """Pages with rows override this to reload them after a change."""

    def _attempt(self, work: Callable[[Session], object], *, success: str, field: str = "form",
                 field_for: dict[type[AppError], str] | None = None,
                 clear: tuple[str, ...] = ()) -> Events:
        """Run ``work`` in one transaction. Success: a toast, and the ``clear`` inputs emptied.
        Failure: the message next to ``field`` (or the one ``field_for`` names for its type)."""
        self.errors = {}
        try:
            with session_scope() as db:
                work(db)
        except AppError as exc:
            return self._fail(exc, field=(field_for or {}).get(type(exc), field))
        return [rx.toast.success(success), *(rx.set_value(f"field-{name}", "") for name in clear)]

    def _tenant_action(self, action: Callable[[Session, Principal], object], *, success: str,
                       field: str = "form") -> Events:
        """One service call as the current principal, then the page's rows reloaded."""
        def work(db: Session) -> None:
            principal = self._principal(db)
            action(db, principal)
            self._fill(db, principal)
        return self._attempt(work, success=success, field=field)

    @event
    def require_login(self) -> EventSpec | None:
        """on_load of pages that show only the session's own data (dashboard, new organization)."""
        return self._check_login()

    def _check_login(self) -> EventSpec | None:
        """The session refreshed, or why it can't be (for on_load handlers that do more)."""
        try:
            with session_scope() as db:
                self._refresh(db)
        except AppError as exc:
            return self._fail(exc)
        return None

    @event
    def switch_org(self, org_id: str) -> EventSpec:
        """Make another of the person's organizations current (anyone else's is not found)."""
        try:
            with session_scope() as db:
                org = parse_id(org_id, "Organization")
                sessions.switch_organization(db, self._context(db), org)
        except NotAuthenticated:
            return self._to_login()
        except AppError as exc:
            return rx.toast.error(exc.message)
        return rx.redirect("/dashboard")


def _event_id() -> str:
    """Reflex's transaction id of the event being handled (a fresh id outside one: tests)."""
    try:
        return EventContext.get().txid
    except LookupError:
        return log_context.new_request_id()


def parse_id(value: str, label: str) -> uuid.UUID:
    """An id from the browser; anything malformed is simply not found."""
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound(f"{label} not found.") from exc
