"""Who may create an account: anyone, only invited people, or addresses of listed domains.

``PROJECTHUB_SIGNUP`` / ``PROJECTHUB_SIGNUP_DOMAINS`` give the default; an instance admin can
change it at run time (stored in ``instance_settings``). A refusal depends only on the policy
and the address's domain, never on whether the address has an account, so it can be explicit.
Invitation links always work: an organization's admin already chose that person.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from projecthub.core.clock import utcnow
from projecthub.core.config import settings
from projecthub.core.errors import Invalid, PermissionDenied
from projecthub.models import InstanceSetting
from projecthub.services import audit
from projecthub.services.principal import Actor, require_instance_admin

POLICY_KEY = "signup"
DOMAINS_KEY = "signup_domains"
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
MAX_DOMAINS = 50


class SignupPolicy(enum.StrEnum):
    OPEN = "open"
    INVITE_ONLY = "invite-only"
    DOMAINS = "domains"


@dataclass(frozen=True)
class PolicyView:
    policy: SignupPolicy
    domains: tuple[str, ...]
    # True while no admin has changed it: the environment's default is in force.
    from_environment: bool

    @property
    def summary(self) -> str:
        """What the sign-up page and the settings page say about it."""
        if self.policy == SignupPolicy.INVITE_ONLY:
            return ("Sign-up is by invitation only: ask someone in your organization to invite "
                    "you, then use the link in the invitation.")
        if self.policy == SignupPolicy.DOMAINS:
            return ("Sign-up is open to addresses at " + ", ".join(self.domains)
                    + ". Anyone else needs an invitation.")
        return "Anyone can create an account."


def current_policy(session: Session) -> PolicyView:
    """The policy in force: the stored one, else the environment's default."""
    rows = {row.key: row.value for row in session.exec(
        select(InstanceSetting).where(col(InstanceSetting.key).in_([POLICY_KEY, DOMAINS_KEY])))}
    if POLICY_KEY not in rows:
        return PolicyView(SignupPolicy(settings.SIGNUP),
                          tuple(_clean_domains(settings.SIGNUP_DOMAINS)), True)
    domains = [d for d in rows.get(DOMAINS_KEY, "").split(",") if d]
    return PolicyView(SignupPolicy(rows[POLICY_KEY]), tuple(domains), False)


def check_signup_allowed(session: Session, address: str, *, invited: bool) -> None:
    """Refuse a sign-up the policy does not allow; ``address`` is already normalized."""
    if invited:
        return
    view = current_policy(session)
    if view.policy == SignupPolicy.INVITE_ONLY:
        raise PermissionDenied("Sign-up on this instance is by invitation only. Ask someone in "
                               "your organization to invite you.")
    if view.policy == SignupPolicy.DOMAINS and address.rsplit("@", 1)[-1] not in view.domains:
        message = ("Sign-up on this instance is limited to addresses at "
                   + ", ".join(view.domains) + ". Anyone else needs an invitation.")
        raise PermissionDenied(message)


def set_policy(session: Session, actor: Actor, *, policy: str,
               domains: list[str] | str) -> PolicyView:
    """Store a new policy (instance admins); audited with the old and new values."""
    require_instance_admin(actor)
    try:
        chosen = SignupPolicy(policy)
    except ValueError as exc:
        raise Invalid("Choose open, invite-only or domains.",
                      {"policy": "Choose open, invite-only or domains."}) from exc
    raw = domains.replace("\n", ",").split(",") if isinstance(domains, str) else domains
    cleaned = _clean_domains(raw)
    if chosen == SignupPolicy.DOMAINS and not cleaned:
        message = "List at least one email domain, such as example.com."
        raise Invalid(message, {"domains": message})
    before = current_policy(session)
    stored = cleaned if chosen == SignupPolicy.DOMAINS else []
    _store(session, actor, POLICY_KEY, chosen.value)
    _store(session, actor, DOMAINS_KEY, ",".join(stored))
    audit.record(session, actor, "instance.signup_policy_changed", target_type="instance",
                 detail={"from": before.policy.value, "to": chosen.value,
                         "domains": stored})
    return PolicyView(chosen, tuple(stored), False)


def _clean_domains(raw: list[str]) -> list[str]:
    domains = list(dict.fromkeys(d.strip().lower().lstrip("@") for d in raw if d.strip()))
    bad = [d for d in domains if not _DOMAIN.match(d)]
    if bad or len(domains) > MAX_DOMAINS:
        message = (f"At most {MAX_DOMAINS} domains." if not bad
                   else "Not an email domain: " + ", ".join(bad[:3]) + ".")
        raise Invalid(message, {"domains": message})
    return domains


def _store(session: Session, actor: Actor, key: str, value: str) -> None:
    row = session.get(InstanceSetting, key) or InstanceSetting(key=key)
    row.value, row.updated_by, row.updated_at = value, actor.user_id, utcnow()
    session.add(row)
