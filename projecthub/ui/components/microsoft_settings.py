"""The "Microsoft sign-in" section of the organization settings."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.forms import error_for, form_error, label, section, submit
from projecthub.ui.state.microsoft_settings import FORM, MicrosoftSettingsState
from projecthub.ui.typed import cond

S = MicrosoftSettingsState


def _check(name: str, text: str, checked: rx.Var[bool], hint: str) -> rx.Component:
    return rx.vstack(
        rx.checkbox(text, name=name, default_checked=checked, spacing="2", size="2",
                    key=S.ms_version.to_string() + name),
        rx.text(hint, size="1", color_scheme="gray"),
        spacing="1")


def _directory() -> rx.Component:
    return cond(
        S.ms_your_tenant == "",
        rx.callout("Link your own account to Microsoft first (log out, then use \"Sign in "
                   "with Microsoft\"): these rules apply to your Microsoft directory.",
                   icon="info", color_scheme="blue", width="100%"),
        rx.text("Your Microsoft directory: ", rx.code(S.ms_your_tenant),
                cond(S.ms_tenant != "", rx.text.span(" · the rules apply to ",
                                                     rx.code(S.ms_tenant))),
                size="2", color_scheme="gray"))


def microsoft_settings_section() -> rx.Component:
    return section(
        "Microsoft sign-in",
        "Both are off unless you turn them on. They apply to people of your own Microsoft "
        "(Entra ID) directory.",
        _directory(),
        rx.form(
            rx.vstack(
                form_error(FORM),
                _check("require_microsoft", "Require Sign in with Microsoft", S.ms_require,
                       "Members must sign in with their Microsoft work account; password "
                       "sessions no longer open this organization."),
                _check("allow_join", "Let people of our directory join by themselves",
                       S.ms_allow_join,
                       "Anyone who signs in with a Microsoft account of your directory becomes "
                       "a member with the role below."),
                rx.vstack(
                    label("Role for people who join", "field-join_role"),
                    rx.select(["viewer", "member", "admin"], name="join_role", size="3",
                              default_value=S.ms_join_role, id="field-join_role",
                              key=S.ms_join_role + S.ms_version.to_string()),
                    cond(error_for("join_role") != "",
                         rx.text(error_for("join_role"), size="2", color_scheme="red",
                                 role="alert")),
                    spacing="1"),
                submit("Save Microsoft sign-in settings"),
                spacing="4", width="100%", max_width="40rem",
            ),
            on_submit=S.save, reset_on_submit=False, width="100%",
            data_testid="microsoft-settings",
        ),
    )
