"""Demo data for sandbox tenants: a small agency with clients, staff, projects, budgets and tasks.

Deterministic (no randomness), so a demo and a screenshot look the same every time. Amounts are
in cents and times in minutes, as Productive stores them.
"""

from __future__ import annotations

from datetime import date

from projecthub.sandbox import productive_state as st

STAFF = (
    ("Ana", "Kovač", "ana.kovac@projecthub.example", "Project manager"),
    ("Marko", "Horvat", "marko.horvat@projecthub.example", "Project manager"),
    ("Sara", "Novak", "sara.novak@projecthub.example", "Frontend developer"),
    ("Ivan", "Babić", "ivan.babic@projecthub.example", "Backend developer"),
    ("Lea", "Jurić", "lea.juric@projecthub.example", "Product designer"),
    # The designer the demo Jira, Confluence and Teams know too: one person across the tools.
    ("Ana", "López", "ana.lopez@projecthub.example", "Designer"),
)
TASKS = {
    st.NOT_STARTED: ("Write release notes", "Plan load test", "Accessibility audit",
                     "Set up error tracking", "Draft handover checklist"),
    st.STARTED: ("Checkout flow", "Product search", "Invoice PDF export", "Design QA"),
    st.CLOSED: ("Kick-off workshop", "Sitemap", "Wireframes", "Design system", "CI pipeline",
                "Staging environment", "Content migration plan", "Analytics plan"),
}


def seed_demo(state: st.ProductiveState) -> None:
    """Fill a tenant as a small agency would look after a few months of use."""
    staff = [state.add_person(first, last, email, title=title)
             for first, last, email, title in STAFF]
    state.add_person("Future", "Hire", None, title="Placeholder", is_user=False)
    acme = state.add_company("Acme Retail GmbH", default_currency="EUR", company_code="ACME",
                             domain="acme-retail.example")
    harbor = state.add_company("Blue Harbor Logistics", default_currency="EUR",
                               company_code="BHL", domain="blueharbor.example")
    cedar = state.add_company("Cedar & Finch LLP", default_currency="GBP", company_code="CF")
    state.add_company("Old Client Co", archived_at=st.now())
    design = state.add_workflow("Design workflow", (("Backlog", st.NOT_STARTED),
                                                    ("Sketching", st.STARTED),
                                                    ("Client review", st.STARTED),
                                                    ("Approved", st.CLOSED)))

    shop = state.add_project("Acme Web Shop Relaunch", company_id=acme.id,
                             project_manager_id=staff[0].id, project_color_id=3)
    fleet = state.add_project("Blue Harbor Fleet App", company_id=harbor.id,
                              project_manager_id=staff[1].id, workflow_id=design.id,
                              project_color_id=7)
    tooling = state.add_project("Internal tooling", project_type_id=1,
                                project_manager_id=state.owner.id, project_color_id=1)
    for project, team in ((shop, staff[:4]), (fleet, [staff[1], staff[3], staff[4]]),
                          (tooling, [state.owner, staff[3]])):
        for person in team:
            state.add_membership(project.id, person.id)

    development = state.add_service_type("Development")
    state.add_service_type("Design")
    state.add_service_type("Project management")
    shop_budget = state.add_deal("Web Shop Relaunch 2026", company_id=acme.id,
                                 project_id=shop.id, responsible_id=staff[0].id,
                                 start=date(2026, 1, 12))
    _line(state, shop_budget, development, billing=2, hours=600, rate=8_000,
          used=3_120_000, worked=24_300)
    fleet_budget = state.add_deal("Fleet App MVP", company_id=harbor.id, project_id=fleet.id,
                                  responsible_id=staff[1].id, start=date(2026, 2, 2))
    _line(state, fleet_budget, development, billing=1, hours=250, rate=9_000,
          used=2_410_000, worked=16_080)
    tooling_budget = state.add_deal("Internal tooling 2026",
                                    company_id=state.organization.company_id or "",
                                    project_id=tooling.id, deal_type_id=1,
                                    start=date(2026, 1, 1))
    _line(state, tooling_budget, development, billing=3, hours=80, rate=0, used=0,
          worked=1_320)
    state.add_deal("Brand refresh proposal", company_id=cedar.id, budget=False,
                   currency="GBP", responsible_id=staff[4].id, budget_total=1_500_000)

    for project, share in ((shop, 5), (fleet, 3), (tooling, 2)):
        for category, titles in TASKS.items():
            for title in titles[:share if category != st.CLOSED else share + 3]:
                state.add_task(project.id, title, category=category)


def _line(state: st.ProductiveState, budget: st.Deal, service_type: st.ServiceType, *,
          billing: int, hours: int, rate: int, used: int, worked: int) -> None:
    """A budget's one service, with time already tracked on it: totals follow from it."""
    section = state.add_section(budget.id, "Work")
    service = state.add_service(section, service_type.name, service_type_id=service_type.id,
                                billing_type_id=billing, unit_id=1, quantity=hours, price=rate,
                                billable=billing != 3)
    service.budget_used, service.worked_time = used, worked
    state.recompute(budget.id)


__all__ = ["seed_demo"]
