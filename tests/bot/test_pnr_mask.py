"""The summary shows the birth date of the personnummer, never its last four digits."""
from __future__ import annotations

from bot.actions import pnr
from bot.actions.summary import summary_text


def test_mask_hides_the_last_four_digits():
    assert pnr.mask("191212121212") == "19121212-****"
    assert pnr.mask("19121212-1212") == "19121212-****"
    assert pnr.mask("121212-1212") == "121212-****"


def test_mask_hides_anything_it_cannot_read_and_keeps_empty_empty():
    assert pnr.mask("12345") == "****"
    assert pnr.mask(None) == "" and pnr.mask("") == ""


def test_summary_shows_the_masked_personnummer_only():
    text = summary_text({"reporter_role": "patient", "patient_name": "Anna Andersson",
                         "patient_personnummer": "191212121212", "description": "Jag fick vänta länge."}, None)
    assert "• Patient: Anna Andersson, 19121212-****" in text
    assert "1212121212" not in text and "-1212" not in text
