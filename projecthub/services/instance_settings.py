"""The instance's effective configuration as its admins see it, and the one mail they can send
to check delivery. Only what is safe to show: the SMTP host, never its user or password."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from sqlmodel import Session

from projecthub.core.config import settings
from projecthub.services import audit, microsoft_signin, throttle
from projecthub.services.mail import Delivery, delivery, queue_mail
from projecthub.services.mail_compose import compose
from projecthub.services.principal import Actor, require_instance_admin
from projecthub.services.signup_policy import PolicyView, current_policy

TEST_MAIL_LIMIT = 5
TEST_MAIL_WINDOW = timedelta(hours=1)
_DELIVERY_TEXT = {
    Delivery.SMTP: "Sent through SMTP",
    Delivery.OUTBOX: "Kept on the Outbox page (development, no PROJECTHUB_SMTP_URL)",
    Delivery.NONE: "Mail cannot be sent: set PROJECTHUB_SMTP_URL and PROJECTHUB_MAIL_FROM",
}


# What stops working without mail, so an admin of a production instance without SMTP sees the
# cost (and each feature's own page says so to the person trying it).
MAIL_FEATURES = (
    "Email confirmation: new accounts cannot confirm their address, so they cannot accept "
    "invitations or become owner of an organization you create",
    "Password reset by mail: use projecthub set-password instead",
    "Invitations by mail: the inviter sees the link once and must pass it on",
    "Email address change: people cannot change their sign-in address",
)


@dataclass(frozen=True)
class InstanceOverview:
    signup: PolicyView
    mail_delivery: Delivery
    mail_summary: str
    mail_from: str
    smtp_host: str
    sandbox: bool
    environment: str
    audit_retention_days: int
    log_format: str
    # "Sign in with Microsoft": configured, the sandbox's, or not (and what to set).
    microsoft_signin: str
    # Background work every backend process runs, each with what it is doing here.
    workers: list[tuple[str, str]]
    # Features that do not work here because mail cannot be sent (empty when it can).
    mail_unavailable: list[str]


def overview(session: Session, actor: Actor) -> InstanceOverview:
    require_instance_admin(actor)
    mode = delivery()
    return InstanceOverview(
        signup=current_policy(session), mail_delivery=mode, mail_summary=_DELIVERY_TEXT[mode],
        mail_from=settings.mail_from, smtp_host=_smtp_host(), sandbox=settings.sandbox_enabled,
        environment=settings.ENV, audit_retention_days=settings.AUDIT_RETENTION_DAYS,
        log_format="JSON lines" if settings.log_json else "text",
        microsoft_signin=microsoft_signin.configuration_summary(), workers=_workers(mode),
        mail_unavailable=list(MAIL_FEATURES) if mode == Delivery.NONE else [])


def send_test_mail(session: Session, actor: Actor) -> bool:
    """Queue a message to the admin's own address; ``False`` when mail cannot be sent."""
    require_instance_admin(actor)
    throttle.hit(session, "test-mail", str(actor.user_id), limit=TEST_MAIL_LIMIT,
                 window=TEST_MAIL_WINDOW)
    queued = queue_mail(session, to=actor.email, kind="test", content=compose(
        subject="Test message",
        paragraphs=["This is a test message. Mail from this instance reaches you."],
        reason="you asked for a test message on the instance settings page."))
    audit.record(session, actor, "instance.test_mail_sent", target_type="instance",
                 detail={"queued": queued})
    return queued


def _smtp_host() -> str:
    if settings.SMTP_URL is None:
        return ""
    parts = urlsplit(settings.SMTP_URL.get_secret_value())
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def _workers(mode: Delivery) -> list[tuple[str, str]]:
    return [
        ("Provisioning", "Runs waiting projects; a run whose worker died is resumed after "
                         f"{settings.PROVISIONING_LEASE_SECONDS} s"),
        ("Status sync", "Refreshes project status from the tools"),
        ("Mail sender", "Sends queued mail, retrying temporary failures" if mode == Delivery.SMTP
         else "Not running: no PROJECTHUB_SMTP_URL"),
    ]
