"""A provisioning world with approvals: a template that asks first, and the people around it."""

from __future__ import annotations

from sqlmodel import Session

from projecthub.models import Project, ProvisioningRun, Role, RunStatus
from projecthub.services.principal import Principal
from projecthub.services.provisioning import decisions, lifecycle, service
from projecthub.services.provisioning.runner import drive_run
from projecthub.services.templates import library
from tests.factories import add_member, make_user, principal, user_of
from tests.services.provisioning.world import TENANT, World, answers

APPROVAL = "approval: {required: true, approvers: admin}\n"


def gated_template(world: World, rule: str = APPROVAL) -> str:
    view = library.create_template(world.db, world.owner_principal,
                                   source=library.default_source().replace(
                                       "name: ", "name: Gated ", 1) + rule)
    world.db.commit()
    return str(view.version_id)


def people(world: World) -> tuple[Principal, Principal, Principal]:
    """A member who starts projects, an admin who approves, and a viewer."""
    db = world.db
    member = user_of(db, add_member(db, world.org, make_user(db, name="Mia Member")))
    admin = user_of(db, add_member(db, world.org, make_user(db, name="Ada Admin"),
                                   role=Role.ADMIN))
    viewer = user_of(db, add_member(db, world.org, role=Role.VIEWER))
    for person in (member, admin):  # project managers must exist in Jira too
        world.sandbox.vendors["jira"].tenant(TENANT).add_user(person.email, person.display_name)
    return (principal(db, member, world.org), principal(db, admin, world.org),
            principal(db, viewer, world.org))


def start(world: World, requester: Principal, version_id: str,
          **more: object) -> ProvisioningRun:
    _, run = service.start_project(world.db, requester, template_version_id=version_id,
                                   answers=answers(world, project_manager=str(
                                       requester.user_id), **more))
    world.db.commit()
    return run


def tool_requests(world: World) -> int:
    """Requests the sandboxes have answered so far: a run waiting for approval adds none."""
    return sum(c["requests"] for vendor in world.sandbox.vendors.values()
               for c in vendor.traffic.report().values())


def gate_project(db: Session, owner: Principal, project: Project) -> None:
    """Move ``project`` to a copy of the built-in template that requires approval."""
    template = library.create_template(
        db, owner, source=library.default_source().replace("name: ", "name: Gated ", 1)
        + "approval: {required: true}\n")
    project.template_version_id = template.version_id
    db.add(project)
    db.commit()


async def waiting_archive(world: World, requester: Principal,
                          approver: Principal) -> ProvisioningRun:
    """A gated project, approved and provisioned, whose archiving now waits for approval."""
    run = start(world, requester, gated_template(world))
    decisions.approve_run(world.db, approver, run.id)
    world.db.commit()
    assert await drive_run(run.id, world.config()) == RunStatus.SUCCEEDED
    _, archive = lifecycle.start_lifecycle_change(world.db, requester, run.project_id,
                                                  "archived")
    world.db.commit()
    assert archive is not None and archive.status == RunStatus.AWAITING_APPROVAL
    return archive
