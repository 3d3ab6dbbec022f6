"""Which questions the complaint form still needs, and what a change from the summary clears.

The domain lists every slot the complaint form can ask; ``complaint_required_slots`` picks the
ones this complaint needs, in order, so nothing is asked twice and nothing unnecessary is asked.
"""
from __future__ import annotations

from typing import Any, Dict, List

from . import texts
from .common import entity_payload

# "Vill du berätta mer?" is asked only when the story is shorter than this
SHORT_STORY_WORDS = 30

# Answers that are free text: the form lets go of them only for a clear interruption,
# so that a description is never lost to a misclassification.
FREE_TEXT_SLOTS = {"care_unit_text", "description", "description_done", "patient_name",
                   "patient_personnummer", "reporter_name", "contact_info", "desired_outcome",
                   "event_date"}

# Which slots to clear when a field is changed from the summary
FIELD_CLEARS = {
    "reporter_role": ["reporter_role", "patient_consent", "consent_continue", "consent_note",
                      "child_age", "reporter_name", "child_pnr_checked"],
    "care_unit_text": ["care_unit_text", "care_unit", "care_unit_name", "unit_candidates",
                       "unit_choice", "region_code", "region_name", "unit_connected"],
    "event_date": ["event_date"],
    "description": ["description", "description_done", "category_suggestions"],
    "category_sub": ["category_sub", "category_stage"],
    "desired_outcome": ["desired_outcome"],
    "reply_wanted": ["reply_wanted", "contact_info", "contact_email", "contact_phone", "preferred_contact"],
    "recipient": ["recipient", "recipient_auto"],
    "patient_name": ["patient_name"],
    "patient_personnummer": ["patient_personnummer"],
    "reporter_name": ["reporter_name"],
    "contact_info": ["contact_info", "contact_email", "contact_phone", "preferred_contact"],
}


def deceased(slots: Dict[str, Any]) -> bool:
    """The patient has died (said in the first message, or as the answer about consent)."""
    return slots.get("consent_note") == texts.NOTE_DECEASED


def complaint_required_slots(slots: Dict[str, Any], eid: bool = False) -> List[str]:
    """The questions this complaint needs, in the order they are asked (``eid``: e-ID is configured, so
    the person is offered to log in before the patient details; see complaint_identity.py)."""
    role = slots.get("reporter_role")
    praise = slots.get("complaint_kind") == "praise"
    req = ["reporter_role"]
    if role == "relative" and not praise:
        req.append("patient_consent")
        if slots.get("patient_consent") in ("no", "unknown"):
            req.append("consent_continue")
            if slots.get("consent_continue") is False:
                return req  # the relative stops here: nothing more is asked, nothing is sent
    if role == "guardian":
        req.append("child_age")
    req.append("care_unit_text")
    if slots.get("care_unit_text") and not slots.get("care_unit"):
        if slots.get("unit_candidates"):
            req.append("unit_choice")
        else:
            req.append("region_code")  # no unit found: the region's patient board gets the case
    req += ["event_date", "description"]
    if len((slots.get("description") or "").split()) < SHORT_STORY_WORDS:
        req.append("description_done")  # "anything more?" only after a short story
    if not praise:  # praise goes straight to the unit, without category or outcome
        req += ["category_sub", "desired_outcome", "recipient"]
    if eid and (slots.get("identity_choice") is not None or not _details_known(slots)):
        req.append("identity_choice")
    req += ["patient_name", "patient_personnummer"]
    if role and role != "patient":
        req.append("reporter_name")
    email, phone = slots.get("contact_email"), slots.get("contact_phone")
    if not (email or phone) and slots.get("contact_info") != "none":
        req.append("contact_info")
    elif slots.get("contact_info") == "none" and slots.get("reply_wanted") is True:
        req.append("contact_info")
    if email and phone:
        req.append("preferred_contact")
    req.append("summary_confirmed")  # confirming the summary sends it; the data information is shown there
    return req


def _details_known(slots: Dict[str, Any]) -> bool:
    """What a log-in would fill in is already known."""
    if slots.get("reporter_role") == "patient":
        return bool(slots.get("patient_name") and slots.get("patient_personnummer"))
    return bool(slots.get("reporter_name"))


def recommended_recipient(slots: Dict[str, Any]) -> str:
    """``care_provider`` or ``patient_board``: the recipient the bot recommends."""
    if slots.get("complaint_kind") == "praise":
        return "care_provider"
    if slots.get("reporter_role") == "relative" and slots.get("patient_consent") in ("no", "unknown"):
        return "care_provider"  # the patient board needs the patient's consent
    if slots.get("recipient_hint") == "patient_board":
        return "patient_board"  # already complained to the care provider
    return "care_provider"


def field_buttons(slots: Dict[str, Any]) -> List[Dict[str, str]]:
    """One button per field that can be changed from the summary."""
    praise = slots.get("complaint_kind") == "praise"
    fields = ["reporter_role", "care_unit_text", "event_date", "description"]
    if not praise:
        fields += ["category_sub", "desired_outcome"]
    fields.append("reply_wanted")
    if not praise:
        fields.append("recipient")
    fields += ["patient_name", "patient_personnummer"]
    if slots.get("reporter_role") not in (None, "patient"):
        fields.append("reporter_name")
    fields.append("contact_info")
    return [{"title": texts.FIELD_LABELS[f], "payload": entity_payload("correct", "field", f)}
            for f in fields]
