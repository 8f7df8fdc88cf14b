"""Importing existing projects: what the connected tools have, with suggested matches, and
creating linked ProjectHub projects from a selection (owners and admins)."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter
from pydantic import BaseModel, Field

from projecthub.api.deps import DbDep, PrincipalDep
from projecthub.core.db import new_session
from projecthub.services import project_import
from projecthub.services.wiring import tool_clients

router = APIRouter(prefix="/orgs/{org_slug}/project-import", tags=["project import"])
MAX_PROPOSALS = 1000


class CandidatePublic(project_import.Candidate):
    """Something a tool already has: a Jira project, Confluence space, Productive project or
    team, with the emails of the people the tool says belong to it."""


class ProposalPublic(project_import.Proposal):
    """A project to create, linked to at most one resource per tool."""

    resources: tuple[CandidatePublic, ...]


class ListingProblemPublic(project_import.ListingProblem):
    """A connection that could not be listed (the others were)."""


class CandidatesPublic(BaseModel):
    proposals: list[ProposalPublic] = Field(
        description="Suggested projects: candidates matched across tools by key, then name.")
    linked: list[CandidatePublic] = Field(
        description="Candidates already linked to a project (``linked_to`` names its key).")
    problems: list[ListingProblemPublic]


class ImportRequest(BaseModel):
    proposals: list[ProposalPublic] = Field(max_length=MAX_PROPOSALS)


class ImportFailurePublic(project_import.ImportFailure):
    """A proposal that was not imported, and why."""


class ImportReportPublic(project_import.ImportReport):
    failures: tuple[ImportFailurePublic, ...]


@router.get("/candidates", response_model=CandidatesPublic)
async def list_candidates(db: DbDep, principal: PrincipalDep) -> CandidatesPublic:
    """List every connection's projects, spaces and teams, page by page, and suggest matches."""
    connections = project_import.import_connections(db, principal)
    # No transaction is held across the tools' calls.
    db.commit()
    listing = await project_import.list_candidates(tool_clients(principal), connections)
    listing = project_import.mark_linked(db, principal, listing)
    taken = project_import.project_keys(db, principal)
    return CandidatesPublic(
        proposals=[ProposalPublic.model_validate(p, from_attributes=True)
                   for p in project_import.suggest(listing.candidates, taken_keys=taken)],
        linked=[CandidatePublic.model_validate(c) for c in listing.candidates if c.linked_to],
        problems=[ListingProblemPublic.model_validate(p) for p in listing.problems])


@router.post("", response_model=ImportReportPublic)
def import_projects(body: ImportRequest, db: DbDep, principal: PrincipalDep) -> ImportReportPublic:
    """Create the projects with their linked resources and members, committed in chunks; a
    proposal that cannot be imported is listed with the reason and the others go ahead."""
    proposals: Sequence[project_import.Proposal] = body.proposals
    project_import.check_connections(db, principal, proposals)
    db.commit()
    report = project_import.run_import(new_session, principal, proposals)
    return ImportReportPublic.model_validate(report, from_attributes=True)
