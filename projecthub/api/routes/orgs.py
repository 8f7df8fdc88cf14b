"""Organizations the token can see: its own."""

from __future__ import annotations

from fastapi import APIRouter

from projecthub.api.deps import DbDep, PrincipalDep, TokenPrincipalDep
from projecthub.api.schemas import MyOrganizationPublic, OrganizationPublic, OrganizationUpdate
from projecthub.services import orgs

router = APIRouter(prefix="/orgs", tags=["organizations"])


@router.get("", response_model=list[MyOrganizationPublic])
def list_organizations(db: DbDep, principal: TokenPrincipalDep) -> list[MyOrganizationPublic]:
    """A token acts in one organization, so this lists that one."""
    return [MyOrganizationPublic.model_validate(o)
            for o in orgs.list_my_organizations(db, principal.actor)
            if o.slug == principal.org_slug]


@router.get("/{org_slug}", response_model=OrganizationPublic)
def read_organization(db: DbDep, principal: PrincipalDep) -> OrganizationPublic:
    return OrganizationPublic.model_validate(orgs.get_organization(db, principal))


@router.patch("/{org_slug}", response_model=OrganizationPublic)
def update_organization(body: OrganizationUpdate, db: DbDep,
                        principal: PrincipalDep) -> OrganizationPublic:
    return OrganizationPublic.model_validate(
        orgs.update_organization(db, principal, name=body.name, slug=body.slug))
