"""Reflex configuration, derived from ProjectHub's settings (see projecthub/core/config.py).

No ``db_url``: ProjectHub owns its engine and runs migrations with Alembic, so Reflex never
touches the database.
"""

import reflex as rx

from projecthub.core.config import settings
from projecthub.ui.theme import app_theme

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
