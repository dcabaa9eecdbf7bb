"""Cells of CSV files people open in a spreadsheet: text that starts like a formula is written as text.

A cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
spreadsheets skip before reading one of those) is run as a formula by Excel, LibreOffice and Google
Sheets; prefixing a single quote makes it plain text (OWASP, "CSV Injection").
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """``text`` as a cell no spreadsheet runs as a formula."""
    return "'" + text if text[:1] in FORMULA_STARTS else text
