"""``/admin/tenants``: every organization with its counts; create, suspend, reactivate."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.admin_nav import instance_admin_only
from projecthub.ui.components.dialogs import confirm
from projecthub.ui.components.forms import field, form_error, section, submit
from projecthub.ui.components.moments import local_time
from projecthub.ui.components.shell import page_header, signed_in_page
from projecthub.ui.state.admin import TenantRow, TenantsState
from projecthub.ui.typed import RowVar, cond


def _status_action(tenant: RowVar[TenantRow]) -> rx.Component:
    return cond(
        tenant.suspended,
        confirm(rx.button("Reactivate", size="1", variant="soft"),
                "Reactivate " + tenant.name + "?",
                "Its members get their access back at once.",
                "Reactivate", TenantsState.set_suspended(tenant.id, False), color="green"),
        confirm(rx.button("Suspend", size="1", variant="soft", color_scheme="red"),
                "Suspend " + tenant.name + "?",
                "Its members are locked out and see an 'organization suspended' screen until "
                "you reactivate it. Nothing is deleted.",
                "Suspend", TenantsState.set_suspended(tenant.id, True)),
    )


def _tenant_row(tenant: RowVar[TenantRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.vstack(rx.text(tenant.name, weight="medium"),
                                rx.text(tenant.slug, size="1", color_scheme="gray"),
                                spacing="0")),
        rx.table.cell(cond(tenant.suspended, rx.badge("suspended", color_scheme="red"),
                              rx.badge("active", color_scheme="green"))),
        rx.table.cell(tenant.members, text_align="right"),
        rx.table.cell(tenant.projects, text_align="right"),
        rx.table.cell(local_time(tenant.created_at, tenant.created), white_space="nowrap"),
        rx.table.cell(_status_action(tenant)),
        align="center",
    )


def _tenants() -> rx.Component:
    return section(
        "Organizations",
        "Member counts include active members only.",
        form_error("tenants"),
        rx.table.root(
            rx.table.header(rx.table.row(
                rx.table.column_header_cell("Organization"),
                rx.table.column_header_cell("Status"),
                rx.table.column_header_cell("Members", text_align="right"),
                rx.table.column_header_cell("Projects", text_align="right"),
                rx.table.column_header_cell("Created"),
                rx.table.column_header_cell(""),
            )),
            rx.table.body(rx.foreach(TenantsState.tenants, _tenant_row)),
            variant="surface",
            width="100%",
        ),
    )


def _create() -> rx.Component:
    return section(
        "Create an organization",
        "For an existing account, which becomes its owner.",
        rx.form(
            rx.vstack(
                form_error("create"),
                rx.grid(
                    field("Name", "name", placeholder="Umbrella Corp"),
                    field("Slug", "slug", placeholder="umbrella"),
                    field("Owner's email", "owner_email", type="email",
                          placeholder="owner@umbrella.example"),
                    columns=rx.breakpoints(initial="1", md="3"),
                    spacing="3",
                    width="100%",
                ),
                submit("Create organization"),
                spacing="4",
                width="100%",
            ),
            on_submit=TenantsState.create_tenant,
            no_validate=True,
            width="100%",
        ),
    )


def admin_tenants_page() -> rx.Component:
    return signed_in_page(
        page_header("Tenants", "Instance administration: organizations as a whole."),
        instance_admin_only("/admin/tenants", _tenants(), _create()),
        needs_org=False,
    )
