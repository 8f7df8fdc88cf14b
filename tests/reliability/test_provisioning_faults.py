"""Provisioning on a bad day: every vendor misbehaves at once (hangs, 5xx bursts, malformed JSON,
dropped connections before and after the create took effect, 429s) while a four-tool run is
driven in process on a fake clock.

Each run must end in a clear state: succeeded, or failed with a reason a person can read (no
traceback, no exception repr, no "unexpected error"), with every step terminal or waiting on a
failed one. Retrying after the fault is cleared must succeed. Across both attempts each remote
resource exists exactly once in the sandbox and once in the project's resources.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import pytest

from projecthub.models import RunStatus, StepStatus
from projecthub.sandbox import Fault
from projecthub.services.provisioning import service
from projecthub.services.provisioning.runner import drive_run
from tests.reliability.exactly_once import TOOLS, assert_exactly_one_of_each
from tests.services.provisioning.world import TENANT, World, all_tools_answers, build_world

# The first create each vendor sees in a run (later creates share these prefixes, so a fault
# that repeats also hits them once the first has passed).
CREATES = {"jira": "/rest/api/3/project", "confluence": "/wiki/api/v2/spaces",
           "productive": "/api/v2/projects", "graph": "/v1.0/teams"}
# A step error is one sentence from a typed error; these mean something leaked or crashed.
UNREADABLE = re.compile(r"Traceback|File \"|\b(?:[A-Z][a-z]+)+(?:Error|Exception|Timeout)\b|"
                        r"<\w+[ .]|Unexpected error|object at 0x")


@dataclass(frozen=True)
class Scenario:
    faults: tuple[Fault, ...]  # queued on every vendor
    first: RunStatus  # how the first attempt ends
    reason: str  # what every failed step's error says (lower case), if the run failed
    took_effect: bool = False  # the failed creates happened: the retry must adopt, not repeat


def _on_creates(**fault: object) -> tuple[Fault, ...]:
    return tuple(Fault(method="POST", path_prefix=prefix, **fault)  # type: ignore[arg-type]
                 for prefix in CREATES.values())


SCENARIOS = {
    "hang before the create": Scenario(_on_creates(kind="hang", seconds=90), RunStatus.FAILED,
                                       "timed out"),
    "hang after the create took effect": Scenario(
        _on_creates(kind="hang", seconds=90, after_handler=True), RunStatus.FAILED, "timed out",
        took_effect=True),
    # 20 s, not a full read timeout: the fake clock adds up the four vendors' concurrent hangs,
    # and the sum must stay inside one call's 120 s budget for the retry to be allowed.
    "hang, then reset, on reads": Scenario(
        (Fault(kind="hang", seconds=20, method="GET"), Fault(kind="reset", method="GET")),
        RunStatus.SUCCEEDED, ""),
    "503 burst on every request": Scenario((Fault(kind="status", status=503, times=2),),
                                           RunStatus.SUCCEEDED, ""),
    "502 burst on reads": Scenario((Fault(kind="status", status=502, method="GET", times=3),),
                                   RunStatus.SUCCEEDED, ""),
    "500 on creates until cleared": Scenario(_on_creates(kind="status", status=500, times=None),
                                             RunStatus.FAILED, "internal server error"),
    "malformed JSON in reads": Scenario((Fault(kind="malformed", method="GET", times=2),),
                                        RunStatus.SUCCEEDED, ""),
    "malformed JSON after the create": Scenario(_on_creates(kind="malformed"), RunStatus.FAILED,
                                                "malformed json", took_effect=True),
    "reset before the create": Scenario(_on_creates(kind="reset"), RunStatus.FAILED,
                                        "connection closed before the reply"),
    "reset after the create took effect": Scenario(_on_creates(kind="reset", after_handler=True),
                                                   RunStatus.FAILED,
                                                   "connection closed before the reply",
                                                   took_effect=True),
    "429 burst with Retry-After": Scenario((Fault(kind="rate_limit", retry_after=7, times=3),),
                                           RunStatus.SUCCEEDED, ""),
    "429 until cleared": Scenario((Fault(kind="rate_limit", retry_after=7, times=None),),
                                  RunStatus.FAILED, "rate limit"),
}


@pytest.mark.parametrize("name", SCENARIOS)
async def test_a_faulty_run_ends_clearly_and_a_retry_finishes_it_once(db, caplog, name):
    scenario = SCENARIOS[name]
    caplog.set_level(logging.DEBUG)
    world = build_world(db)
    for vendor in world.sandbox.vendors.values():
        vendor.faults.add(*scenario.faults)
    _, run = service.start_project(db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=all_tools_answers(world))
    db.commit()

    assert await drive_run(run.id, world.config()) == scenario.first
    _assert_clear_end(world, run.id, scenario)
    jira = world.sandbox.vendors["jira"].tenant(TENANT)
    assert ("WEBX" in jira.projects) == (scenario.first == RunStatus.SUCCEEDED
                                         or scenario.took_effect)
    if scenario.first == RunStatus.FAILED:
        for vendor in world.sandbox.vendors.values():
            vendor.faults.clear()
        service.retry_run(db, world.owner_principal, run.id)
        db.commit()
        assert await drive_run(run.id, world.config()) == RunStatus.SUCCEEDED
    else:
        assert all(not v.faults.pending for v in world.sandbox.vendors.values()), \
            "the fault was never served"

    view = service.get_run(db, world.owner_principal, run.id)
    assert {s.status for s in view.steps} == {StepStatus.SUCCEEDED}
    assert not view.error
    assert_exactly_one_of_each(world.sandbox, db)
    crashes = [r for r in caplog.records if r.exc_info and r.name.startswith("projecthub")]
    assert not crashes, [r.getMessage() for r in crashes]
    if name.startswith("429"):
        assert max(world.clock.sleeps) >= 7, "Retry-After was not honoured"


def _assert_clear_end(world: World, run_id: object, scenario: Scenario) -> None:
    view = service.get_run(world.db, world.owner_principal, run_id)
    status = {s.key: s.status for s in view.steps}
    done = (StepStatus.SUCCEEDED, StepStatus.SKIPPED)
    for step in view.steps:
        assert step.status != StepStatus.RUNNING, f"{step.key} left running"
        if step.status == StepStatus.PENDING:  # only if it waits on a step that failed
            assert any(status[d] not in done for d in step.depends_on), f"{step.key} lost"
        if step.status == StepStatus.FAILED:
            assert step.error and len(step.error) < 600
            assert not UNREADABLE.search(step.error), step.error
            assert step.error.startswith(step.tool), step.error  # says which tool failed
            assert scenario.reason in step.error.lower(), step.error
    failed = [s for s in view.steps if s.status == StepStatus.FAILED]
    if scenario.first == RunStatus.FAILED:
        assert {s.tool for s in failed} == set(TOOLS), "every vendor's create should fail"
        assert view.error == f"{len(failed)} step(s) failed; fix the cause and retry."
    else:
        assert not failed and not view.error
