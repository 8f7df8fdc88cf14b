"""The banner an unconfirmed account sees on every signed-in page."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.forms import form_error
from projecthub.ui.state.session import SessionState
from projecthub.ui.state.verify import VerifyState
from projecthub.ui.typed import cond, lucide_icon


def verify_banner() -> rx.Component:
    return cond(
        SessionState.email_unverified,
        rx.callout.root(
            rx.callout.icon(lucide_icon("mail")),
            rx.vstack(
                rx.callout.text(
                    "Confirm your email address: we sent a link to ", SessionState.user_email,
                    ". Until then you cannot join an organization through an invitation or "
                    "become the owner of one an administrator creates."),
                rx.hstack(
                    rx.button("Send the link again", size="1", variant="soft",
                              high_contrast=True, on_click=VerifyState.resend),
                    form_error("verify"),
                    align="center",
                ),
                spacing="2",
            ),
            # high contrast: amber text on amber falls short of WCAG AA's 4.5:1
            color_scheme="amber", high_contrast=True, width="100%", id="verify-banner",
        ),
    )
