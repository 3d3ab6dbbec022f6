"""Complaint form, who is filing: reporter_role, patient_consent, consent_continue, child_age.

A mixin of ``ValidateComplaintForm`` (complaint_form.py): each ``extract_<slot>`` reads the answer
to the question about its slot, and ``validate_<slot>`` checks it and fills what follows from it.
"""
from __future__ import annotations

import re
from typing import Any, Dict, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from . import texts
from .interpret import CONSENT_PATTERNS, age_in_years, answer_to, role_of, yes_no


class WhoSlots:
    # -- reporter_role --------------------------------------------------------------------------
    def extract_reporter_role(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> Dict[Text, Any]:
        turn = answer_to(tracker, "reporter_role")
        if not turn:
            return {}
        role = turn.entity("reporter_role")
        if role:
            return {"reporter_role": str(role)}
        return {"reporter_role": turn.text or "?"}

    async def validate_reporter_role(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[Text, Any]:
        if value is None:
            return {"reporter_role": None}
        role = role_of(str(value))
        if not role:
            dispatcher.utter_message(text=texts.ROLE_NOT_UNDERSTOOD)
            return {"reporter_role": None}
        out: Dict[str, Any] = {"reporter_role": role}
        if role in ("patient", "guardian", "representative"):
            out["patient_consent"] = "not_needed"
            if role == "representative" and tracker.get_slot("requested_slot") == "reporter_role":
                dispatcher.utter_message(text=texts.ROLE_REPRESENTATIVE_NOTE)
        elif role == "relative":
            if tracker.get_slot("complaint_kind") == "praise":
                out["patient_consent"] = "not_needed"  # praise needs no consent
                out["consent_note"] = "Positiv återkoppling."
            elif tracker.get_slot("patient_consent") == "not_needed" and not tracker.get_slot("consent_note"):
                out["patient_consent"] = None  # was another role before: ask about consent now
        if role != "guardian":
            out["child_age"] = None
        return out

    # -- patient_consent (relatives only) ------------------------------------------------------
    def extract_patient_consent(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Dict[Text, Any]:
        turn = answer_to(tracker, "patient_consent")
        if not turn:
            return {}
        value = turn.entity("patient_consent")
        if value:
            return {"patient_consent": str(value)}
        if turn.has_intent("dont_know", min_conf=0.5):
            return {"patient_consent": "unknown"}
        t = turn.text.lower()
        for code, pattern in CONSENT_PATTERNS:
            if re.search(pattern, t):
                return {"patient_consent": code}
        yn = yes_no(turn)
        if yn is not None:
            return {"patient_consent": "yes" if yn else "no"}
        return {"patient_consent": "?"}

    def validate_patient_consent(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> Dict[Text, Any]:
        if value is None:
            return {"patient_consent": None}
        if value == "deceased":
            dispatcher.utter_message(text=texts.CONSENT_DECEASED)
            return {"patient_consent": "not_needed", "consent_note": texts.NOTE_DECEASED}
        if value == "cannot":
            dispatcher.utter_message(text=texts.CONSENT_CANNOT)
            return {"patient_consent": "not_needed", "consent_note": "Patienten kan inte ta ställning."}
        if value in ("yes", "no", "unknown"):
            return {"patient_consent": value, "consent_note": None, "consent_continue": None}
        if value == "not_needed" and tracker.get_slot("reporter_role") != "relative":
            return {"patient_consent": "not_needed"}
        if value == "not_needed" and tracker.get_slot("consent_note"):
            return {"patient_consent": "not_needed"}
        dispatcher.utter_message(text=texts.CONSENT_NOT_UNDERSTOOD)
        return {"patient_consent": None}

    # -- consent_continue (without the patient's consent: go on anyway?) -----------------------
    def extract_consent_continue(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> Dict[Text, Any]:
        turn = answer_to(tracker, "consent_continue")
        if not turn:
            return {}
        if turn.has_intent("continue", min_conf=0.5):
            return {"consent_continue": True}
        yn = yes_no(turn)
        return {"consent_continue": yn if yn is not None else "?"}

    def validate_consent_continue(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[Text, Any]:
        if value is True:
            return {"consent_continue": True}
        if value is False:
            return {"consent_continue": False}
        if value is not None:
            dispatcher.utter_message(text=texts.YES_NO_NOT_UNDERSTOOD)
        return {"consent_continue": None}

    # -- child_age (guardians only) ------------------------------------------------------------
    def extract_child_age(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: DomainDict) -> Dict[Text, Any]:
        turn = answer_to(tracker, "child_age")
        if not turn:
            return {}
        return {"child_age": turn.text or "?"}

    def validate_child_age(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> Dict[Text, Any]:
        if value is None:
            return {"child_age": None}
        age = age_in_years(value)
        if age < 0 or age > 120:
            dispatcher.utter_message(text=texts.CHILD_AGE_INVALID)
            return {"child_age": None}
        if age >= 18:
            # an adult "child": the person files as a relative, and consent is asked
            dispatcher.utter_message(text=texts.CHILD_ADULT)
            return {"child_age": None, "reporter_role": "relative", "patient_consent": None}
        if age >= 13:
            dispatcher.utter_message(text=texts.CHILD_AGE_13)
        return {"child_age": float(age)}
