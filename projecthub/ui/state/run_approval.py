"""What the run page says about approval: who must decide, whether the viewer may, and the
decision once made (the rules are the service's: services/provisioning/approvals.py)."""

from __future__ import annotations

import dataclasses

from projecthub.models import RunStatus
from projecthub.services.principal import Principal
from projecthub.services.provisioning.approvals import may_decide, role_label
from projecthub.services.provisioning.service import RunView
from projecthub.ui.format import when


@dataclasses.dataclass(frozen=True)
class ApprovalLines:
    waiting_for: str = ""  # "an owner or admin" while the run waits; "" otherwise
    can_decide: bool = False
    own_request: bool = False  # the viewer started it, so may not decide (four-eyes)
    decision: str = ""  # "Approved by Ada on 6 Dec 2026 22:30 UTC: comment"


def approval_lines(run: RunView, principal: Principal) -> ApprovalLines:
    approval = run.approval
    if approval is None:
        return ApprovalLines()
    if run.status == RunStatus.AWAITING_APPROVAL:
        return ApprovalLines(
            waiting_for=role_label(approval.approvers),
            can_decide=may_decide(principal, status=run.status, approver_role=approval.approvers,
                                  requested_by_id=approval.requested_by_id),
            own_request=principal.user_id == approval.requested_by_id)
    if approval.decided_at is None:  # cancelled before anyone decided
        return ApprovalLines()
    verdict = "Rejected" if run.status == RunStatus.REJECTED else "Approved"
    said = f": {approval.comment}" if approval.comment else ""
    who = approval.decided_by or "a former member"
    return ApprovalLines(decision=f"{verdict} by {who} on {when(approval.decided_at)}{said}")
