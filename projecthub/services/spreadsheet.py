"""Cells for CSV files that people open in a spreadsheet. Excel, LibreOffice and Google Sheets
evaluate a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before
one) as a formula, so a project or person named ``=HYPERLINK(...)`` would run in the reader's
sheet. OWASP's rule: prefix such text with a single quote, which spreadsheets show as text.
Numbers are passed as numbers and never prefixed, so a real -3 stays a number."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Cell = str | int | float


def safe_cell(value: Cell) -> Cell:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_rows(rows: Iterable[Sequence[Cell]]) -> str:
    """Rows as CSV lines, every text cell made safe: one piece of a file streamed in pieces."""
    out = io.StringIO()
    csv.writer(out).writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """The rows as CSV, every text cell made safe to open in a spreadsheet."""
    return csv_rows([header]) + csv_rows(rows)
