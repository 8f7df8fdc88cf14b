"""Public sign-up that does not tell whether an email already has an account (ASVS 6.3.8).

Everything the request carries is validated first, the same way for every address; only then is
the address looked up. A taken address creates nothing, costs the same password hash as a new
account and is reported to its owner by mail, as a new account gets its confirmation mail.
The caller answers both cases identically and never starts a session: the browser then logs in
with the same credentials, which only the account's real owner can do for a taken address.
Both cases send mail, so both count against the same rate limit per address and per IP.
"""

from __future__ import annotations

from sqlmodel import Session

from projecthub.core.config import settings
from projecthub.core.security import hash_password
from projecthub.models import User
from projecthub.services import invitations, orgs, throttle
from projecthub.services.accounts import create_user, find_user_by_email
from projecthub.services.mail import queue_mail
from projecthub.services.mail_compose import compose
from projecthub.services.passwords import check_password
from projecthub.services.principal import actor_for
from projecthub.services.signup_policy import check_signup_allowed
from projecthub.services.validation import clean_name, normalize_email, slugify
from projecthub.services.verification import send_verification

ACCEPTED = ("Thanks. If this email address is new, your account is ready and you can log in. "
            "If it already has an account, we have told its owner.")


def sign_up(session: Session, *, email: str, password: str, display_name: str = "",
            org_name: str = "", org_slug: str = "", invitation_token: str = "",
            client_ip: str | None = None) -> User | None:
    """Create the account with its organization, or remember the invitation it came through
    (joined once the address is confirmed); ``None`` (and nothing created) when the address is
    taken. Errors do not depend on whether it is: the sign-up policy is checked first, and an
    invitation token, when given, must be valid for this address."""
    address = normalize_email(email)
    check_password(password, email=address)
    if display_name.strip():
        clean_name(display_name, field="display_name", label="Name")
    check_signup_allowed(session, address, invited=bool(invitation_token))
    invitation_id = None
    if invitation_token:
        invitation_id = invitations.invitation_for_signup(session, invitation_token, address)
    elif org_name.strip():
        orgs.check_new_organization(session, name=org_name, slug=org_slug or slugify(org_name))
    throttle.limit_mail(session, throttle.MailAction.SIGNUP, address=address, client_ip=client_ip)
    if find_user_by_email(session, address) is not None:
        hash_password(password)  # the same work as creating the account
        _tell_owner(session, address)
        return None
    user = create_user(session, email=address, password=password, display_name=display_name)
    if not invitation_token and org_name.strip():
        orgs.create_organization(session, actor_for(user), name=org_name,
                                 slug=org_slug or slugify(org_name))
    send_verification(session, user, invitation_id=invitation_id)
    return user


def _tell_owner(session: Session, address: str) -> None:
    login = f"{settings.PUBLIC_URL.rstrip('/')}/login"
    queue_mail(session, to=address, kind="signup_taken", content=compose(
        subject="Someone tried to sign up with your address",
        paragraphs=["Someone tried to create an account with this address, which already has "
                    "one. Nothing was changed.",
                    "If it was you, log in instead; if you forgot your password, use "
                    "\"Forgot password?\" on the login page."],
        reason="an account with this address exists.", link=login, link_label="Log in"))
