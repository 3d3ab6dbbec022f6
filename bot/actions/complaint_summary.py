"""Complaint form, the summary and corrections: summary_confirmed.

A mixin of ``ValidateComplaintForm`` (complaint_form.py). ``summary_confirmed`` is also how a
correction at any point of the form is read ("nej, det var på Frösö"): its extract returns a
marker instead of a yes/no, and its validate turns the marker into the corrected slots.

Markers: ``True`` (send), ``field:<slot>`` (change that field: clear it, so it is asked again),
``ask_field`` (ask which field), ``correct`` (new values are in the message), ``?`` (not understood).
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from . import dates, pnr, texts
from .common import is_interruption, turn_of
from .complaint_identity import identity_dropped
from .form_plan import FIELD_CLEARS, field_buttons
from .interpret import correction_values, yes_no


class SummarySlots:
    def extract_summary_confirmed(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[Text, Any]:
        turn = turn_of(tracker)
        if not turn.fresh:
            return {}
        field = turn.entity("field")
        if field:
            return {"summary_confirmed": "field:" + str(field)}
        if turn.requested == "summary_confirmed":
            if is_interruption(turn, free_text=False):
                return {}
            if turn.has_intent("correct", min_conf=0.5) or turn.has_intent("deny", min_conf=0.5):
                if correction_values(turn):
                    return {"summary_confirmed": "correct"}
                return {"summary_confirmed": "ask_field"}
            yn = yes_no(turn)
            if yn is True:
                return {"summary_confirmed": True}
            if correction_values(turn):
                return {"summary_confirmed": "correct"}
            return {"summary_confirmed": "ask_field" if yn is False else "?"}
        # a correction in the middle of the form ("nej, det var på Frösö")
        if turn.requested and turn.has_intent("correct", min_conf=0.6) \
                and turn.requested not in ("description", "description_done"):
            if correction_values(turn, include_date=False):
                return {"summary_confirmed": "correct"}
            if not turn.entity("time_expression"):  # a date is corrected by extract_event_date
                return {"summary_confirmed": "ask_field"}
        return {}

    async def validate_summary_confirmed(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                         domain: DomainDict) -> Dict[Text, Any]:
        at_summary = tracker.get_slot("requested_slot") == "summary_confirmed"
        if value is True:
            # confirming the summary sends the case; the information on how the data is used was shown
            # with it (no separate "consent" step: the processing does not rest on consent)
            return {"summary_confirmed": True, "personal_data_consent": True}
        if value is None:
            return {"summary_confirmed": None}
        v = str(value)
        if v.startswith("field:"):
            return self._change_field(v[6:], dispatcher, tracker)
        if v == "ask_field":
            dispatcher.utter_message(text=texts.ASK_FIELD, buttons=field_buttons(tracker.slots))
            return {"summary_confirmed": None, "personal_data_consent": None} if at_summary else \
                {"summary_confirmed": tracker.get_slot("summary_confirmed")}
        if v == "correct":
            return await self._correct(dispatcher, tracker, domain, at_summary)
        if at_summary:
            dispatcher.utter_message(text=texts.YES_NO_NOT_UNDERSTOOD)
        return {"summary_confirmed": None} if at_summary else {}

    @staticmethod
    def _change_field(field: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        """Clear the field (and what depends on it), so that the form asks it again."""
        clears = FIELD_CLEARS.get(field)
        if not clears:
            dispatcher.utter_message(text=texts.ASK_FIELD, buttons=field_buttons(tracker.slots))
            return {"summary_confirmed": None, "personal_data_consent": None}
        out: Dict[str, Any] = {s: None for s in clears}
        if field == "care_unit_text" and tracker.get_slot("recipient_auto"):
            out.update({"recipient": None, "recipient_auto": None})  # the recipient followed from the unit
        out.update(identity_dropped(tracker, out))  # changing what e-ID filled in ends the verification
        out.update({"summary_confirmed": None, "personal_data_consent": None})
        return out

    async def _correct(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict,
                       at_summary: bool) -> Dict[Text, Any]:
        """Apply the new values in the message. Away from the summary the date is left to
        ``extract_event_date``, and the summary's answer is kept as it was."""
        vals = correction_values(turn_of(tracker), include_date=at_summary)
        out: Dict[str, Any] = {"summary_confirmed": None} if at_summary else {}
        changed: List[str] = []
        if "event_date" in vals:
            res = dates.parse_event_date(vals["event_date"])
            if res.date and not res.future:
                out["event_date"] = res.iso
                changed.append(texts.DATE_CHANGED.format(date=dates.format_sv(res.iso, weekday=True)))
            elif res.future:
                dispatcher.utter_message(text=texts.DATE_FUTURE)
        if "care_unit_text" in vals:
            # a new unit is looked up again: validate_care_unit_text is UnitSlots' (complaint_unit.py)
            validate_unit = self.validate_care_unit_text  # type: ignore[attr-defined]
            out.update(await validate_unit(vals["care_unit_text"], dispatcher, tracker, domain))
        if "contact_email" in vals or "contact_phone" in vals:
            email = vals.get("contact_email") or tracker.get_slot("contact_email")
            phone = vals.get("contact_phone") or tracker.get_slot("contact_phone")
            out.update({"contact_email": email, "contact_phone": phone, "contact_info": "given"})
            if email and phone and tracker.get_slot("preferred_contact") in (None, "none"):
                out["preferred_contact"] = None
            elif not (email and phone):
                out["preferred_contact"] = "email" if email else "phone"
            changed.append(texts.CONTACT_CHANGED)
        if "patient_personnummer" in vals:
            checked = pnr.check_pnr(vals["patient_personnummer"])
            if checked.ok:
                out["patient_personnummer"] = checked.value
                changed.append(texts.PNR_CHANGED)
            else:
                dispatcher.utter_message(text=checked.error)
        out.update(identity_dropped(tracker, out))
        for msg in changed:
            dispatcher.utter_message(text=msg)
        if not at_summary and "summary_confirmed" not in out:
            out["summary_confirmed"] = tracker.get_slot("summary_confirmed")
        if at_summary:
            out["personal_data_consent"] = None
        return out
