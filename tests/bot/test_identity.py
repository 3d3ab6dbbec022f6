"""e-ID in the chat (bot/actions/identity.py): what a verified identity fills in, the guardian's age check,
and the ticket exchange against the real backend."""
from __future__ import annotations

import datetime as dt

from bot.actions import backend_client
from bot.actions.actions import build_case_payload
from bot.actions.identity import child_age_mismatch, identity_slots, ticket_from_metadata

IDENTITY = {"personnummer": "198112289874", "given_name": "Anna", "family_name": "Andersson",
            "identity_token": "tok-123"}
TODAY = dt.date(2026, 12, 1)


def test_a_verified_patient_is_not_asked_for_name_or_personnummer():
    assert identity_slots("patient", IDENTITY) == {
        "identity_token": "tok-123", "patient_personnummer": "198112289874", "patient_name": "Anna Andersson"}


def test_for_someone_else_the_reporter_is_the_one_verified():
    for role in ("relative", "guardian", "representative"):
        slots = identity_slots(role, IDENTITY)
        assert slots == {"identity_token": "tok-123", "reporter_name": "Anna Andersson"}
        assert "patient_personnummer" not in slots  # the patient's details are still asked


def test_the_guardian_age_check():
    child = "201510102385"  # born 2015-10-10: eleven on TODAY
    assert child_age_mismatch(11, child, TODAY) is None
    assert child_age_mismatch(10, child, TODAY) is None  # a year either way is fine
    remark = child_age_mismatch(3, child, TODAY)
    assert remark and "3 år" in remark and "11 år" in remark
    adult = child_age_mismatch(11, "198112289874", TODAY)
    assert adult and "under 18 år" in adult
    assert child_age_mismatch(None, child, TODAY) is None
    assert child_age_mismatch(5, "not-a-number", TODAY) is None


def test_the_ticket_comes_only_from_the_widgets_metadata_key():
    assert ticket_from_metadata({"kg_identity_ticket": "abc"}) == "abc"
    assert ticket_from_metadata({"kg_identity_ticket": 5}) is None
    assert ticket_from_metadata({"kg_identity_ticket": "x" * 101}) is None
    assert ticket_from_metadata(None) is None


def test_the_intake_carries_the_identity_token_only_when_there_is_one():
    base = {"reporter_role": "patient", "patient_name": "Anna", "patient_personnummer": "198112289874",
            "description": "x", "personal_data_consent": True}
    assert "identity_token" not in build_case_payload(base)
    assert build_case_payload({**base, "identity_token": "tok-123"})["identity_token"] == "tok-123"


async def test_an_unknown_ticket_is_none_from_the_real_backend(backend):
    assert await backend_client.client().exchange_identity_ticket("no-such-ticket") is None
