"""Services never end a transaction: the caller's unit of work does (the UI's ``session_scope``,
the API's request dependency, a CLI command). The only services that open their own units of
work are the background jobs that own their transactions, listed below with the reason."""

from __future__ import annotations

import ast
from pathlib import Path

import projecthub.services

SERVICES = Path(projecthub.services.__file__).parent
# Module -> why it may open its own ``unit_of_work``. Keep this list short.
OWN_TRANSACTIONS = {
    "provisioning/runner.py": "the runner commits each step's transition before the next call, "
                              "so a dead worker leaves a ledger another worker can resume",
    "status/sync.py": "the sync job commits its lease before calling the tools and the "
                      "figures after, so two workers never sync one project at once",
    "status/changes.py": "the change cycle moves a connection's cursor in a commit of its own "
                         "after every read it asked for has committed, so a cursor never runs "
                         "ahead of the figures",
    "mail_sender.py": "the mail job claims a message, sends it, and records the outcome, each "
                      "committed, so a message is never sent twice nor lost",
    "login_throttle.py": "a failed login's count commits on its own connection, so it holds "
                         "although the login request itself is rolled back",
    "notifications/delivery.py": "the delivery job claims what is due, posts to Teams with no "
                                 "transaction open, and records each outcome, so a message is "
                                 "neither sent twice nor held up by a slow vendor",
    "webhooks/setup.py": "turning webhooks on commits the endpoint, asks the vendor to "
                         "register it with no transaction open, then records the outcome, so "
                         "a slow vendor holds no lock",
    "webhooks/renewal.py": "renewing Graph subscriptions reads what is due, calls Graph with "
                           "no transaction open, and commits each new expiry on its own",
    "project_import/job.py": "an import of hundreds of projects commits chunk by chunk, so a "
                             "failing chunk loses only itself and progress shows in between",
}
# The ways a module can open and commit a transaction of its own.
OPENING_CALLS = {"unit_of_work", "session_scope", "begin"}
ENDING_CALLS = {"commit", "rollback"}


def _calls(path: Path) -> list[tuple[str, int]]:
    """(called name, line) of every call whose callee is a plain or dotted name."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call):
            callee = node.func
            name = callee.attr if isinstance(callee, ast.Attribute) else getattr(callee, "id", "")
            found.append((name, node.lineno))
    return found


def _modules() -> list[tuple[str, Path]]:
    return sorted((path.relative_to(SERVICES).as_posix(), path)
                  for path in SERVICES.rglob("*.py"))


def test_no_service_commits_or_rolls_back():
    offenders = [f"services/{name}:{line} calls {call}()"
                 for name, path in _modules() for call, line in _calls(path)
                 if call in ENDING_CALLS]
    assert not offenders, "the caller owns the transaction:\n" + "\n".join(offenders)


def test_only_the_listed_jobs_open_their_own_unit_of_work():
    openers = {name for name, path in _modules()
               if any(call in OPENING_CALLS for call, _ in _calls(path))}
    assert openers <= set(OWN_TRANSACTIONS), sorted(openers - set(OWN_TRANSACTIONS))
    assert set(OWN_TRANSACTIONS) <= openers, "an allow-list entry no longer applies"


def test_the_check_sees_a_commit(tmp_path):
    """The scan itself works: a service-shaped module that commits is caught."""
    module = tmp_path / "sample.py"
    module.write_text("def save(session):\n    session.add(1)\n    session.commit()\n")
    assert ("commit", 3) in _calls(module)
