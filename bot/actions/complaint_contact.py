"""Complaint form, personal details: patient_name, patient_personnummer, reporter_name,
contact_info, preferred_contact.

A mixin of ``ValidateComplaintForm`` (complaint_form.py). Never log these values.
"""
from __future__ import annotations

import re
from typing import Any, Dict, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from . import pnr, texts
from .common import EMAIL_LIKE_RE, clean_name, find_email, find_phone
from .complaint_identity import guardian_remark
from .interpret import answer_to


class ContactSlots:
    # -- patient_name ---------------------------------------------------------------------------
    def extract_patient_name(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> Dict[Text, Any]:
        turn = answer_to(tracker, "patient_name")
        if not turn:
            return {}
        return {"patient_name": turn.text or "?"}

    def validate_patient_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> Dict[Text, Any]:
        if value is None:
            return {"patient_name": None}
        # "Anna Andersson 19121212-1212" (the question asks for both): the name without the number
        text = str(value)
        m = pnr.PNR_RE.search(text)
        rest = re.sub(r"\b(personnummer|pnr|och|med)\b|[,;:.]", " ", text[:m.start()] + " " + text[m.end():]) if m else text
        if m and not rest.strip():
            # only the number: keep it, and ask for the name alone (utter_ask_patient_name, name_missing)
            res = pnr.check_pnr(text)
            if not res.ok:
                dispatcher.utter_message(text=res.error)
                return {"patient_name": None}
            remark = guardian_remark(tracker, res.value)
            if remark:  # a verified guardian: the child's age and the number disagree; asked once more
                dispatcher.utter_message(text=remark)
                return {"patient_name": None, "child_pnr_checked": True}
            return {"patient_name": None, "patient_personnummer": res.value, "name_missing": True}
        name = clean_name(rest)
        if not name:
            dispatcher.utter_message(text=texts.NAME_INVALID)
            return {"patient_name": None}
        out: Dict[str, Any] = {"patient_name": name, "name_missing": None}
        if m and not tracker.get_slot("patient_personnummer"):
            res = pnr.check_pnr(text[m.start():m.end()])
            remark = guardian_remark(tracker, res.value) if res.ok else None
            if remark:  # the name is kept; the number is asked for again, once
                dispatcher.utter_message(text=remark)
                out["child_pnr_checked"] = True
            elif res.ok:
                out["patient_personnummer"] = res.value
            else:
                dispatcher.utter_message(text=res.error)  # the number is asked for again
        return out

    # -- patient_personnummer -------------------------------------------------------------------
    def extract_patient_personnummer(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[Text, Any]:
        turn = answer_to(tracker, "patient_personnummer")
        if not turn:
            return {}
        return {"patient_personnummer": turn.entity("personnummer") or turn.text or "?"}

    def validate_patient_personnummer(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> Dict[Text, Any]:
        if value is None:
            return {"patient_personnummer": None}
        res = pnr.check_pnr(str(value))
        if not res.ok:
            dispatcher.utter_message(text=res.error)
            return {"patient_personnummer": None}
        remark = guardian_remark(tracker, res.value)
        if remark:  # a verified guardian: the child's age and the number disagree; asked once more
            dispatcher.utter_message(text=remark)
            return {"patient_personnummer": None, "child_pnr_checked": True}
        return {"patient_personnummer": res.value}

    # -- reporter_name (someone filing for another person) --------------------------------------
    def extract_reporter_name(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> Dict[Text, Any]:
        turn = answer_to(tracker, "reporter_name")
        if not turn:
            return {}
        return {"reporter_name": turn.text or "?"}

    def validate_reporter_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[Text, Any]:
        if value is None:
            return {"reporter_name": None}
        name = clean_name(str(value))
        if not name:
            dispatcher.utter_message(text=texts.NAME_INVALID)
            return {"reporter_name": None}
        return {"reporter_name": name}

    # -- contact_info: "given" (e-mail and/or phone) or "none" (no reply wanted) ------------------
    def extract_contact_info(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> Dict[Text, Any]:
        turn = answer_to(tracker, "contact_info")
        if not turn:
            return {}
        if turn.has_intent("skip", min_conf=0.5) or turn.has_intent("deny", min_conf=0.7):
            return {"contact_info": "skip"}
        return {"contact_info": "text:" + turn.text}

    def validate_contact_info(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> Dict[Text, Any]:
        if value is None:
            return {"contact_info": None}
        if value == "skip":
            if tracker.get_slot("reply_wanted") is True:
                dispatcher.utter_message(text=texts.CONTACT_SKIP_NEEDS_REPLY)
                return {"contact_info": None}
            dispatcher.utter_message(text=texts.CONTACT_SKIPPED)
            return {"contact_info": "none", "preferred_contact": "none", "reply_wanted": False,
                    "contact_email": None, "contact_phone": None}
        if value in ("given", "none"):
            return {"contact_info": value}
        text = str(value)[5:] if str(value).startswith("text:") else str(value)
        email, phone = find_email(text), find_phone(text)
        if not email and EMAIL_LIKE_RE.search(text):
            dispatcher.utter_message(text=texts.CONTACT_EMAIL_INVALID)
            return {"contact_info": None}
        if not email and not phone:
            digits = re.sub(r"\D", "", text)
            dispatcher.utter_message(text=texts.CONTACT_PHONE_INVALID if len(digits) >= 5
                                     else texts.CONTACT_INVALID)
            return {"contact_info": None}
        # contact details given: the person wants a reply (no separate question)
        out: Dict[str, Any] = {"contact_info": "given", "contact_email": email, "contact_phone": phone,
                               "reply_wanted": True}
        if email and not phone:
            out["preferred_contact"] = "email"
        elif phone and not email:
            out["preferred_contact"] = "phone"
        else:
            out["preferred_contact"] = None  # both: asked next
        return out

    # -- preferred_contact (only when both e-mail and phone were given) ---------------------------
    def extract_preferred_contact(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[Text, Any]:
        turn = answer_to(tracker, "preferred_contact")
        if not turn:
            return {}
        if turn.entity("preferred_contact"):
            return {"preferred_contact": str(turn.entity("preferred_contact"))}
        t = turn.text.lower()
        if re.search(r"e-?post|mejl|mail|mejla|maila|email", t):
            return {"preferred_contact": "email"}
        if re.search(r"telefon|ring|sms|mobil|samtal", t):
            return {"preferred_contact": "phone"}
        return {"preferred_contact": "?"}

    def validate_preferred_contact(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> Dict[Text, Any]:
        if value in ("email", "phone"):
            return {"preferred_contact": value}
        if value is not None:
            dispatcher.utter_message(text=texts.RECIPIENT_NOT_UNDERSTOOD.replace(
                "vården eller patientnämnden", "e-post eller telefon"))
        return {"preferred_contact": None}
