"""Complaint form, where it happened and who receives it: care_unit_text, unit_choice, region_code,
recipient.

A mixin of ``ValidateComplaintForm`` (complaint_form.py). The unit is looked up in the backend's
register: a sure match is taken, close ones are offered as buttons (unit_choice), and when none is
found the region is asked, so that the region's patient board can receive the case.
"""
from __future__ import annotations

import re
from typing import Any, Dict, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from . import texts, units
from .backend_client import BackendError, client
from .form_plan import recommended_recipient
from .interpret import answer_to, match_region


class UnitSlots:
    # -- care_unit_text -------------------------------------------------------------------------
    def extract_care_unit_text(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[Text, Any]:
        turn = answer_to(tracker, "care_unit_text")
        if not turn:
            return {}
        return {"care_unit_text": turn.entity("care_unit_text") or turn.text}

    async def validate_care_unit_text(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> Dict[Text, Any]:
        """Also used for a unit given as a correction (complaint_summary.py)."""
        if not value:
            return {"care_unit_text": None}
        text = str(value).strip()[:300]
        # a new unit: forget everything that came from the old one
        reset = {"care_unit": None, "care_unit_name": None, "unit_candidates": None,
                 "unit_choice": None, "region_code": None, "region_name": None, "unit_connected": None}
        if tracker.get_slot("recipient_auto"):
            reset.update({"recipient": None, "recipient_auto": None})
        try:
            res = await units.resolve_unit(client(), text)
        except BackendError:
            dispatcher.utter_message(text=texts.UNIT_LOOKUP_DOWN)
            return {**reset, "care_unit_text": text, "unit_candidates": None}
        if res.status == "match":
            return {**reset, "care_unit_text": text, **self._unit_chosen(res.unit, dispatcher)}
        if res.status == "candidates":
            return {**reset, "care_unit_text": text, "unit_candidates": res.candidates}
        dispatcher.utter_message(text=texts.UNIT_NOT_FOUND.format(text=text))
        return {**reset, "care_unit_text": text}

    @staticmethod
    def _unit_chosen(unit: Dict[str, Any], dispatcher: CollectingDispatcher) -> Dict[str, Any]:
        """The slots a known unit fills; a unit outside the service sends the case to the patient board."""
        out: Dict[str, Any] = {"care_unit": unit["hsa_id"], "care_unit_name": unit["name"],
                               "region_code": unit.get("region_code"),
                               "region_name": unit.get("region_name"),
                               "unit_connected": bool(unit.get("connected", True)),
                               "unit_candidates": None}
        if not unit.get("connected", True):
            board = f"patientnämnden i {unit.get('region_name') or 'regionen'}"
            dispatcher.utter_message(text=texts.UNIT_NOT_CONNECTED.format(name=unit["name"], board=board))
            out.update({"recipient": "patient_board", "recipient_auto": True})
        else:
            dispatcher.utter_message(text=texts.UNIT_MATCH.format(name=unit["name"]))
        return out

    # -- unit_choice (one of the candidates) ---------------------------------------------------
    def extract_unit_choice(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> Dict[Text, Any]:
        turn = answer_to(tracker, "unit_choice")
        if not turn:
            return {}
        hsa = turn.entity("care_unit")
        if hsa:
            return {"unit_choice": str(hsa)}
        if turn.has_intent("none_of_these", min_conf=0.5) or turn.has_intent("deny", min_conf=0.6):
            return {"unit_choice": "none"}
        return {"unit_choice": "text:" + turn.text}

    async def validate_unit_choice(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> Dict[Text, Any]:
        cands = tracker.get_slot("unit_candidates") or []
        if value is None:
            return {"unit_choice": None}
        if value == "none":
            text = tracker.get_slot("care_unit_text") or ""
            dispatcher.utter_message(text=texts.UNIT_NOT_FOUND.format(text=text))
            return {"unit_choice": "none", "unit_candidates": None}
        chosen = None
        if str(value).startswith("text:"):
            typed = str(value)[5:]
            chosen = units.pick_candidate(typed, cands)
            if chosen is None and len(typed.split()) >= 1:
                # maybe a new, better description of the unit: search again
                try:
                    res = await units.resolve_unit(client(), typed)
                except BackendError:
                    res = None
                if res and res.status == "match":
                    chosen = res.unit
                elif res and res.status == "candidates":
                    return {"unit_choice": None, "unit_candidates": res.candidates,
                            "care_unit_text": units.clean_unit_text(typed)}
        else:
            # a button: normally one of the candidates, else look the unit up
            chosen = next((c for c in cands if c["hsa_id"] == value), None)
            if chosen is None:
                try:
                    chosen = units.compact(await client().get_unit(str(value)))
                except BackendError:
                    chosen = None
        if not chosen:
            dispatcher.utter_message(text=texts.UNIT_PICK_NOT_UNDERSTOOD)
            return {"unit_choice": None}
        return {"unit_choice": chosen["hsa_id"], **self._unit_chosen(chosen, dispatcher)}

    # -- region_code (no unit found) -----------------------------------------------------------
    def extract_region_code(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> Dict[Text, Any]:
        turn = answer_to(tracker, "region_code")
        if not turn:
            return {}
        return {"region_code": str(turn.entity("region_code") or ("text:" + turn.text))}

    async def validate_region_code(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> Dict[Text, Any]:
        if value is None:
            return {"region_code": None}
        try:
            regions = await client().regions()
        except BackendError:
            regions = []
        region = match_region(str(value), regions)
        if not region:
            dispatcher.utter_message(text=texts.REGION_NOT_UNDERSTOOD)
            return {"region_code": None}
        board = (region.get("patient_board") or {}).get("name") or f"patientnämnden i {region['name']}"
        dispatcher.utter_message(text=texts.REGION_SET.format(board=board))
        return {"region_code": region["code"], "region_name": region["name"],
                "recipient": "patient_board", "recipient_auto": True}

    # -- recipient (the care provider or the patient board) ------------------------------------
    def extract_recipient(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: DomainDict) -> Dict[Text, Any]:
        turn = answer_to(tracker, "recipient")
        if not turn:
            return {}
        if turn.entity("recipient"):
            return {"recipient": str(turn.entity("recipient"))}
        t = turn.text.lower()
        if re.search(r"patientnämnd|nämnden|pan\b|oberoende|fristående", t):
            return {"recipient": "patient_board"}
        if re.search(r"vården|vårdgivare|mottagning|vårdcentral|hälsocentral|sjukhus|enheten|direkt", t):
            return {"recipient": "care_provider"}
        if turn.has_intent("affirm", min_conf=0.5) or turn.has_intent("dont_know", min_conf=0.5):
            return {"recipient": "recommended"}  # "ja" to the recommendation
        return {"recipient": "?"}

    def validate_recipient(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> Dict[Text, Any]:
        if value in ("care_provider", "patient_board"):
            return {"recipient": value, "recipient_auto": None}
        if value == "recommended":
            return {"recipient": recommended_recipient(tracker.slots), "recipient_auto": None}
        if value is not None:
            dispatcher.utter_message(text=texts.RECIPIENT_NOT_UNDERSTOOD)
        return {"recipient": None}
