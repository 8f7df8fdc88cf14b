"""Crash test: a worker process driving a four-tool run is SIGKILLed just before and just after
each remote create; fresh workers resume it. The run must finish with exactly one of every
resource in the sandboxes (served on a real socket, so they outlive the workers)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess

import pytest
from sqlmodel import select
from starlette.types import Message, Receive, Scope, Send

from projecthub.models import ProjectResource, RunStatus
from projecthub.services import connections
from projecthub.services.provisioning import service
from tests.environment import TEST_DATABASE_URL
from tests.loopback import serve
from tests.services.provisioning import crash_child
from tests.services.provisioning.world import TENANT, all_tools_answers, build_world

NOT_CREATES = ("/login", "/search", "approximate-count")


@dataclass
class Killer:
    """ASGI middleware: on the first create a worker sends, kill that worker — before the
    sandbox sees the request, or after it took effect but before the reply leaves."""

    app: object
    pid: int | None = None
    mode: str = "before"
    kills: list[str] = field(default_factory=list)

    def _is_create(self, scope: Scope) -> bool:
        return (scope["type"] == "http" and scope["method"] == "POST"
                and not any(part in scope["path"] for part in NOT_CREATES))

    def _kill(self, path: str) -> None:
        if self.pid is not None:
            os.kill(self.pid, signal.SIGKILL)
            self.kills.append(f"{self.mode} {path}")
            self.pid = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.pid is None or not self._is_create(scope):
            await self.app(scope, receive, send)  # type: ignore[operator]
            return
        if self.mode == "before":
            self._kill(scope["path"])
            return
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, hold)  # type: ignore[operator]
        self._kill(scope["path"])


@pytest.fixture
def served(db) -> Iterator[tuple[str, Killer, object]]:
    world = build_world(db)
    killer = Killer(world.sandbox)
    with serve(killer) as base:
        for tool, conn_id in world.connection_ids.items():
            extra = ({"settings_values": {"authority_host": f"{base}/sandbox/graph/login"}}
                     if tool == "graph" else {})
            connections.update_connection(db, world.owner_principal, conn_id,
                                          base_url=f"{base}/sandbox/{tool}", **extra)
        db.commit()  # the workers read the connections in their own sessions
        world.sandbox.vendors["graph"].tenant(TENANT).team_creation_polls = 1
        yield base, killer, world


@pytest.fixture(scope="module")
def workers() -> ForkServerContext:
    """Workers forked from a server that has imported the app once."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([crash_child.__name__])
    return context


def _start(context: ForkServerContext, run_id: str, worker: str
           ) -> tuple[BaseProcess, Connection]:
    ours, theirs = context.Pipe()
    child = context.Process(target=crash_child.work,
                            args=(TEST_DATABASE_URL, run_id, worker, theirs), daemon=True)
    child.start()
    theirs.close()
    return child, ours


def test_killed_workers_never_duplicate_and_the_run_completes(served, db, workers):
    _, killer, world = served
    _, run = service.start_project(db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=all_tools_answers(world))
    db.commit()
    outcome, lives = "", 0
    while lives < 60:
        lives += 1
        killer.mode = "before" if lives % 2 else "after"
        child, reply = _start(workers, str(run.id), f"worker-{lives}")
        killer.pid = child.pid
        reply.send(crash_child.GO)
        child.join(timeout=120)
        killer.pid = None
        if child.exitcode == 0:
            outcome = reply.recv()
            if outcome != "not-claimed":
                break
        elif child.exitcode != -signal.SIGKILL:
            pytest.fail(f"worker crashed on its own (exit code {child.exitcode}); "
                        "its traceback is in the captured stderr")
        reply.close()
        time.sleep(1.1)  # let the dead worker's one-second lease expire
    view = service.get_run(db, world.owner_principal, run.id)
    failed = [(s.key, s.error) for s in view.steps if s.error]
    assert outcome == RunStatus.SUCCEEDED.value, (outcome, lives, failed, killer.kills[-6:],
                                                  len(killer.kills))
    assert len([k for k in killer.kills if k.startswith("before")]) >= 5
    assert len([k for k in killer.kills if k.startswith("after")]) >= 5
    _assert_exactly_one_of_each(world, db)


def _assert_exactly_one_of_each(world, db) -> None:
    jira = world.sandbox.vendors["jira"].tenant(TENANT)
    assert [k for k in jira.projects if k == "WEBX"] == ["WEBX"]
    site = world.sandbox.vendors["confluence"].tenant(TENANT)
    space = site.space_by_key("WEBX")
    titles = [p.title for p in site.pages_in(space, {"current"})]
    assert sorted(titles) == sorted(set(titles))
    assert {"Project charter", "Project links"} <= set(titles)
    prod = world.sandbox.vendors["productive"].tenant(TENANT)
    assert len([p for p in prod.table("projects").values() if p.name == "Website relaunch"]) == 1
    assert len([d for d in prod.table("deals").values()
                if d.name == "Website relaunch budget"]) == 1
    graph = world.sandbox.vendors["graph"].tenant(TENANT)
    assert len([g for g in graph.groups.values() if g.display_name == "Website Relaunch"]) == 1
    team = next(t for t in graph.teams.values()
                if graph.groups[t.id].display_name == "Website Relaunch")
    assert [c.display_name for c in team.channels].count("Planning") == 1
    assert len([p for p in graph.plans.values() if p.title == "Website Relaunch"]) == 1
    rows = db.exec(select(ProjectResource)).all()
    keys = [(r.tool, r.kind, r.external_id) for r in rows]
    assert len(keys) == len(set(keys))
