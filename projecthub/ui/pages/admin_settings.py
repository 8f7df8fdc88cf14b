"""``/admin/settings``: the instance's effective configuration; the sign-up policy can be
changed here (stored in the database), the rest comes from the environment."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.admin_nav import instance_admin_only
from projecthub.ui.components.forms import field, form_error, label, section, submit
from projecthub.ui.components.shell import page_header, signed_in_page
from projecthub.ui.state.admin_users import InstanceSettingsState as S
from projecthub.ui.state.admin_users import WorkerRow
from projecthub.ui.typed import RowVar, cond

POLICIES = {"open": "Open: anyone can sign up",
            "invite-only": "Invite-only: only through an invitation link",
            "domains": "Domains: addresses at the listed domains (others need an invitation)"}


def _fact(name: str, value: rx.Component | rx.Var[str] | str) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(name), rx.data_list.value(value))


def _signup() -> rx.Component:
    return section(
        "Sign-up",
        S.signup_summary,
        cond(S.signup_from_environment,
                rx.text("Currently the default from PROJECTHUB_SIGNUP. Saving here overrides it.",
                        size="2", color_scheme="gray"),
                rx.text("Set here by an administrator; PROJECTHUB_SIGNUP no longer applies.",
                        size="2", color_scheme="gray")),
        rx.form(
            rx.vstack(
                form_error("signup"),
                label("Who may sign up", "field-policy"),
                rx.radio_group.root(
                    *(rx.radio_group.item(text, value=value) for value, text in POLICIES.items()),
                    id="field-policy", name="policy", value=S.signup_policy,
                    on_change=S.set_signup_policy,
                    direction="column", spacing="2"),
                cond(S.signup_policy == "domains",
                        field("Allowed email domains", "domains", default_value=S.signup_domains,
                              placeholder="acme.example, acme.co.uk",
                              hint="Comma-separated. Invitations work for any address.",
                              key=S.signup_domains)),
                submit("Save sign-up policy"),
                spacing="3", width="100%",
            ),
            on_submit=S.save_signup, no_validate=True, width="100%",
        ),
    )


def _mail() -> rx.Component:
    return section(
        "Mail",
        "Set by PROJECTHUB_SMTP_URL and PROJECTHUB_MAIL_FROM.",
        rx.data_list.root(
            _fact("Delivery", S.mail_summary),
            _fact("From", S.mail_from),
            cond(S.smtp_host != "", _fact("SMTP server", S.smtp_host)),
        ),
        cond(S.mail_unavailable.length() > 0, rx.callout(
            rx.vstack(
                rx.text("This instance cannot send mail, so these do not work:", weight="medium"),
                rx.unordered_list(rx.foreach(S.mail_unavailable, rx.list_item)),
                spacing="1"),
            icon="triangle_alert", color_scheme="amber", width="100%")),
        form_error("mail"),
        rx.button("Send a test message", variant="soft", on_click=S.send_test_mail,
                  width="fit-content"),
        rx.text("It goes to your own address.", size="1", color_scheme="gray"),
    )


def _worker(worker: RowVar[WorkerRow]) -> rx.Component:
    return _fact(worker.name, worker.state)


def _runtime() -> rx.Component:
    return section(
        "Runtime",
        "Set by the environment; change them where the instance is deployed.",
        rx.data_list.root(
            _fact("Environment", S.environment),
            _fact("Sandbox tools", cond(S.sandbox, "On (PROJECTHUB_SANDBOX)", "Off")),
            _fact("Audit log kept", S.audit_retention),
            _fact("Log format", S.log_format),
            _fact("Sign in with Microsoft", S.microsoft_signin),
        ),
        rx.heading("Background workers", as_="h3", size="3"),
        rx.data_list.root(rx.foreach(S.workers, _worker)),
    )


def admin_settings_page() -> rx.Component:
    return signed_in_page(
        page_header("Instance settings", "Instance administration: how this instance runs."),
        instance_admin_only("/admin/settings", _signup(), _mail(), _runtime()),
        needs_org=False,
    )
