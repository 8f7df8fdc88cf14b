"""A project provisioned in all four sandbox tools, people known to some of them, and a runner
whose every vendor exchange is checked against the vendor's spec (Jira, Confluence and Graph
against their OpenAPI documents, Productive against its resource schema)."""

from __future__ import annotations

import httpx
from sqlmodel import Session

from projecthub.models import RunStatus, User
from projecthub.services.provisioning import service
from projecthub.services.provisioning.runner import RunnerConfig, drive_run
from projecthub.services.tool_clients import ToolClients
from tests.connectors.confluence_setup import CONFLUENCE_SPECS
from tests.connectors.graph_setup import GRAPH_SPECS, AcceptedWithoutBody
from tests.connectors.jira_setup import JIRA_SPECS
from tests.connectors.productive_validating import ProductiveValidatingTransport
from tests.connectors.validating import ValidatingTransport
from tests.factories import add_member, make_user
from tests.services.provisioning.world import TENANT, World, all_tools_answers, build_world

TOOLS = ("jira", "confluence", "graph", "productive")


class EditWorld:
    def __init__(self, db: Session) -> None:
        self.world: World = build_world(db)
        self.db = db
        inner = httpx.ASGITransport(app=self.world.sandbox)
        self.specs = ValidatingTransport(AcceptedWithoutBody(inner),
                                         (*JIRA_SPECS, *CONFLUENCE_SPECS, *GRAPH_SPECS))
        self.productive = ProductiveValidatingTransport(inner)
        self.inner = inner
        self.project_id = None

    def person(self, email: str, name: str, *, tools: tuple[str, ...] = TOOLS) -> User:
        """An organization member with accounts in ``tools``."""
        user = make_user(self.db, email=email, name=name)
        add_member(self.db, self.world.org, user)
        vendors = self.world.sandbox.vendors
        first, _, last = name.partition(" ")
        if "jira" in tools:
            vendors["jira"].tenant(TENANT).add_user(email, name)
        if "confluence" in tools:
            vendors["confluence"].tenant(TENANT).add_account(email, name)
        if "graph" in tools:
            vendors["graph"].tenant(TENANT).add_user(email, name)
        if "productive" in tools:
            vendors["productive"].tenant(TENANT).add_person(first, last or first, email)
        self.db.commit()
        return user

    def config(self) -> RunnerConfig:
        base = self.world.config()

        def transport_for(url: str) -> httpx.AsyncBaseTransport:
            if url.endswith("/sandbox/productive"):
                return self.productive
            return self.inner if "/login" in url else self.specs

        def tools(p):  # type: ignore[no-untyped-def]
            return ToolClients(base.session_factory, p, transport_factory=transport_for,
                               clock=self.world.clock)

        return RunnerConfig(session_factory=base.session_factory, tools_factory=tools,
                            worker_id=base.worker_id, lease=base.lease)

    async def provision(self) -> None:
        world = self.world
        project, run = service.start_project(self.db, world.owner_principal,
                                             template_version_id=world.template_version_id,
                                             answers=all_tools_answers(world))
        self.db.commit()
        assert await drive_run(run.id, world.config()) == RunStatus.SUCCEEDED
        self.project_id = project.id

    async def drive(self, run_id) -> RunStatus | None:  # type: ignore[no-untyped-def]
        return await drive_run(run_id, self.config())

    # What the tools hold now
    def jira_project(self):  # type: ignore[no-untyped-def]
        return self.world.sandbox.vendors["jira"].tenant(TENANT).projects["WEBX"]

    def jira_member(self, email: str) -> bool:
        site = self.world.sandbox.vendors["jira"].tenant(TENANT)
        user = next((u for u in site.users if u.email == email), None)
        return user is not None and any(user.account_id in actors
                                        for actors in self.jira_project().roles.values())

    def space(self):  # type: ignore[no-untyped-def]
        return self.world.sandbox.vendors["confluence"].tenant(TENANT).space_by_key("WEBX")

    def space_grants(self, email: str) -> set[tuple[str, str]]:
        site = self.world.sandbox.vendors["confluence"].tenant(TENANT)
        account = next((a for a in site.accounts if a.email == email), None)
        return {(p.key, p.target) for p in self.space().permissions
                if account is not None and p.account_id == account.account_id}

    def team(self):  # type: ignore[no-untyped-def]
        state = self.world.sandbox.vendors["graph"].tenant(TENANT)
        team = next(iter(state.teams.values()))
        return state, team, state.groups[team.id]

    def team_roles(self, email: str) -> list[str] | None:
        state, team, _group = self.team()
        user = next((u for u in state.users.values() if u.mail == email), None)
        member = next((m for m in team.members if user and m.user_id == user.id), None)
        return None if member is None else list(member.roles)

    def plan(self):  # type: ignore[no-untyped-def]
        state, team, _group = self.team()
        return next(p for p in state.plans.values() if p.group_id == team.id)

    def budget(self):  # type: ignore[no-untyped-def]
        state, project = self.productive_project()
        return next(d for d in state.table("deals").values() if d.project_id == project.id)

    def productive_project(self):  # type: ignore[no-untyped-def]
        state = self.world.sandbox.vendors["productive"].tenant(TENANT)
        return state, next(iter(state.table("projects").values()))

    def productive_member(self, email: str) -> bool:
        state, project = self.productive_project()
        people = {p.id for p in state.table("people").values() if p.email == email}
        return any(m.project_id == project.id and m.person_id in people
                   for m in state.table("memberships").values())
