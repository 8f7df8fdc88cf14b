"""In-memory Jira site: users, projects with roles and issues, boards and sprints, plus demo seed.

Shapes follow Jira Cloud: project ids are numbers (strings in project JSON, an integer in the
create reply), issue keys count per project, status categories are ``new``/``indeterminate``/
``done`` (shown as To Do / In Progress / Done), scrum and kanban templates come with a board.
Due dates are calendar dates, as Jira's ``duedate`` is; the demo world is set in January 2026.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from projecthub.sandbox.webhooks import Hook

SANDBOX_EMAIL = "demo@projecthub.example"
CATEGORY_NAMES = {"new": "To Do", "indeterminate": "In Progress", "done": "Done"}
CATEGORY_IDS = {"new": 2, "indeterminate": 4, "done": 3}
CATEGORY_COLORS = {"new": "blue-gray", "indeterminate": "yellow", "done": "green"}
STATUSES = {"To Do": ("10000", "new"), "In Progress": ("3", "indeterminate"),
            "In Review": ("10001", "indeterminate"), "Done": ("10002", "done")}
ROLES = {10002: "Administrators", 10003: "Member", 10004: "Viewer"}
ISSUE_TYPES = {"10001": "Task", "10002": "Bug", "10003": "Story"}
BOARD_TEMPLATES = {"scrum": "scrum", "kanban": "kanban"}
# Every sandbox account's profile time zone; JQL dates such as startOfDay() are taken in it.
TIME_ZONE = "Europe/Berlin"


def _wall_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class User:
    account_id: str
    email: str
    display_name: str
    active: bool = True
    site_admin: bool = False
    time_zone: str = TIME_ZONE


@dataclass
class Issue:
    id: int
    key: str
    summary: str
    status: str
    created: datetime
    sprint_id: int | None = None
    due: date | None = None
    type_id: str = "10001"
    description: object = None
    updated: datetime | None = None  # last change; a new issue's is its creation

    def __post_init__(self) -> None:
        if self.updated is None:
            self.updated = self.created

    @property
    def category(self) -> str:
        return STATUSES[self.status][1]


@dataclass
class Project:
    id: int
    key: str
    name: str
    type_key: str
    template_key: str | None
    lead_account_id: str
    description: str = ""
    archived: bool = False
    roles: dict[int, list[str]] = field(default_factory=lambda: {r: [] for r in ROLES})
    issues: list[Issue] = field(default_factory=list)


@dataclass
class Board:
    id: int
    name: str
    type: str
    project_key: str


@dataclass
class Sprint:
    id: int
    board_id: int
    name: str
    state: str
    start: datetime | None = None
    end: datetime | None = None
    complete: datetime | None = None
    goal: str = ""


@dataclass
class JiraState:
    """One sandbox tenant's Jira site. Mutate through the ``add_*`` helpers to keep ids coherent;
    ``now`` is the site's clock (tests pass a fake clock's ``now``)."""

    tenant: str
    now: Callable[[], datetime] = _wall_clock
    users: list[User] = field(default_factory=list)
    projects: dict[str, Project] = field(default_factory=dict)
    boards: dict[int, Board] = field(default_factory=dict)
    sprints: dict[int, Sprint] = field(default_factory=dict)
    hooks: dict[int, Hook] = field(default_factory=dict)  # admin webhooks
    _next_project: int = 10000
    _next_issue: int = 10000
    _next_board: int = 1
    _next_sprint: int = 1
    _next_hook: int = 1

    def add_hook(self, name: str, url: str, events: list[str], secret: str) -> Hook:
        hook = Hook(self._next_hook, name, url, events, secret)
        self.hooks[self._next_hook] = hook
        self._next_hook += 1
        return hook

    def add_user(self, email: str, display_name: str, *, site_admin: bool = False,
                 active: bool = True) -> User:
        digest = hashlib.sha1(f"{self.tenant}:{email}".encode()).hexdigest()
        user = User(f"712020:{uuid.UUID(digest[:32])}", email, display_name, active, site_admin)
        self.users.append(user)
        return user

    def user(self, account_id: str) -> User | None:
        return next((u for u in self.users if u.account_id == account_id), None)

    def add_project(self, key: str, name: str, lead: User, *, type_key: str = "software",
                    template_key: str | None = None, description: str = "") -> Project:
        project = Project(self._next_project, key, name, type_key, template_key,
                          lead.account_id, description)
        project.roles[10002].append(lead.account_id)
        self._next_project += 1
        self.projects[key] = project
        style = next((b for t, b in BOARD_TEMPLATES.items() if t in (template_key or "")), None)
        if style:
            self.add_board(project, f"{key} board", style)
        return project

    def project(self, key_or_id: str) -> Project | None:
        if key_or_id in self.projects:
            return self.projects[key_or_id]
        return next((p for p in self.projects.values() if str(p.id) == key_or_id), None)

    def add_issue(self, project: Project, summary: str, status: str = "To Do", *,
                  created: datetime | None = None, sprint: Sprint | None = None,
                  due: date | None = None) -> Issue:
        issue = Issue(self._next_issue, f"{project.key}-{len(project.issues) + 1}", summary,
                      status, created or datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
                      sprint.id if sprint else None, due)
        self._next_issue += 1
        project.issues.append(issue)
        return issue

    def issue(self, key: str) -> Issue | None:
        project = self.projects.get(key.rsplit("-", 1)[0])
        return next((i for i in project.issues if i.key == key), None) if project else None

    def set_due_date(self, key: str, due: date | None) -> Issue:
        """Give the issue ``key`` a due date, or clear it with ``None``."""
        issue = self.issue(key)
        if issue is None:
            raise KeyError(key)
        issue.due, issue.updated = due, self.now()
        return issue

    def set_status(self, key: str, status: str) -> Issue:
        """Move the issue ``key`` to ``status`` (a name in :data:`STATUSES`), as a transition
        does: its ``updated`` moves to the site's now."""
        issue = self.issue(key)
        if issue is None or status not in STATUSES:
            raise KeyError(key if issue is None else status)
        issue.status, issue.updated = status, self.now()
        return issue

    def add_board(self, project: Project, name: str, board_type: str) -> Board:
        board = Board(self._next_board, name, board_type, project.key)
        self._next_board += 1
        self.boards[board.id] = board
        return board

    def add_sprint(self, board: Board, name: str, state: str, *, start: datetime | None = None,
                   days: int = 14, goal: str = "") -> Sprint:
        end = start + timedelta(days=days) if start else None
        sprint = Sprint(self._next_sprint, board.id, name, state, start, end,
                        end if state == "closed" else None, goal)
        self._next_sprint += 1
        self.sprints[sprint.id] = sprint
        return sprint


def seed_demo(state: JiraState) -> None:
    """A believable small site: people, two projects with work in every category, sprints."""
    admin = state.add_user(SANDBOX_EMAIL, "Demo Admin", site_admin=True)
    ana = state.add_user("ana.lopez@projecthub.example", "Ana López")
    state.add_user("ben.okafor@projecthub.example", "Ben Okafor")
    state.add_user("former.staff@projecthub.example", "Former Staff", active=False)
    web = state.add_project("WEB", "Website Relaunch", admin,
                            template_key="com.pyxis.greenhopper.jira:gh-simplified-scrum-classic")
    web.roles[10003].append(ana.account_id)
    board = next(b for b in state.boards.values() if b.project_key == "WEB")
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    closed = state.add_sprint(board, "WEB Sprint 1", "closed", start=start, goal="Wireframes")
    active = state.add_sprint(board, "WEB Sprint 2", "active", start=start + timedelta(days=14),
                              goal="Landing page")
    state.add_sprint(board, "WEB Sprint 3", "future")
    # Mid-sprint 2 (late January) "Review copy" and "Cookie banner" are overdue and still open.
    plan = [("Draft sitemap", "Done", closed, date(2026, 1, 9)),
            ("Wireframe home page", "Done", closed, date(2026, 1, 16)),
            ("Build landing page", "In Progress", active, date(2026, 1, 30)),
            ("Review copy", "In Review", active, date(2026, 1, 23)),
            ("Set up analytics", "To Do", active, date(2026, 2, 2)),
            ("Cookie banner", "To Do", None, date(2026, 1, 16)),
            ("Accessibility audit", "To Do", None, None)]
    for n, (summary, status, sprint, due) in enumerate(plan):
        state.add_issue(web, summary, status, created=start + timedelta(hours=n), sprint=sprint,
                        due=due)
    ops = state.add_project("OPS", "Operations", admin,
                            template_key="com.pyxis.greenhopper.jira:gh-simplified-kanban-classic")
    for n, (status, due) in enumerate([("Done", None), ("In Progress", date(2026, 2, 13)),
                                       ("To Do", None)]):
        state.add_issue(ops, f"Runbook {n + 1}", status, created=start + timedelta(days=n),
                        due=due)
