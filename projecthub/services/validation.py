"""Input normalisation shared by sign-up, invitations and the CLI."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

from projecthub.core.errors import Invalid

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")


def normalize_email(email: str, *, field: str = "email") -> str:
    """Lower-case and syntax-check an address; deliverability is not checked (no network)."""
    try:
        result = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        message = "Enter a valid email address."
        raise Invalid(message, {field: message}) from exc
    return result.normalized.lower()


def clean_name(value: str, *, field: str, label: str, max_length: int = 120) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise Invalid(f"{label} is required.", {field: f"{label} is required."})
    if len(cleaned) > max_length:
        message = f"{label} must be at most {max_length} characters."
        raise Invalid(message, {field: message})
    return cleaned


def clean_slug(value: str, *, field: str = "slug") -> str:
    slug = value.strip().lower()
    if not _SLUG.match(slug):
        message = "Use 1-50 lowercase letters, digits and hyphens, not starting or ending with '-'."
        raise Invalid(message, {field: message})
    return slug


def slugify(name: str) -> str:
    """A slug suggestion from an organization name."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:50].strip("-") or "org"
