"""In-memory Confluence site: accounts, spaces with a homepage, versioned pages, plus demo seed.

Shapes follow Confluence Cloud: space and page ids are numbers (v2 sends them as strings, v1 a space
id as a number), every new space gets a homepage, page titles are unique within a space, and
account ids are derived exactly as the Jira sandbox derives them, so one person has one account id
on both products of a tenant, as on a real Atlassian site.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from projecthub.sandbox.webhooks import Hook

SANDBOX_EMAIL = "demo@projecthub.example"
# A tenant whose name ends so behaves like a site without role-based access control, where the
# v2 "create space" call answers 404 and only v1 can create spaces.
NO_RBAC_SUFFIX = "-norbac"
SPACE_KEY = re.compile(r"^[A-Za-z0-9]{1,255}$")


@dataclass
class Account:
    account_id: str
    email: str
    display_name: str
    email_visible: bool = True
    active: bool = True

    @property
    def public_name(self) -> str:
        return self.display_name.split()[0] if self.display_name else ""


@dataclass
class Space:
    id: int
    key: str
    name: str
    author_id: str
    created_at: datetime
    description: str = ""
    type: str = "global"
    status: str = "current"
    homepage_id: int | None = None
    permissions: list[SpacePermission] = field(default_factory=list)


@dataclass(frozen=True)
class SpacePermission:
    """One grant of one operation to one account (v1 grants them one call at a time)."""

    id: int
    account_id: str
    key: str
    target: str


@dataclass
class Page:
    id: int
    space_id: int
    title: str
    author_id: str
    created_at: datetime
    parent_id: int | None = None
    status: str = "current"
    body: str = ""
    version: int = 1
    modified_at: datetime = field(init=False)
    modified_by: str = field(init=False)

    def __post_init__(self) -> None:
        self.modified_at, self.modified_by = self.created_at, self.author_id


def _wall_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class ConfluenceSite:
    """One sandbox tenant's Confluence. ``rbac`` off makes v2 space creation answer 404, and
    ``can_create_spaces`` off denies it on both APIs; ``now`` stamps new content (tests pass a
    fake clock's ``now``)."""

    tenant: str
    rbac: bool = True
    can_create_spaces: bool = True
    now: Callable[[], datetime] = _wall_clock
    accounts: list[Account] = field(default_factory=list)
    spaces: dict[int, Space] = field(default_factory=dict)
    pages: dict[int, Page] = field(default_factory=dict)
    hooks: dict[int, Hook] = field(default_factory=dict)  # site webhooks with a secret
    _next_space: int = 98305
    _next_page: int = 65537
    _next_permission: int = 4980737

    def __post_init__(self) -> None:
        self.rbac = self.rbac and not self.tenant.endswith(NO_RBAC_SUFFIX)

    def add_account(self, email: str, display_name: str, *, email_visible: bool = True,
                    active: bool = True) -> Account:
        digest = hashlib.sha1(f"{self.tenant}:{email}".encode()).hexdigest()
        account = Account(f"712020:{uuid.UUID(digest[:32])}", email, display_name,
                          email_visible, active)
        self.accounts.append(account)
        return account

    def account(self, account_id: str) -> Account | None:
        return next((a for a in self.accounts if a.account_id == account_id), None)

    def space_by_key(self, key: str) -> Space | None:
        return next((s for s in self.spaces.values() if s.key == key), None)

    def remove_space(self, space: Space) -> str:
        """Delete a space and its pages; the id of the (finished) long task that did it."""
        del self.spaces[space.id]
        self.pages = {i: p for i, p in self.pages.items() if p.space_id != space.id}
        return str(uuid.uuid4())

    def add_space(self, key: str, name: str, author: Account, *, description: str = "",
                  created: datetime | None = None) -> Space:
        """A space and its homepage, as Confluence creates them together."""
        space = Space(self._next_space, key, name, author.account_id, created or self.now(),
                      description)
        self._next_space += 1
        self.spaces[space.id] = space
        home = self.add_page(space, f"{name} Home", author, created=space.created_at)
        space.homepage_id = home.id
        return space

    def add_page(self, space: Space, title: str, author: Account, *, parent: Page | None = None,
                 body: str = "", created: datetime | None = None) -> Page:
        page = Page(self._next_page, space.id, title, author.account_id, created or self.now(),
                    parent.id if parent else None, body=body)
        self._next_page += 1
        self.pages[page.id] = page
        return page

    def edit_page(self, page: Page, editor: Account, *, at: datetime | None = None) -> Page:
        page.version += 1
        page.modified_at, page.modified_by = at or self.now(), editor.account_id
        return page

    def grant(self, space: Space, account_id: str, key: str, target: str) -> SpacePermission:
        permission = SpacePermission(self._next_permission, account_id, key, target)
        self._next_permission += 1
        space.permissions.append(permission)
        return permission

    def pages_in(self, space: Space, statuses: set[str]) -> list[Page]:
        return [p for p in self.pages.values() if p.space_id == space.id and p.status in statuses]


def space_problem(site: ConfluenceSite, key: object, name: object) -> str | None:
    """Why Confluence would refuse to create this space, in its words, or ``None``."""
    if not isinstance(name, str) or not name.strip():
        return "Space name cannot be empty"
    if len(name) > 200:
        return "Space name cannot be longer than 200 characters"
    if not isinstance(key, str) or not SPACE_KEY.fullmatch(key):
        return f"Invalid space key: {key}. Space keys can only contain alphanumeric characters"
    if any(s.key.casefold() == key.casefold() for s in site.spaces.values()):
        return f"A space already exists with key {key}"
    return None


def seed_demo(site: ConfluenceSite) -> None:
    """A believable small site: the Jira demo people, two team spaces with edited pages."""
    admin = site.add_account(SANDBOX_EMAIL, "Demo Admin")
    ana = site.add_account("ana.lopez@projecthub.example", "Ana López")
    ben = site.add_account("ben.okafor@projecthub.example", "Ben Okafor", email_visible=False)
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    web = site.add_space("WEB", "Website Relaunch", admin, created=start,
                         description="Plans, decisions and notes for the new website.")
    home = site.pages[web.homepage_id or 0]
    plan = [("Project charter", ana), ("Sitemap", ana), ("Content guidelines", ben),
            ("Meeting notes 2026-01-12", admin), ("Launch checklist", ana)]
    for n, (title, author) in enumerate(plan):
        page = site.add_page(web, title, author, parent=home,
                             body=f"<p>{title} for the website relaunch.</p>",
                             created=start + timedelta(days=n, hours=1))
        if n % 2 == 0:
            site.edit_page(page, ben, at=start + timedelta(days=n + 3))
    ops = site.add_space("OPS", "Operations", admin, created=start + timedelta(days=1))
    ops_home = site.pages[ops.homepage_id or 0]
    for n in range(1, 4):
        site.add_page(ops, f"Runbook {n}", admin, parent=ops_home,
                      body=f"<p>Steps for runbook {n}.</p>",
                      created=start + timedelta(days=2, hours=n))


__all__ = ["NO_RBAC_SUFFIX", "SANDBOX_EMAIL", "Account", "ConfluenceSite", "Page", "Space",
           "seed_demo", "space_problem"]
