"""The dashboard's CSV export (security review, finding 7): a cell a spreadsheet would read as a
formula is written as text, so a project name such as ``=HYPERLINK(...)`` cannot run."""

from __future__ import annotations

import csv
import io

import pytest

from projecthub.services.spreadsheet import safe_cell
from projecthub.services.status.dashboard import DashboardQuery, export_csv
from tests.factories import make_org, make_user, owner_principal
from tests.ui.status_seed import add_project

ATTACKS = ["=HYPERLINK(\"https://evil.example\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3",
           "@SUM(1)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", ATTACKS)
def test_text_a_spreadsheet_would_evaluate_is_prefixed_with_a_quote(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Acme", "", "a=b", "2026-01-31", "'quoted", -3, 2.5, 0])
def test_other_text_and_numbers_are_written_as_they_are(value):
    assert safe_cell(value) == value


def test_export_writes_hostile_names_owners_and_reasons_as_text(db):
    owner = make_user(db, name="@SUM(1)")
    org = make_org(db, owner)
    add_project(db, org, owner, name=ATTACKS[0], key="EVIL", client="+1+cmd", health="red",
                reasons=["=1+1 overdue"])

    text = export_csv(db, owner_principal(db, org), DashboardQuery())

    [_, row] = list(csv.reader(io.StringIO(text)))
    assert (row[1], row[2], row[5], row[9]) == (
        "'" + ATTACKS[0], "'+1+cmd", "'@SUM(1)", "'=1+1 overdue")
    assert row[0] == "EVIL" and row[6] == "2026-01-01"
