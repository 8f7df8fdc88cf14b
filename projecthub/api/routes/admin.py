"""Instance administration of accounts and settings, for scripts: the same service calls and
rules as the admin pages. The token's user must be an instance admin (checked by every service
call), whichever organization the token belongs to."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlmodel import Session

from projecthub.api.deps import ActorDep, DbDep
from projecthub.api.schemas import (
    AdminUserPagePublic,
    AdminUserPublic,
    InstanceSettingsPublic,
    MailQueued,
    SignupPolicyPublic,
    SignupPolicyUpdate,
    TenantCreate,
    TenantPublic,
    WorkerPublic,
)
from projecthub.models import OrgStatus
from projecthub.services import admin, instance_settings, signup_policy, user_admin
from projecthub.services.principal import Actor
from projecthub.services.signup_policy import PolicyView

router = APIRouter(prefix="/admin", tags=["instance administration"])


@router.get("/users", response_model=AdminUserPagePublic)
def list_users(db: DbDep, actor: ActorDep,
               search: Annotated[str, Query(max_length=200)] = "",
               limit: Annotated[int, Query(ge=1, le=200)] = 50,
               offset: Annotated[int, Query(ge=0)] = 0) -> AdminUserPagePublic:
    """Accounts whose email or name contains ``search``, newest first."""
    page = user_admin.list_users(db, actor, search=search, limit=limit, offset=offset)
    return AdminUserPagePublic(items=[AdminUserPublic.model_validate(u) for u in page.users],
                               total=page.total, limit=limit, offset=offset)


@router.post("/users/{user_id}/deactivate", response_model=AdminUserPublic)
def deactivate_user(user_id: uuid.UUID, db: DbDep, actor: ActorDep) -> AdminUserPublic:
    """Lock the account out; its sessions end and its API tokens are revoked at once."""
    user_admin.set_user_active(db, actor, user_id, False)
    return _user(db, actor, user_id)


@router.post("/users/{user_id}/reactivate", response_model=AdminUserPublic)
def reactivate_user(user_id: uuid.UUID, db: DbDep, actor: ActorDep) -> AdminUserPublic:
    """Let the person log in again (revoked tokens stay revoked)."""
    user_admin.set_user_active(db, actor, user_id, True)
    return _user(db, actor, user_id)


@router.post("/users/{user_id}/password-reset", response_model=MailQueued,
             status_code=status.HTTP_202_ACCEPTED)
def send_password_reset(user_id: uuid.UUID, db: DbDep, actor: ActorDep) -> MailQueued:
    """Mail the person a single-use link to choose a new password."""
    return MailQueued(queued=user_admin.send_reset(db, actor, user_id))


@router.put("/users/{user_id}/instance-admin", response_model=AdminUserPublic)
def grant_instance_admin(user_id: uuid.UUID, db: DbDep, actor: ActorDep) -> AdminUserPublic:
    user_admin.set_instance_admin(db, actor, user_id, True)
    return _user(db, actor, user_id)


@router.delete("/users/{user_id}/instance-admin", response_model=AdminUserPublic)
def remove_instance_admin(user_id: uuid.UUID, db: DbDep, actor: ActorDep) -> AdminUserPublic:
    """Refused (409) for the last active instance admin."""
    user_admin.set_instance_admin(db, actor, user_id, False)
    return _user(db, actor, user_id)


@router.get("/settings", response_model=InstanceSettingsPublic)
def read_settings(db: DbDep, actor: ActorDep) -> InstanceSettingsPublic:
    """The effective configuration: sign-up policy, mail, sandbox, background workers."""
    view = instance_settings.overview(db, actor)
    return InstanceSettingsPublic(
        signup=_policy(view.signup), mail_delivery=view.mail_delivery.value,
        mail_summary=view.mail_summary, mail_from=view.mail_from, smtp_host=view.smtp_host,
        sandbox=view.sandbox, environment=view.environment,
        microsoft_signin=view.microsoft_signin,
        workers=[WorkerPublic(name=name, state=state) for name, state in view.workers],
        mail_unavailable=view.mail_unavailable)


@router.put("/settings/signup", response_model=SignupPolicyPublic)
def update_signup_policy(body: SignupPolicyUpdate, db: DbDep,
                         actor: ActorDep) -> SignupPolicyPublic:
    """Replace the environment's default; ``domains`` is needed for the ``domains`` policy."""
    return _policy(signup_policy.set_policy(db, actor, policy=body.policy, domains=body.domains))


@router.post("/settings/test-mail", response_model=MailQueued,
             status_code=status.HTTP_202_ACCEPTED)
def send_test_mail(db: DbDep, actor: ActorDep) -> MailQueued:
    """Queue a test message to the caller's own address (5 an hour)."""
    return MailQueued(queued=instance_settings.send_test_mail(db, actor))


@router.get("/tenants", response_model=list[TenantPublic])
def list_tenants(db: DbDep, actor: ActorDep) -> list[TenantPublic]:
    """Every organization with its member and project counts."""
    return [TenantPublic.model_validate(t) for t in admin.list_tenants(db, actor)]


@router.post("/tenants", response_model=TenantPublic, status_code=status.HTTP_201_CREATED)
def create_tenant(body: TenantCreate, db: DbDep, actor: ActorDep) -> TenantPublic:
    """An organization for an existing account (invited as owner until its address is
    confirmed)."""
    org = admin.create_tenant(db, actor, name=body.name, slug=body.slug,
                              owner_email=body.owner_email)
    return _tenant(db, actor, org.id)


@router.post("/tenants/{org_id}/suspend", response_model=TenantPublic)
def suspend_tenant(org_id: uuid.UUID, db: DbDep, actor: ActorDep) -> TenantPublic:
    """Its members are locked out until it is reactivated; nothing is deleted."""
    admin.set_tenant_status(db, actor, org_id, OrgStatus.SUSPENDED)
    return _tenant(db, actor, org_id)


@router.post("/tenants/{org_id}/reactivate", response_model=TenantPublic)
def reactivate_tenant(org_id: uuid.UUID, db: DbDep, actor: ActorDep) -> TenantPublic:
    admin.set_tenant_status(db, actor, org_id, OrgStatus.ACTIVE)
    return _tenant(db, actor, org_id)


def _tenant(db: Session, actor: Actor, org_id: uuid.UUID) -> TenantPublic:
    db.flush()
    return TenantPublic.model_validate(admin.get_tenant(db, actor, org_id))


def _user(db: Session, actor: Actor, user_id: uuid.UUID) -> AdminUserPublic:
    return AdminUserPublic.model_validate(user_admin.get_user_view(db, actor, user_id))


def _policy(view: PolicyView) -> SignupPolicyPublic:
    return SignupPolicyPublic(policy=view.policy.value, domains=list(view.domains),
                              from_environment=view.from_environment, summary=view.summary)
