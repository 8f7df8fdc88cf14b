"""Reflex configuration, derived from ProjectHub's settings (see projecthub/core/config.py).

No ``db_url``: ProjectHub owns its engine and runs migrations with Alembic, so Reflex never
touches the database.
"""

import os

import click
import reflex as rx


def _announce_build_mode() -> None:
    """``reflex run --env prod`` reads this file before it sets ``REFLEX_ENV_MODE``; set it from
    the command line first, so settings (and forked workers) see a production build as one."""
    context = click.get_current_context(silent=True)
    mode = context.params.get("env") if context is not None else None
    if isinstance(mode, str):
        os.environ["REFLEX_ENV_MODE"] = mode.lower()


_announce_build_mode()

from projecthub.core.config import settings  # noqa: E402 (reads REFLEX_ENV_MODE)
from projecthub.ui.theme import app_theme  # noqa: E402

config = rx.Config(
    app_name="projecthub",
    app_module_import="projecthub.app",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.RadixThemesPlugin(theme=app_theme())],
    disable_plugins=[rx.plugins.SitemapPlugin],
    cors_allowed_origins=settings.origins,
    redis_url=settings.REDIS_URL,  # set: Reflex state in Redis, and several workers
)
