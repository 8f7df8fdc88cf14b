"""Settings read once from the environment (prefix ``PROJECTHUB_``).

Everything configurable goes through :data:`settings`; no other module reads ``os.environ``.
"""

from __future__ import annotations

import base64
import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEV_KEY_FILE = Path(".projecthub-dev-keys")
Environment = Literal["development", "production"]


def _default_env() -> Environment:
    """A production build (``reflex run --env prod`` sets ``REFLEX_ENV_MODE=prod``) is production
    unless ``PROJECTHUB_ENV`` says otherwise: a forgotten variable must fail closed."""
    return "production" if os.environ.get("REFLEX_ENV_MODE") == "prod" else "development"


class Settings(BaseSettings):
    """Operator-facing configuration; names are documented in README.md "Configuration"."""

    # Errors never echo a value: some (the SMTP URL, keys) are secrets.
    model_config = SettingsConfigDict(
        env_prefix="PROJECTHUB_", env_ignore_empty=True, extra="ignore",
        hide_input_in_errors=True)

    ENV: Environment = Field(default_factory=_default_env)
    DATABASE_URL: str = "sqlite:///projecthub.db"
    REDIS_URL: str | None = None
    SECRET_KEYS: Annotated[list[str], NoDecode] = Field(default_factory=list)
    ALLOWED_ORIGINS: Annotated[list[str], NoDecode] = Field(default_factory=list)
    SANDBOX: bool | None = None
    PUBLIC_URL: str = "http://localhost:3000"
    SESSION_IDLE_MINUTES: int = 60 * 8
    SESSION_ABSOLUTE_HOURS: int = 24 * 7
    INVITATION_DAYS: int = 7
    # Failed logins allowed per email, per client address and instance-wide before each further
    # attempt waits 1 s, 2 s, 4 s ... up to LOGIN_BACKOFF_MAX_SECONDS (no hard lock-out).
    LOGIN_MAX_FAILURES: int = Field(default=10, ge=1)
    LOGIN_IP_MAX_FAILURES: int = Field(default=50, ge=1)
    LOGIN_GLOBAL_MAX_FAILURES: int = Field(default=1000, ge=1)
    LOGIN_BACKOFF_MAX_SECONDS: int = Field(default=300, ge=1)
    # A counter whose last failure is older than this starts over.
    LOGIN_FAILURE_WINDOW_MINUTES: int = Field(default=60, ge=1)
    API_TOKEN_DEFAULT_DAYS: int = Field(default=90, ge=1)
    COOKIE_SECURE: bool | None = None
    # Tool base URLs only on each vendor's own hosts (*.atlassian.net, api.productive.io, Graph).
    TOOL_HOST_ALLOWLIST: bool = False
    LOG_LEVEL: str = "INFO"
    # One JSON object per line (for a log collector) or readable text; unset: JSON in production.
    LOG_FORMAT: Literal["json", "text"] | None = None
    # Audit events older than this many days are deleted by ``projecthub audit-purge``.
    AUDIT_RETENTION_DAYS: int = Field(default=365, ge=1)
    # Connections per backend process (PostgreSQL); keep workers x this under max_connections.
    DB_POOL_SIZE: int = 40
    # API requests served at once per process; keep it below DB_POOL_SIZE and the 40 threads.
    API_CONCURRENCY: int = 24
    # How long a provisioning worker's claim on a run lasts without renewal (renewed every third):
    # a worker that died is replaced by another after at most this long.
    PROVISIONING_LEASE_SECONDS: int = Field(default=60, ge=3)
    # Background work (docs/architecture.md §12): "on" runs a job worker inside each web process;
    # "off" leaves the jobs to `projecthub worker` processes (PostgreSQL only: on SQLite the web
    # process always runs them itself).
    WORKERS: Literal["on", "off"] = "on"
    # Multiplies every per-address-of-origin (IP) mail limit (services/throttle.py): an office
    # whose people all sign up from one NAT address raises it.
    MAIL_PER_IP_FACTOR: int = Field(default=1, ge=1, le=100)
    WORKER_CONCURRENCY: int = Field(default=8, ge=1)
    # A worker records a heartbeat this often; one silent for WORKER_STALLED_SECONDS is taken for
    # dead: its jobs are handed to another worker and /api/v1/ready stops counting it.
    WORKER_HEARTBEAT_SECONDS: float = Field(default=10.0, gt=0)
    WORKER_STALLED_SECONDS: float = Field(default=30.0, gt=0)
    # GET /metrics answers only with this bearer token; unset, /metrics is 404.
    METRICS_TOKEN: str | None = None
    # Where backend workers share metric files (prometheus_client's own name; scripts/serve
    # clears it at start). Unset: each process reports only itself.
    PROMETHEUS_MULTIPROC_DIR: str | None = Field(default=None,
                                                 validation_alias="PROMETHEUS_MULTIPROC_DIR")
    # smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465 (implicit TLS); the
    # password is a secret, so the whole URL is too. Unset in development: mail stays in /outbox.
    SMTP_URL: SecretStr | None = None
    MAIL_FROM: str | None = None
    # Who may sign up: anyone, only people with an invitation, or addresses of the listed domains.
    # The default for the instance; admins can change it at run time (stored in the database).
    SIGNUP: Literal["open", "invite-only", "domains"] = "open"
    SIGNUP_DOMAINS: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # "Sign in with Microsoft" (Entra ID, OpenID Connect): an app registration's client id and
    # secret, and which directories may sign in: ``organizations`` (any work or school account),
    # ``common`` (those and personal accounts) or one tenant id. Unset: the button is hidden,
    # except with the sandbox on, where the sandbox's fake Entra ID stands in.
    MICROSOFT_CLIENT_ID: str | None = None
    MICROSOFT_CLIENT_SECRET: SecretStr | None = None
    MICROSOFT_TENANT: str = "organizations"

    @field_validator("SECRET_KEYS", "ALLOWED_ORIGINS", "SIGNUP_DOMAINS", mode="before")
    @classmethod
    def _split_csv(cls, value: object) -> object:
        """Accept a comma-separated string, which is what an environment variable holds."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("SMTP_URL")
    @classmethod
    def _check_smtp_url(cls, value: SecretStr | None) -> SecretStr | None:
        """Fail at startup on a malformed URL, without echoing it (it holds a password)."""
        if value is not None:
            parts = urlsplit(value.get_secret_value())
            if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
                raise ValueError("PROJECTHUB_SMTP_URL must look like smtp://user:pass@host:587 "
                                 "or smtps://user:pass@host:465")
        return value

    @model_validator(mode="after")
    def _domains_for_the_domains_policy(self) -> Settings:
        """``SIGNUP=domains`` with no domain would refuse everyone while claiming otherwise."""
        if self.SIGNUP == "domains" and not self.SIGNUP_DOMAINS:
            raise ValueError("PROJECTHUB_SIGNUP=domains needs PROJECTHUB_SIGNUP_DOMAINS "
                             "(comma-separated email domains)")
        return self

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        """Production must be configured explicitly: no generated keys, no wildcard origins."""
        if self.ENV != "production":
            return self
        problems = []
        if not self.SECRET_KEYS:
            problems.append("PROJECTHUB_SECRET_KEYS must be set")
        if not self.ALLOWED_ORIGINS or "*" in self.ALLOWED_ORIGINS:
            problems.append("PROJECTHUB_ALLOWED_ORIGINS must list the browser origins")
        if self.SMTP_URL is not None and not self.MAIL_FROM:
            problems.append("PROJECTHUB_MAIL_FROM must be set when PROJECTHUB_SMTP_URL is")
        if problems:
            raise ValueError("unsafe production settings: " + "; ".join(problems))
        return self

    @property
    def is_production(self) -> bool:
        return self.ENV == "production"

    @property
    def log_json(self) -> bool:
        return self.LOG_FORMAT == "json" if self.LOG_FORMAT else self.is_production

    @property
    def uses_job_engine(self) -> bool:
        """PostgreSQL runs background work on procrastinate; SQLite (the embedded default) runs
        the same tasks in process."""
        return self.DATABASE_URL.startswith("postgresql")

    @property
    def sandbox_enabled(self) -> bool:
        """The sandbox tools are on by default in development and off in production."""
        return (not self.is_production) if self.SANDBOX is None else self.SANDBOX

    @property
    def mail_from(self) -> str:
        """The From header; development has a harmless default."""
        return self.MAIL_FROM or "ProjectHub <projecthub@localhost>"

    @property
    def cookie_secure(self) -> bool:
        return self.is_production if self.COOKIE_SECURE is None else self.COOKIE_SECURE

    @property
    def origins(self) -> list[str]:
        """Browser origins allowed for CORS and websocket handshakes: the configured ones, else
        (development only) the loopback origins of the ports Reflex serves on."""
        if self.ALLOWED_ORIGINS:
            return list(self.ALLOWED_ORIGINS)
        return [f"http://{host}:{port}" for port in dict.fromkeys(_reflex_ports())
                for host in ("localhost", "127.0.0.1")]

    @cached_property
    def key_ring(self) -> list[bytes]:
        """AES-256 credential keys, newest first; development generates one into a local file."""
        if self.SECRET_KEYS:
            return [_decode_key(key) for key in self.SECRET_KEYS]
        return [_decode_key(_development_key())]


def _reflex_ports() -> tuple[str, str]:
    """The frontend and backend ports of ``reflex run``. Read at each call, not at import:
    ``reflex run --frontend-port/--backend-port`` exports them only after loading rxconfig."""
    return (os.environ.get("REFLEX_FRONTEND_PORT") or "3000",
            os.environ.get("REFLEX_BACKEND_PORT") or "8000")


def _decode_key(key: str) -> bytes:
    return base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))


def _development_key() -> str:
    """Load or create the git-ignored development key, and say so loudly once.

    Created owner-only in one step (``O_EXCL``, mode 0600): never readable by others, not even
    for a moment, and two processes starting together cannot both write one."""
    try:
        fd = os.open(DEV_KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return DEV_KEY_FILE.read_text().strip().splitlines()[0]
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    with os.fdopen(fd, "w") as file:
        file.write(key + "\n")
    import logging

    logging.getLogger("projecthub").warning(
        "No PROJECTHUB_SECRET_KEYS set: generated a development key in %s. "
        "Set PROJECTHUB_SECRET_KEYS in production.", DEV_KEY_FILE.resolve())
    return key


settings = Settings()
