"""One Microsoft 365 directory in memory: users, groups, teams, team operations, Planner; demo seed.

Shapes follow Graph: users, groups and teams have GUIDs (a team's id is its group's id), channel ids
look like ``19:<hex>@thread.tacv2``, Planner ids are 28 URL-safe characters. Display names may
repeat; mail nicknames may not (``nickname_taken``), so a team created from a repeated display name
gets a numbered nickname, as Teams does.
"""

from __future__ import annotations

import base64
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from projecthub.sandbox.graph_changes import ChangeLog
from projecthub.sandbox.webhooks import Hook

SANDBOX_EMAIL = "demo@projecthub.example"
# The application permissions ProjectHub asks admins to consent to (least privilege).
CONSENTED_ROLES = frozenset({
    "User.Read.All", "Group.Read.All", "Team.Create", "Team.ReadBasic.All",
    "TeamMember.ReadWrite.All", "Channel.Create", "Tasks.ReadWrite.All",
    "TeamSettings.ReadWrite.All",
    # Notifications post into channels. Real Graph grants this to delegated tokens only (an app
    # token may post in migration mode, Teamwork.Migrate.All); the sandbox accepts it as an
    # app role so the notification path can be exercised end to end (docs/architecture.md §14).
    "ChannelMessage.Send"})
SEED_TIME = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SEED_APP_ID = "00000000-0000-0000-0000-0000000a11ce"


@dataclass
class User:
    id: str
    display_name: str
    mail: str
    given_name: str | None = None
    surname: str | None = None
    job_title: str | None = None
    account_enabled: bool = True

    @property
    def user_principal_name(self) -> str:
        return self.mail


@dataclass
class Group:
    id: str
    display_name: str
    mail_nickname: str
    description: str | None
    visibility: str
    created: datetime
    domain: str
    is_team: bool = False

    @property
    def mail(self) -> str:
        return f"{self.mail_nickname}@{self.domain}"


@dataclass
class Member:
    id: str
    user_id: str
    roles: list[str]


@dataclass
class ChannelMessage:
    """A message posted in a channel, kept so tests (and people) can read what was sent."""

    id: str
    subject: str | None
    content_type: str
    content: str
    created: datetime
    app_id: str


@dataclass
class Channel:
    id: str
    display_name: str
    description: str | None
    created: datetime
    membership_type: str = "standard"
    messages: list[ChannelMessage] = field(default_factory=list)


@dataclass
class Team:
    id: str
    internal_id: str
    created: datetime
    members: list[Member] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    archived: bool = False


@dataclass
class Operation:
    """A ``teamsAsyncOperation``: in progress for ``polls_left`` more ticks, then done."""

    id: str
    team_id: str
    owner_id: str
    created: datetime
    polls_left: int
    fails: bool
    status: str = "notStarted"
    attempts: int = 1
    last_action: datetime | None = None
    operation_type: str = "createTeam"  # or archiveTeam / unarchiveTeam


@dataclass
class Plan:
    id: str
    title: str
    group_id: str
    created: datetime
    created_by_app: str
    version: int = 0  # each change gives the plan a new etag (Planner's If-Match)


@dataclass
class Task:
    id: str
    plan_id: str
    title: str
    percent_complete: int
    created: datetime
    due: datetime | None = None
    completed: datetime | None = None


@dataclass
class GraphState:
    """One sandbox tenant's directory. Mutate through the ``add_*`` helpers to keep ids coherent.

    Knobs for tests: ``team_creation_polls`` (requests an operation stays in progress; see
    ``tick``),
    ``fail_team_creations`` (how many next creations end ``failed``), ``poll_retry_after``
    (seconds sent with a team operation's 202 and its in-progress polls), ``page_size``
    (overrides Graph's default page size) and
    ``roles`` (the app permissions the next token carries).
    """

    tenant: str
    users: dict[str, User] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    operations: dict[str, Operation] = field(default_factory=dict)
    plans: dict[str, Plan] = field(default_factory=dict)
    tasks: dict[str, Task] = field(default_factory=dict)
    subscriptions: dict[str, Hook] = field(default_factory=dict)  # change notifications
    changes: ChangeLog = field(default_factory=ChangeLog)  # what /groups/delta reports
    roles: set[str] = field(default_factory=lambda: set(CONSENTED_ROLES))
    team_creation_polls: int = 2
    fail_team_creations: int = 0
    poll_retry_after: int | None = None
    page_size: int | None = None

    @property
    def directory_id(self) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{self.tenant}.sandbox.projecthub.example"))

    @property
    def domain(self) -> str:
        return f"{self.tenant}.onmicrosoft.com"

    def add_user(self, mail: str, display_name: str, *, job_title: str | None = None,
                 enabled: bool = True) -> User:
        given, _, surname = display_name.partition(" ")
        user = User(str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.tenant}:{mail.casefold()}")),
                    display_name, mail, given or None, surname or None, job_title, enabled)
        self.users[user.id] = user
        return user

    def user(self, id_or_upn: str) -> User | None:
        """By object id or sign-in name (case-insensitive), as ``/users/{id | upn}`` does."""
        return self.users.get(id_or_upn) or next(
            (u for u in self.users.values()
             if u.user_principal_name.casefold() == id_or_upn.casefold()), None)

    def nickname_taken(self, nickname: str) -> bool:
        return any(g.mail_nickname.casefold() == nickname.casefold()
                   for g in self.groups.values())

    def free_nickname(self, display_name: str) -> str:
        """Teams derives the nickname from the display name and numbers it when taken."""
        base = re.sub(r"[^A-Za-z0-9]", "", display_name)[:56] or "team"
        candidate, n = base, 1
        while self.nickname_taken(candidate):
            candidate, n = f"{base}{n}", n + 1
        return candidate

    def remove_group(self, group_id: str) -> bool:
        """Delete a group with its team, plans and their tasks; ``False`` if there is none."""
        if self.groups.pop(group_id, None) is None:
            return False
        self.changes.removed(group_id)
        self.teams.pop(group_id, None)
        plans = {p.id for p in self.plans.values() if p.group_id == group_id}
        self.plans = {i: p for i, p in self.plans.items() if i not in plans}
        self.tasks = {i: t for i, t in self.tasks.items() if t.plan_id not in plans}
        return True

    def add_group(self, display_name: str, mail_nickname: str, *, description: str | None = None,
                  visibility: str = "Private", created: datetime | None = None) -> Group:
        group = Group(str(uuid.uuid4()), display_name, mail_nickname, description, visibility,
                      created or datetime.now(UTC), self.domain)
        self.groups[group.id] = group
        self.changes.appeared(group.id)
        return group

    def add_team(self, group: Group, owner: User, *, created: datetime | None = None) -> Team:
        """Turn a group into a team with its owner and the General channel."""
        group.is_team = True
        self.changes.touched(group.id, "resourceProvisioningOptions", "creationOptions")
        when = created or datetime.now(UTC)
        team = Team(group.id, _thread_id(), when)
        self.teams[team.id] = team
        self.add_member(team, owner, owner=True)
        self.add_channel(team, "General", "", created=when)
        return team

    def start_team(self, display_name: str, description: str | None, visibility: str,
                   owner: User) -> Operation:
        """Reserve the team's group id and nickname now; the team appears when polled done."""
        group = self.add_group(display_name, self.free_nickname(display_name),
                               description=description, visibility=visibility.capitalize())
        fails = self.fail_team_creations > 0
        if fails:
            self.fail_team_creations -= 1
        operation = Operation(str(uuid.uuid4()), group.id, owner.id, datetime.now(UTC),
                              self.team_creation_polls, fails)
        self.operations[operation.id] = operation
        return operation

    def start_archiving(self, team: Team, *, archive: bool) -> Operation:
        """Archive or unarchive a team as Teams does: an operation that finishes later (after
        ``team_creation_polls`` ticks, like a creation)."""
        owner = next((m.user_id for m in team.members if "owner" in m.roles), "")
        operation = Operation(str(uuid.uuid4()), team.id, owner, datetime.now(UTC),
                              self.team_creation_polls, False,
                              operation_type="archiveTeam" if archive else "unarchiveTeam")
        self.operations[operation.id] = operation
        return operation

    def tick(self) -> None:
        """Time passes in Graph as the tenant is used: each request it receives moves every
        unfinished team creation one step on, whether or not anyone polls that operation."""
        for operation in self.operations.values():
            if operation.status not in ("succeeded", "failed"):
                self._advance(operation)

    def _advance(self, operation: Operation) -> None:
        operation.last_action = datetime.now(UTC)
        if operation.polls_left > 0:
            operation.polls_left -= 1
            operation.status = "inProgress"
            return
        if operation.operation_type != "createTeam":
            operation.status = "succeeded"
            self.teams[operation.team_id].archived = operation.operation_type == "archiveTeam"
            # UNVERIFIED: that Graph's group delta reports archiving (group.isArchived, v1.0).
            self.changes.touched(operation.team_id, "isArchived")
            return
        group = self.groups[operation.team_id]
        if operation.fails:
            operation.status = "failed"
            del self.groups[group.id]
            self.changes.removed(group.id)
        else:
            operation.status = "succeeded"
            self.add_team(group, self.users[operation.owner_id])

    def add_member(self, team: Team, user: User, *, owner: bool = False) -> Member:
        """Add or update a membership; Teams keeps one membership per person."""
        roles = ["owner"] if owner else []
        self.changes.touched(team.id, "members")
        existing = next((m for m in team.members if m.user_id == user.id), None)
        if existing is not None:
            existing.roles = roles
            return existing
        member_id = base64.b64encode(f"{team.id}##{user.id}".encode()).decode()
        member = Member(member_id, user.id, roles)
        team.members.append(member)
        return member

    def add_message(self, channel: Channel, *, subject: str | None, content_type: str,
                    content: str, app_id: str) -> ChannelMessage:
        message = ChannelMessage(str(int(datetime.now(UTC).timestamp() * 1000)
                                     + len(channel.messages)), subject, content_type, content,
                                 datetime.now(UTC), app_id)
        channel.messages.append(message)
        return message

    def add_channel(self, team: Team, name: str, description: str | None, *,
                    created: datetime | None = None) -> Channel:
        channel = Channel(_thread_id(), name, description, created or datetime.now(UTC))
        team.channels.append(channel)
        return channel

    def add_plan(self, group: Group, title: str, *, app_id: str,
                 created: datetime | None = None) -> Plan:
        plan = Plan(_planner_id(), title, group.id, created or datetime.now(UTC), app_id)
        self.plans[plan.id] = plan
        return plan

    def add_task(self, plan: Plan, title: str, percent_complete: int = 0, *,
                 due: datetime | None = None, created: datetime | None = None) -> Task:
        when = created or datetime.now(UTC)
        task = Task(_planner_id(), plan.id, title, percent_complete, when, due,
                    when + timedelta(days=1) if percent_complete >= 100 else None)
        self.tasks[task.id] = task
        return task

def _thread_id() -> str:
    return f"19:{uuid.uuid4().hex}@thread.tacv2"


def _planner_id() -> str:
    return secrets.token_urlsafe(21)


def seed_demo(state: GraphState) -> None:
    """The same people as the other demo tools, one team with channels and a plan in progress."""
    admin = state.add_user(SANDBOX_EMAIL, "Demo Admin", job_title="IT administrator")
    ana = state.add_user("ana.lopez@projecthub.example", "Ana López", job_title="Designer")
    state.add_user("ben.okafor@projecthub.example", "Ben Okafor", job_title="Developer")
    state.add_user("former.staff@projecthub.example", "Former Staff", enabled=False)
    group = state.add_group("Website Relaunch", "WebsiteRelaunch",
                            description="Relaunch of the public website", created=SEED_TIME)
    team = state.add_team(group, admin, created=SEED_TIME)
    state.add_member(team, ana)
    state.add_channel(team, "Design", "Wireframes and visual design", created=SEED_TIME)
    plan = state.add_plan(group, "Website Relaunch", app_id=SEED_APP_ID, created=SEED_TIME)
    work = [("Draft sitemap", 100, -20), ("Wireframe home page", 100, -10),
            ("Build landing page", 50, -2), ("Review copy", 50, 5), ("Set up analytics", 0, 9),
            ("Cookie banner", 0, -1), ("Accessibility audit", 0, None)]
    for n, (title, percent, due_days) in enumerate(work):
        due = SEED_TIME + timedelta(days=30 + due_days) if due_days is not None else None
        state.add_task(plan, title, percent, due=due, created=SEED_TIME + timedelta(hours=n))
    state.add_group("All Company", "allcompany", description="Everyone", visibility="Public",
                    created=SEED_TIME)
