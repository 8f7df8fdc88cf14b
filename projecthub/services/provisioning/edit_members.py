"""A project's members one at a time: who they are, and an edit that adds one, changes their
role or removes them (run like any other edit, so the tools follow)."""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from projecthub.core.errors import Conflict, NotFound
from projecthub.models import Membership, ProjectMember, User
from projecthub.services import projects
from projecthub.services.principal import Principal
from projecthub.services.provisioning.edit_steps import MANAGER
from projecthub.services.provisioning.editing import MemberSpec, ProjectEdit
from projecthub.services.scoping import scoped_select
from projecthub.services.views import View


class ProjectMemberView(View):
    user_id: uuid.UUID
    email: str
    name: str
    role: str


def list_members(session: Session, principal: Principal,
                 project_id: uuid.UUID) -> list[ProjectMemberView]:
    """Whoever sees the project sees its members, the manager first."""
    project = projects.get_project(session, principal, project_id)
    rows = session.exec(scoped_select(principal, ProjectMember).where(
        ProjectMember.project_id == project.id)).all()
    users = {u.id: u for u in session.exec(select(User).where(
        col(User.id).in_([m.user_id for m in rows]))).all()}
    views = [ProjectMemberView(user_id=m.user_id, email=users[m.user_id].email,
                               name=users[m.user_id].display_name, role=m.role)
             for m in rows if m.user_id in users]
    return sorted(views, key=lambda v: (v.role != MANAGER, v.name.casefold(), v.email))


def member_edit(session: Session, principal: Principal, project_id: uuid.UUID,
                user_id: uuid.UUID, role: str | None) -> ProjectEdit:
    """The edit that gives ``user_id`` the ``role`` (``None``: takes them off the project);
    the manager's place changes only with the owner."""
    current = list_members(session, principal, project_id)
    known = any(m.user_id == user_id for m in current) or (role is not None and session.exec(
        select(Membership.id).where(Membership.organization_id == principal.org_id,
                                    Membership.user_id == user_id,
                                    col(Membership.is_active))).first() is not None)
    if not known:  # someone of another organization reads exactly like no one
        raise NotFound("Member not found.")
    if any(m.user_id == user_id and m.role == MANAGER for m in current):
        raise Conflict("The project's manager stays on the project; choose another owner "
                       "first.")
    others = [MemberSpec(user_id=m.user_id, role=m.role) for m in current
              if m.role != MANAGER and m.user_id != user_id]
    if role is not None:
        others.append(MemberSpec(user_id=user_id, role=role))
    return ProjectEdit(members=others)


__all__ = ["ProjectMemberView", "list_members", "member_edit"]
