"""Validation of the forms that follow a submitted case: the status check (case_reference,
access_code) and a reply to the officer's counter-question (reply_text).

The reference and the code may come in any message, also the one that starts the status check
("hur går det med KG-2026-000123?"). Never log the code or the reply.
"""
from __future__ import annotations

from typing import Any, Dict, Text

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from . import texts
from .common import is_interruption, turn_of
from .interpret import find_access_code, find_reference


class ValidateStatusForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_status_form"

    def extract_case_reference(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[Text, Any]:
        turn = turn_of(tracker)
        if not turn.fresh:
            return {}
        ref = find_reference(turn.text) or (turn.entity("case_reference")
                                            and find_reference(str(turn.entity("case_reference"))))
        if ref:
            return {"case_reference": ref}
        if turn.requested == "case_reference" and not is_interruption(turn, free_text=False):
            return {"case_reference": "?"}
        return {}

    def validate_case_reference(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Dict[Text, Any]:
        if value and value != "?":
            out: Dict[str, Any] = {"case_reference": value}
            if value != tracker.get_slot("last_case_reference"):
                out["access_code"] = None  # another case: its own code is needed
            return out
        dispatcher.utter_message(text=texts.REFERENCE_INVALID)
        return {"case_reference": None}

    def extract_access_code(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> Dict[Text, Any]:
        turn = turn_of(tracker)
        if not turn.fresh:
            return {}
        code = find_access_code(turn.text)
        if turn.requested != "access_code":
            # only in the message that starts the check, not in the answer about the reference
            return {"access_code": code} if code and turn.requested is None else {}
        if is_interruption(turn, free_text=False):
            return {}
        return {"access_code": code or "?"}

    def validate_access_code(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> Dict[Text, Any]:
        if value and value != "?":
            return {"access_code": value}
        dispatcher.utter_message(text=texts.ASK_ACCESS_CODE)
        return {"access_code": None}


class ValidateReplyForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_reply_form"

    def extract_reply_text(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> Dict[Text, Any]:
        turn = turn_of(tracker)
        if not turn.fresh or turn.requested != "reply_text":
            return {}
        if is_interruption(turn, free_text=True):
            return {}
        return {"reply_text": turn.text}

    def validate_reply_text(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> Dict[Text, Any]:
        if value and str(value).strip():
            return {"reply_text": str(value).strip()[:20000]}
        return {"reply_text": None}
