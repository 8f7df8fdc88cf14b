"""The organization slug suggestion shared by sign-up and "new organization"."""

from __future__ import annotations

import reflex as rx

from projecthub.services.validation import slugify
from projecthub.ui.typed import event

# The services name organization fields ``name``/``slug``; the forms say org_name/org_slug
# (the sign-up API's names), so messages land next to the right input.
ORG_FIELD_ALIASES = {"name": "org_name", "slug": "org_slug"}


def org_form_errors(fields: dict[str, str]) -> dict[str, str]:
    return {ORG_FIELD_ALIASES.get(key, key): message for key, message in fields.items()}


class SlugSuggestion(rx.State, mixin=True):
    org_slug: rx.Field[str] = rx.field("")
    _slug_edited: bool = False

    def _reset_slug(self) -> None:
        self.org_slug = ""
        self._slug_edited = False

    @event
    def suggest_slug(self, org_name: str) -> None:
        """Follow the organization name until the person types a slug of their own."""
        if not self._slug_edited:
            self.org_slug = slugify(org_name) if org_name.strip() else ""

    @event
    def edit_slug(self, slug: str) -> None:
        self._slug_edited = bool(slug)
        self.org_slug = slug
