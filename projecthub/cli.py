"""projecthub: operator commands. Scriptable (plain output, exit codes), idempotent where
that makes sense, and passwords never come from arguments: a prompt or ``--password-stdin``."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence

from sqlmodel import Session, select

from projecthub.core.clock import utcnow
from projecthub.core.config import settings
from projecthub.core.crypto import DecryptionError
from projecthub.core.db import session_scope
from projecthub.core.errors import AppError
from projecthub.core.logging import configure_logging
from projecthub.core.migrations import upgrade_database
from projecthub.models import Organization, Role, User
from projecthub.services import (
    accounts,
    api_tokens,
    audit_export,
    connections,
    invitations,
    mail,
    members,
    orgs,
    password_reset,
    verification,
)
from projecthub.services.principal import actor_for, principal_in_org
from projecthub.services.validation import normalize_email
from projecthub.services.webhooks.endpoints import reencrypt_all_endpoints


class CommandError(Exception):
    """A failure the operator can fix; printed without a traceback."""


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("no password on standard input")
        return password
    if not sys.stdin.isatty():
        raise CommandError("no terminal to prompt on; pass --password-stdin and pipe the password")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise CommandError("the passwords do not match")
    return first


def _user(db: Session, email: str) -> User | None:
    return accounts.find_user_by_email(db, normalize_email(email))


def _org(db: Session, slug: str) -> Organization:
    org = db.exec(select(Organization).where(Organization.slug == slug.strip().lower())).first()
    if org is None:
        raise CommandError(f"no organization with slug {slug!r}")
    return org


def cmd_migrate(_args: argparse.Namespace) -> str:
    upgrade_database()
    return "database is up to date"


def cmd_create_admin(args: argparse.Namespace) -> str:
    with session_scope() as db:
        user = _user(db, args.email)
        if user is None:
            user = accounts.create_user(db, email=args.email, password=_read_password(args),
                                        display_name=args.name or "", is_instance_admin=True)
            verification.mark_verified(db, user)
            return f"created instance admin {user.email}"
        if user.is_instance_admin:
            return f"{user.email} is already an instance admin"
        accounts.set_instance_admin(db, user.id)
        return f"{user.email} is now an instance admin"


def cmd_create_user(args: argparse.Namespace) -> str:
    if bool(args.org) != bool(args.role):
        raise CommandError("--org and --role go together")
    with session_scope() as db:
        user = _user(db, args.email)
        created = user is None
        if user is None:
            user = accounts.create_user(db, email=args.email, password=_read_password(args),
                                        display_name=args.name or "")
            verification.mark_verified(db, user)
        message = f"{'created' if created else 'found'} user {user.email}"
        if args.org:
            message += "; " + _ensure_membership(db, user, _org(db, args.org), Role(args.role))
        return message


def _ensure_membership(db: Session, user: User, org: Organization, role: Role) -> str:
    changed = members.operator_ensure_membership(db, user, org, role)
    return f"{'' if changed else 'already '}{role.value} of {org.slug}"


def cmd_create_org(args: argparse.Namespace) -> str:
    with session_scope() as db:
        owner = _user(db, args.owner)
        if owner is None:
            raise CommandError(f"no account with email {args.owner!r}; create it with create-user")
        existing = db.exec(select(Organization).where(Organization.slug == args.slug)).first()
        if owner.email_verified_at is None:
            # Whoever registered the address first must not become its owner (issue 10 #5).
            org = existing or orgs.operator_create_organization(db, name=args.name,
                                                                slug=args.slug)
            created = invitations.invite_owner(db, None, org, email=owner.email)
            how = "mailed to them" if created.mailed else "send it yourself"
            return (f"organization {org.slug}: {owner.email} has not confirmed their address, so "
                    f"they are invited as owner ({how}): {created.link}")
        if existing is not None:
            _ensure_membership(db, owner, existing, Role.OWNER)
            return f"organization {existing.slug} already exists; {owner.email} is an owner"
        org = orgs.create_organization(db, actor_for(owner), name=args.name, slug=args.slug)
        return f"created organization {org.slug} owned by {owner.email}"


def cmd_create_api_token(args: argparse.Namespace) -> str:
    with session_scope() as db:
        user = _user(db, args.email)
        if user is None:
            raise CommandError(f"no account with email {args.email!r}")
        principal = principal_in_org(db, actor_for(user), _org(db, args.org).id)
        return api_tokens.create_api_token(db, principal, name=args.name,
                                           expires_in_days=args.expires_in_days,
                                           read_only=args.read_only).secret


def cmd_set_password(args: argparse.Namespace) -> str:
    with session_scope() as db:
        user = password_reset.set_password(db, email=args.email, password=_read_password(args))
        return f"password set for {user.email}; its sessions ended and API tokens were revoked"


def cmd_send_password_reset(args: argparse.Namespace) -> str:
    if not mail.mail_ready():
        raise CommandError("this instance cannot send mail (set PROJECTHUB_SMTP_URL); "
                           "use set-password instead")
    with session_scope() as db:
        password_reset.send_password_reset(db, email=args.email)
    where = "the running app sends it" if mail.delivery() == mail.Delivery.SMTP else \
        "see /outbox"
    return f"queued a password reset link for {normalize_email(args.email)} ({where})"


def cmd_rotate_keys(_args: argparse.Namespace) -> str:
    with session_scope() as db:
        count = connections.reencrypt_all_connections(db)
        count += reencrypt_all_endpoints(db)  # webhook secrets too
    return f"re-encrypted {count} secret(s) under the newest key"


def cmd_audit_purge(_args: argparse.Namespace) -> str:
    """Retention (issue 12): also meant to run as a periodic task."""
    with session_scope() as db:
        deleted = audit_export.purge_expired_audit(db, utcnow())
    return (f"deleted {deleted} audit event(s) older than {settings.AUDIT_RETENTION_DAYS} days "
            "(PROJECTHUB_AUDIT_RETENTION_DAYS)")


def cmd_sandbox(args: argparse.Namespace) -> str:
    """Serve the four fake vendor APIs on their own port (for connector development)."""
    import uvicorn

    from projecthub.sandbox import DEMO_POLL_SECONDS, create_sandbox_app

    app = create_sandbox_app(admin_token=args.admin_token, seed_demo=not args.empty,
                             graph_poll_seconds=DEMO_POLL_SECONDS)
    print(f"Sandboxes on http://{args.host}:{args.port}/sandbox/<jira|confluence|productive|graph>"
          " (demo credentials: see projecthub/sandbox/__init__.py)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", lifespan="off")
    return "sandbox stopped"


def cmd_worker(args: argparse.Namespace) -> str:
    """Run background jobs in this process until SIGINT/SIGTERM (PostgreSQL only)."""
    if not settings.uses_job_engine:
        raise CommandError("projecthub worker needs PostgreSQL (PROJECTHUB_DATABASE_URL); with "
                           "SQLite the web process runs the background work itself")
    import asyncio

    from projecthub.jobs.runtime import run_worker_process
    from projecthub.jobs.work import QUEUES

    unknown = sorted(set(args.queues or ()) - set(QUEUES))
    if unknown:
        raise CommandError(f"unknown queue(s) {', '.join(unknown)}; known: {', '.join(QUEUES)}")
    print(f"worker: {args.concurrency} job(s) at a time, queues: "
          f"{', '.join(args.queues or QUEUES)}", flush=True)
    asyncio.run(run_worker_process(args.concurrency, args.queues))
    return "worker stopped"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="projecthub", description="ProjectHub operator commands. Passwords are read from a "
        "prompt or from standard input with --password-stdin, never from arguments.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: Callable[[argparse.Namespace], str],
                help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    command("migrate", cmd_migrate,
            "Create or upgrade the database schema (alembic upgrade head).")
    p = command("create-admin", cmd_create_admin,
                "Create an instance admin, or grant an existing account the admin flag.")
    p.add_argument("--email", required=True)
    p.add_argument("--name", help="display name for a new account")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p = command("create-user", cmd_create_user,
                "Create an account (if missing) and optionally give it a role in an organization.")
    p.add_argument("--email", required=True)
    p.add_argument("--name")
    p.add_argument("--org", metavar="SLUG")
    p.add_argument("--role", choices=[r.value for r in Role])
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p = command("create-org", cmd_create_org,
                "Create an organization owned by an existing account.")
    p.add_argument("--name", required=True)
    p.add_argument("--slug", required=True)
    p.add_argument("--owner", required=True, metavar="EMAIL")
    p = command("create-api-token", cmd_create_api_token,
                "Create an API token for a member of an organization; prints only the token.")
    p.add_argument("--email", required=True)
    p.add_argument("--org", required=True, metavar="SLUG")
    p.add_argument("--name", required=True)
    p.add_argument("--expires-in-days", type=int, metavar="DAYS",
                   help=f"1 to {api_tokens.MAX_DAYS} (default "
                        f"{settings.API_TOKEN_DEFAULT_DAYS})")
    p.add_argument("--read-only", action="store_true", help="the token may only make GET requests")
    p = command("set-password", cmd_set_password,
                "Set an account's password; ends its sessions and revokes its API tokens.")
    p.add_argument("--email", required=True)
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p = command("send-password-reset", cmd_send_password_reset,
                "Mail an account a single-use password reset link (valid one hour).")
    p.add_argument("--email", required=True)
    p = command("sandbox", cmd_sandbox,
                "Run the Jira, Confluence, Productive and Microsoft Graph sandboxes standalone.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--admin-token", help="enables the /_sandbox fault and reset endpoints")
    p.add_argument("--empty", action="store_true", help="start tenants without demo data")
    p = command("worker", cmd_worker,
                "Run background jobs (provisioning, status sync, mail, periodic tasks) until "
                "stopped; needs PostgreSQL.")
    p.add_argument("--concurrency", type=int, default=settings.WORKER_CONCURRENCY, metavar="N",
                   help=f"jobs run at once (default {settings.WORKER_CONCURRENCY})")
    p.add_argument("--queues", nargs="+", metavar="QUEUE",
                   help="only these queues (provisioning, status, mail, periodic); default all")
    command("rotate-keys", cmd_rotate_keys,
            "Re-encrypt every stored credential under the newest PROJECTHUB_SECRET_KEYS key.")
    command("audit-purge", cmd_audit_purge,
            "Delete audit events older than PROJECTHUB_AUDIT_RETENTION_DAYS (default 365).")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    configure_logging()
    try:
        print(args.handler(args))
    except (AppError, CommandError, DecryptionError) as exc:
        detail = getattr(exc, "fields", None)
        message = exc.message if isinstance(exc, AppError) else str(exc)
        if detail:
            message += " (" + "; ".join(f"{k}: {v}" for k, v in detail.items()) + ")"
        print(f"error: {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
