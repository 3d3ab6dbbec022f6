"""CSV cells that a spreadsheet opens as text, never as a formula ("CSV injection").

A cell that starts with = + - @ (or a tab or carriage return, which some programs skip before reading
a formula) gets a leading apostrophe, as OWASP recommends: Excel and LibreOffice then show the text as it
was written. Numbers are left alone, so negative figures stay numbers.
"""
from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
