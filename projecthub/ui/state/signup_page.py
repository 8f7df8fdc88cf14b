"""What the sign-up page says about the instance's sign-up policy, read at each visit."""

from __future__ import annotations

import reflex as rx

from projecthub.core.db import session_scope
from projecthub.services.signup_policy import current_policy


class SignupPolicyState(rx.State):
    """Public: the policy is the same for everyone, so showing it reveals nothing."""

    policy: str = "open"
    summary: str = ""

    @rx.event
    def load(self) -> None:
        with session_scope() as db:
            view = current_policy(db)
        self.policy, self.summary = view.policy.value, view.summary
