"""What a Productive budget will hold, worked out from the answers before anything is created.

Productive computes a budget's total from its services (price x quantity; ``budget_total`` is
read-only), so the amount typed in the wizard becomes one service on the budget: billable hours
as its quantity and the amount divided by them as its hourly price. The budget type picks the
deal type (client or internal) and the service's billing type (fixed, actuals, none). Preflight
shows :meth:`BudgetLine.describe` and the step creates exactly that, so the preview and the
result cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from projecthub.connectors.productive_models import BillingType, DealType, Money, Unit

LABELS = {"fixed": "fixed price", "time_and_materials": "time & materials",
          "non_billable": "non-billable"}
_BILLING = {"fixed": BillingType.FIXED, "time_and_materials": BillingType.ACTUALS,
            "non_billable": BillingType.NONE}


class BudgetProblem(ValueError):
    """The answers cannot make a budget (e.g. time & materials without hours); ``answer`` is
    the plan input to fix, so a form can show the message next to its field."""

    def __init__(self, message: str, answer: str = "budget_type") -> None:
        super().__init__(message)
        self.answer = answer


def budget_inputs(answers: dict[str, Any]) -> dict[str, Any]:
    """The budget step's inputs from the plan's answers."""
    return {"budget_type": answers.get("budget_type", "non_billable"),
            "amount": answers.get("budget_amount"), "currency": answers.get("currency", "EUR"),
            "billable_hours": answers.get("billable_hours")}


@dataclass(frozen=True)
class BudgetLine:
    budget_type: str
    deal_type: DealType
    billing_type: BillingType
    unit: Unit
    quantity: Decimal  # hours, or 1 piece for a fixed price without hours; 0: no service
    price_cents: int  # per unit
    currency: str

    @property
    def total(self) -> Money:
        cents = (self.quantity * self.price_cents).quantize(Decimal(1), ROUND_HALF_UP)
        return Money(int(cents), self.currency)

    @property
    def has_service(self) -> bool:
        return self.quantity > 0

    def describe(self) -> str:
        """The budget in a project manager's words, with Productive's own total."""
        label = LABELS[self.budget_type]
        if not self.has_service:
            return f"a {label} budget with no hours planned"
        if self.billing_type == BillingType.NONE:
            return f"a {label} budget of {self.quantity:g} h"
        if self.unit == Unit.PIECE:
            return f"a {label} budget of {self.total}"
        rate = Money(self.price_cents, self.currency)
        return f"a {label} budget of {self.total} ({self.quantity:g} h at {rate}/h)"


def _decimal(value: Any, what: str, answer: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError as exc:
        raise BudgetProblem(f"The {what} is not a number.", answer) from exc
    if not number.is_finite() or number < 0:
        raise BudgetProblem(f"The {what} must be zero or more.", answer)
    return number


def budget_line(inputs: dict[str, Any]) -> BudgetLine:
    """The one service that carries the budget's amount; ``inputs`` are the budget step's."""
    budget_type = str(inputs.get("budget_type") or "non_billable")
    if budget_type not in _BILLING:
        raise BudgetProblem(f"Unknown budget type {budget_type!r}.")
    amount = _decimal(inputs.get("amount"), "budget amount", "budget_amount")
    hours = _decimal(inputs.get("billable_hours"), "number of billable hours",
                     "billable_hours")
    currency = str(inputs.get("currency") or "EUR")
    billing = _BILLING[budget_type]
    if billing == BillingType.NONE:
        return BudgetLine(budget_type, DealType.INTERNAL, billing, Unit.HOUR, hours or Decimal(0),
                          0, currency)
    if not amount:
        raise BudgetProblem(f"A {LABELS[budget_type]} budget needs an amount.", "budget_amount")
    cents = amount * 100
    if not hours:
        if billing == BillingType.ACTUALS:
            raise BudgetProblem("A time & materials budget needs its billable hours.",
                                "billable_hours")
        return BudgetLine(budget_type, DealType.CLIENT, billing, Unit.PIECE, Decimal(1),
                          int(cents.quantize(Decimal(1), ROUND_HALF_UP)), currency)
    rate = (cents / hours).quantize(Decimal(1), ROUND_HALF_UP)
    return BudgetLine(budget_type, DealType.CLIENT, billing, Unit.HOUR, hours, int(rate),
                      currency)


__all__ = ["LABELS", "BudgetLine", "BudgetProblem", "budget_inputs", "budget_line"]
