"""Form validation actions (one per form) and the actions that ask for each slot.

The complaint form's slots all use ``type: custom`` mappings: every ``extract_<slot>`` here
decides from the latest message whether it answers the question that was asked, corrects
an earlier answer, or is something else (a question, "avbryt", an emergency) that the form
must let go of so that a rule can answer it. ``required_slots`` decides which questions are
needed at all, so nothing is asked twice and nothing unnecessary is asked.

Never log personal data here: no names, personnummer or free text.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from . import dates, pnr, texts, units
from .backend_client import BackendClient, BackendError
from .common import (Turn, buttons, clean_name, entity_payload, find_email, find_phone,
                     is_interruption, turn_of, EMAIL_LIKE_RE)
from .taxonomy import Taxonomy, load as load_taxonomy

logger = logging.getLogger(__name__)

ROLE_PATTERNS = [
    ("representative", r"\b(ombud|fullmakt|god man|förvaltare|juridiskt ombud|advokat)\b"),
    ("guardian", r"\b(mitt barn|vårt barn|min bebis|vår bebis|bebisen|vårdnadshavare|förälder till|"
                 r"barnet|min (lilla|lille)|min (son|dotter) (som är|på) ([0-9]|1[0-7]) år)\b"),
    ("relative", r"\b(min|mitt|vår) (mamma|pappa|mor|far|mamma's|man|fru|make|maka|sambo|partner|"
                 r"syster|bror|farmor|mormor|farfar|morfar|pojkvän|flickvän|vuxna (son|dotter|barn)|"
                 r"svärmor|svärfar|moster|faster|morbror|farbror|kusin|anhörig|vän)\b|\bnärstående\b|\banhörig\b|"
                 r"\bjag är (hans|hennes) (dotter|son|fru|man|make|maka|sambo|syster|bror|barnbarn)\b"),
    ("patient", r"\b(mig själv|min egen|jag själv|jag är patient(en)?|egen vård|min vård|för mig)\b"),
]
ROLE_SYNONYMS = {"patient": "patient", "relative": "relative", "guardian": "guardian",
                 "representative": "representative"}

CONSENT_PATTERNS = [
    ("deceased", r"\b(avliden|avled|död|dött|dog|gått bort|gick bort|inte längre i livet)\b"),
    ("cannot", r"\b(kan inte ta ställning|dement|demens|medvetslös|förstår inte|kan inte svara|"
               r"sover|i koma|kan inte uttrycka)\b"),
    ("unknown", r"\b(vet inte|vet ej|osäker|har inte frågat|ingen aning|inte säker)\b"),
    ("no", r"^(nej|nä|nope)\b|\bvill inte\b|\bgår inte med\b|\bsamtycker inte\b"),
    ("yes", r"^(ja|japp|jo|absolut|okej|ok)\b|\bsamtycker\b|\bgår med på\b|\bhon vill\b|\bhan vill\b|\bvet om det\b"),
]

DONE_RE = re.compile(r"^(nej|nä|klar|klart|färdig|det var allt|det är allt|inget mer|inte mer|"
                     r"det räcker|nej tack|nej det var allt|nej, det var allt|det var det)\b", re.I)

FREE_TEXT_SLOTS = {"care_unit_text", "description", "description_done", "patient_name",
                   "patient_personnummer", "reporter_name", "contact_info", "desired_outcome",
                   "event_date"}

# Which slots to clear when a field is changed from the summary
FIELD_CLEARS = {
    "reporter_role": ["reporter_role", "patient_consent", "consent_continue", "consent_note",
                      "child_age", "reporter_name"],
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

_client: Optional[BackendClient] = None


def client() -> BackendClient:
    global _client
    if _client is None:
        _client = BackendClient()
    return _client


def set_client(c: Optional[BackendClient]) -> None:
    """Tests point the actions at their own backend."""
    global _client
    _client = c


async def taxonomy() -> Optional[Taxonomy]:
    try:
        return await load_taxonomy(client())
    except BackendError:
        return None


def _yes_no(turn: Turn) -> Optional[bool]:
    if turn.has_intent("affirm", min_conf=0.4) and turn.words <= 6:
        return True
    if turn.has_intent("deny", min_conf=0.4) and turn.words <= 6:
        return False
    t = turn.text.lower()
    if re.match(r"^(ja|japp|jo|absolut|gärna|okej|ok|visst|javisst|ja tack)\b", t):
        return True
    if re.match(r"^(nej|nä|nope|inte|behövs inte|nej tack)\b", t):
        return False
    return None


def merge_suggestions(old: Optional[List[Dict[str, Any]]], new: Optional[List[Dict[str, Any]]]
                      ) -> List[Dict[str, Any]]:
    """Sum the confidences of the suggestions of all description messages, best first."""
    scores: Dict[str, Dict[str, Any]] = {}
    for item in (old or []) + (new or []):
        sub = item.get("sub")
        if not sub:
            continue
        cur = scores.setdefault(sub, {"main": item.get("main"), "sub": sub, "confidence": 0.0})
        cur["confidence"] += float(item.get("confidence") or 0.0)
    ranked = sorted(scores.values(), key=lambda i: i["confidence"], reverse=True)
    total = sum(i["confidence"] for i in ranked) or 1.0
    return [{**i, "confidence": round(i["confidence"] / total, 4)} for i in ranked[:5]]


# "Vill du berätta mer?" is asked only when the story is shorter than this
SHORT_STORY_WORDS = 30

WAITING_SUBS = {"vantetider", "tillganglighet_till_varden"}


def about_waiting(suggestions: Optional[List[Dict[str, Any]]]) -> bool:
    """The story is about waiting or reaching care (the most common complaints in the region's reports)."""
    top = (suggestions or [{}])[0]
    return top.get("sub") in WAITING_SUBS and float(top.get("confidence") or 0) >= 0.4


def deceased(slots: Dict[str, Any]) -> bool:
    """The patient has died (said in the first message, or as the answer about consent)."""
    return slots.get("consent_note") == texts.NOTE_DECEASED


def complaint_required_slots(slots: Dict[str, Any]) -> List[str]:
    role = slots.get("reporter_role")
    praise = slots.get("complaint_kind") == "praise"
    req = ["reporter_role"]
    if role == "relative" and not praise:
        req.append("patient_consent")
        if slots.get("patient_consent") in ("no", "unknown"):
            req.append("consent_continue")
            if slots.get("consent_continue") is False:
                return req
    if role == "guardian":
        req.append("child_age")
    req.append("care_unit_text")
    if slots.get("care_unit_text") and not slots.get("care_unit"):
        if slots.get("unit_candidates"):
            req.append("unit_choice")
        else:
            req.append("region_code")
    req += ["event_date", "description"]
    if len((slots.get("description") or "").split()) < SHORT_STORY_WORDS:
        req.append("description_done")  # "anything more?" only after a short story
    if not praise:
        req += ["category_sub", "desired_outcome"]
    if not praise:
        req.append("recipient")
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


class ValidateComplaintForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_complaint_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        return complaint_required_slots(tracker.slots)

    # ------------------------------------------------------------------ shared turn logic
    def _answer(self, tracker: Tracker, slot: str) -> Optional[Turn]:
        """The latest message, when it is a fresh answer to the question about ``slot``."""
        turn = turn_of(tracker)
        if not turn.fresh or turn.requested != slot:
            return None
        if self._is_correction(turn) and slot != "summary_confirmed":
            return None
        if is_interruption(turn, free_text=slot in FREE_TEXT_SLOTS):
            return None
        return turn

    @staticmethod
    def _is_correction(turn: Turn) -> bool:
        if turn.entity("field"):
            return True
        if turn.has_intent("correct", min_conf=0.6):
            return bool(turn.entity("time_expression") or turn.entity("care_unit_text")
                        or find_email(turn.text) or find_phone(turn.text)
                        or pnr.find_pnr(turn.text) or turn.requested in (None, "summary_confirmed")
                        or turn.words <= 4)
        return False

    # ------------------------------------------------------------------ reporter_role
    def extract_reporter_role(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        turn = self._answer(tracker, "reporter_role")
        if not turn:
            return {}
        role = turn.entity("reporter_role")
        if role:
            return {"reporter_role": str(role)}
        return {"reporter_role": turn.text or "?"}

    async def validate_reporter_role(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if value is None:
            return {"reporter_role": None}
        v = str(value).strip().lower()
        role = ROLE_SYNONYMS.get(v)
        if not role:
            for r, pattern in ROLE_PATTERNS:
                if re.search(pattern, v):
                    role = r
                    break
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
                out["patient_consent"] = "not_needed"
                out["consent_note"] = "Positiv återkoppling."
            elif tracker.get_slot("patient_consent") == "not_needed" and not tracker.get_slot("consent_note"):
                out["patient_consent"] = None
        if role != "guardian":
            out["child_age"] = None
        return out

    # ------------------------------------------------------------------ consent
    def extract_patient_consent(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        turn = self._answer(tracker, "patient_consent")
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
        yn = _yes_no(turn)
        if yn is not None:
            return {"patient_consent": "yes" if yn else "no"}
        return {"patient_consent": "?"}

    def validate_patient_consent(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
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

    def extract_consent_continue(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        turn = self._answer(tracker, "consent_continue")
        if not turn:
            return {}
        if turn.has_intent("continue", min_conf=0.5):
            return {"consent_continue": True}
        yn = _yes_no(turn)
        return {"consent_continue": yn if yn is not None else "?"}

    def validate_consent_continue(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if value is True:
            return {"consent_continue": True}
        if value is False:
            return {"consent_continue": False}
        if value is not None:
            dispatcher.utter_message(text=texts.YES_NO_NOT_UNDERSTOOD)
        return {"consent_continue": None}

    # ------------------------------------------------------------------ child age
    def extract_child_age(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        turn = self._answer(tracker, "child_age")
        if not turn:
            return {}
        return {"child_age": turn.text or "?"}

    def validate_child_age(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if value is None:
            return {"child_age": None}
        if isinstance(value, (int, float)):
            age = int(value)
        else:
            t = str(value).lower()
            m = re.search(r"\d{1,3}", t)
            words = {"noll": 0, "ett": 1, "en": 1, "två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6,
                     "sju": 7, "åtta": 8, "nio": 9, "tio": 10, "elva": 11, "tolv": 12, "tretton": 13,
                     "fjorton": 14, "femton": 15, "sexton": 16, "sjutton": 17, "arton": 18}
            if m:
                age = int(m.group(0))
            else:
                age = next((n for w, n in words.items() if re.search(rf"\b{w}\b", t)), -1)
            if age >= 0 and re.search(r"\b(månad|månader|veckor|vecka|dagar)\b", t):
                age = 0
        if age < 0 or age > 120:
            dispatcher.utter_message(text=texts.CHILD_AGE_INVALID)
            return {"child_age": None}
        if age >= 18:
            dispatcher.utter_message(text=texts.CHILD_ADULT)
            return {"child_age": None, "reporter_role": "relative", "patient_consent": None}
        if age >= 13:
            dispatcher.utter_message(text=texts.CHILD_AGE_13)
        return {"child_age": float(age)}

    # ------------------------------------------------------------------ care unit
    def extract_care_unit_text(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        turn = self._answer(tracker, "care_unit_text")
        if not turn:
            return {}
        return {"care_unit_text": turn.entity("care_unit_text") or turn.text}

    async def validate_care_unit_text(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if not value:
            return {"care_unit_text": None}
        text = str(value).strip()[:300]
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
            return {**reset, "care_unit_text": text, **self._unit_chosen(res.unit, dispatcher, tracker)}
        if res.status == "candidates":
            return {**reset, "care_unit_text": text, "unit_candidates": res.candidates}
        dispatcher.utter_message(text=texts.UNIT_NOT_FOUND.format(text=text))
        return {**reset, "care_unit_text": text}

    def _unit_chosen(self, unit: Dict[str, Any], dispatcher, tracker) -> Dict[str, Any]:
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

    def extract_unit_choice(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        turn = self._answer(tracker, "unit_choice")
        if not turn:
            return {}
        hsa = turn.entity("care_unit")
        if hsa:
            return {"unit_choice": str(hsa)}
        if turn.has_intent("none_of_these", min_conf=0.5) or turn.has_intent("deny", min_conf=0.6):
            return {"unit_choice": "none"}
        return {"unit_choice": "text:" + turn.text}

    async def validate_unit_choice(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
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
            chosen = next((c for c in cands if c["hsa_id"] == value), None)
            if chosen is None:
                try:
                    chosen = units.compact(await client().get_unit(str(value)))
                except BackendError:
                    chosen = None
        if not chosen:
            dispatcher.utter_message(text=texts.UNIT_PICK_NOT_UNDERSTOOD)
            return {"unit_choice": None}
        return {"unit_choice": chosen["hsa_id"], **self._unit_chosen(chosen, dispatcher, tracker)}

    def extract_region_code(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        turn = self._answer(tracker, "region_code")
        if not turn:
            return {}
        return {"region_code": str(turn.entity("region_code") or ("text:" + turn.text))}

    async def validate_region_code(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if value is None:
            return {"region_code": None}
        try:
            regions = await client().regions()
        except BackendError:
            regions = []
        v = str(value)
        region = None
        if v.startswith("text:"):
            from rapidfuzz import fuzz, process, utils as fu
            typed = v[5:]
            names = [r["name"] for r in regions] + [r["code"] for r in regions]
            hit = process.extractOne(typed, names, scorer=fuzz.WRatio, processor=fu.default_process)
            if hit and hit[1] >= 75:
                region = regions[hit[2] % len(regions)]
        else:
            region = next((r for r in regions if r["code"] == v), None)
        if not region:
            dispatcher.utter_message(text=texts.REGION_NOT_UNDERSTOOD)
            return {"region_code": None}
        board = (region.get("patient_board") or {}).get("name") or f"patientnämnden i {region['name']}"
        dispatcher.utter_message(text=texts.REGION_SET.format(board=board))
        return {"region_code": region["code"], "region_name": region["name"],
                "recipient": "patient_board", "recipient_auto": True}

    # ------------------------------------------------------------------ date
    def extract_event_date(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        turn = turn_of(tracker)
        if not turn.fresh:
            return {}
        if turn.requested == "event_date":
            if is_interruption(turn, free_text=True) or turn.entity("field"):
                return {}
            return {"event_date": turn.entity("time_expression") or turn.text or "?"}
        # a correction of the date at any later point: "nej, det var i måndags"
        if tracker.get_slot("event_date") and turn.has_intent("correct", min_conf=0.5) \
                and turn.entity("time_expression") \
                and turn.requested not in ("description", "description_done", "summary_confirmed"):
            return {"event_date": "correction:" + str(turn.entity("time_expression"))}
        return {}

    def validate_event_date(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if value is None:
            return {"event_date": None}
        v = str(value)
        correction = v.startswith("correction:")
        if correction:
            v = v[len("correction:"):]
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            res = dates.parse_event_date(v)
        else:
            res = dates.parse_event_date(v)
        if res.future or (res.date is not None and res.date > dates.swedish_today()):
            dispatcher.utter_message(text=texts.DATE_FUTURE)
            return {"event_date": tracker.get_slot("event_date") if correction else None}
        if res.date is None:
            if correction:
                return {"event_date": tracker.get_slot("event_date")}
            dispatcher.utter_message(text=texts.DATE_INVALID)
            return {"event_date": None}
        iso = res.iso
        if correction:
            dispatcher.utter_message(text=texts.DATE_CHANGED.format(date=dates.format_sv(iso, weekday=True)))
        elif res.approximate:
            dispatcher.utter_message(text=texts.DATE_SET_APPROX.format(date=dates.format_sv(iso)))
        return {"event_date": iso}

    # ------------------------------------------------------------------ description
    def extract_description(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        turn = self._answer(tracker, "description")
        if not turn:
            return {}
        return {"description": turn.text}

    def validate_description(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if not value or not str(value).strip():
            return {"description": None}
        text = str(value)
        if len(text.split()) < 2 and tracker.get_slot("requested_slot") == "description":
            dispatcher.utter_message(text=texts.DESCRIPTION_TOO_SHORT)
            return {"description": None}
        suggestions = merge_suggestions(None, (tracker.latest_message or {}).get("complaint_categories") or [])
        if tracker.get_slot("requested_slot") == "description" and tracker.get_slot("complaint_kind") != "praise" \
                and about_waiting(suggestions):
            dispatcher.utter_message(text=texts.VARDGARANTI)
        return {"description": text[:20000], "category_suggestions": suggestions or None}

    def extract_description_done(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        turn = self._answer(tracker, "description_done")
        if not turn:
            return {}
        if turn.has_intent("done", min_conf=0.5) or DONE_RE.match(turn.text) and turn.words <= 5:
            return {"description_done": True}
        if turn.has_intent("deny", min_conf=0.5) and turn.words <= 3:
            return {"description_done": True}
        if (turn.has_intent("affirm", min_conf=0.5) and turn.words <= 3) or turn.words == 0:
            return {"description_done": "more"}
        return {"description_done": "add:" + turn.text}

    def validate_description_done(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if value is True:
            return {"description_done": True}
        if value == "more":
            dispatcher.utter_message(text=texts.DESCRIPTION_ADD_PROMPT)
            return {"description_done": None}
        if isinstance(value, str) and value.startswith("add:"):
            extra = value[4:]
            old = tracker.get_slot("description") or ""
            new = (old + "\n\n" + extra).strip() if old else extra
            sugg = merge_suggestions(tracker.get_slot("category_suggestions"),
                                     (tracker.latest_message or {}).get("complaint_categories") or [])
            return {"description_done": None, "description": new[:20000],
                    "category_suggestions": sugg or None}
        return {"description_done": None}

    # ------------------------------------------------------------------ category
    def extract_category_sub(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        turn = self._answer(tracker, "category_sub")
        if not turn:
            return {}
        if turn.entity("category_sub"):
            return {"category_sub": "code:" + str(turn.entity("category_sub"))}
        if turn.entity("category_main"):
            return {"category_sub": "main:" + str(turn.entity("category_main"))}
        if turn.has_intent("skip", min_conf=0.5) or turn.has_intent("dont_know", min_conf=0.6):
            return {"category_sub": "none"}
        if turn.has_intent("none_of_these", min_conf=0.5):
            return {"category_sub": "other"}
        return {"category_sub": "text:" + turn.text}

    async def validate_category_sub(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if value is None:
            return {"category_sub": None}
        v = str(value)
        if v == "none":
            return {"category_sub": "none", "category_stage": None}
        tax = await taxonomy()
        if tax is None:
            dispatcher.utter_message(text=texts.CATEGORY_UNAVAILABLE)
            return {"category_sub": "none", "category_stage": None}
        if v == "other":
            return {"category_sub": None, "category_stage": "main"}
        if v.startswith("main:"):
            main = tax.main(v[5:])
            if not main:
                return {"category_sub": None, "category_stage": "main"}
            if len(main.get("subs", [])) == 1:
                return {"category_sub": main["subs"][0]["code"], "category_stage": None}
            return {"category_sub": None, "category_stage": "sub:" + main["code"]}
        code = None
        if v.startswith("code:"):
            code = v[5:] if v[5:] in tax.subs else tax.match_text(v[5:])
        elif v.startswith("text:"):
            typed = v[5:].strip()
            m = re.fullmatch(r"(\d)\.?", typed)
            if m:
                options = self._offered(tracker, tax)
                idx = int(m.group(1)) - 1
                if 0 <= idx < len(options):
                    code = options[idx]
            if not code:
                code = tax.match_text(typed)
            if not code:
                main = tax.match_main(typed)
                if main:
                    return await self.validate_category_sub("main:" + main, dispatcher, tracker, domain)
        if code and code in tax.subs:
            return {"category_sub": code, "category_stage": None}
        dispatcher.utter_message(text=texts.CATEGORY_NOT_UNDERSTOOD)
        return {"category_sub": None}

    @staticmethod
    def _offered(tracker: Tracker, tax: Taxonomy) -> List[str]:
        stage = tracker.get_slot("category_stage")
        if stage and stage.startswith("sub:"):
            main = tax.main(stage[4:]) or {}
            return [s["code"] for s in main.get("subs", [])]
        return [s["sub"] for s in (tracker.get_slot("category_suggestions") or [])
                if s.get("sub") in tax.subs][:3]

    # ------------------------------------------------------------------ outcome, reply, recipient
    def extract_desired_outcome(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        turn = self._answer(tracker, "desired_outcome")
        if not turn:
            return {}
        if turn.entity("desired_outcome"):
            return {"desired_outcome": str(turn.entity("desired_outcome"))}
        if turn.has_intent("skip", min_conf=0.6) or turn.has_intent("dont_know", min_conf=0.6):
            return {"desired_outcome": ""}
        return {"desired_outcome": turn.text}

    def validate_desired_outcome(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if value is None:
            return {"desired_outcome": None}
        return {"desired_outcome": str(value).strip()[:2000]}

    def extract_recipient(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        turn = self._answer(tracker, "recipient")
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
            return {"recipient": "recommended"}
        return {"recipient": "?"}

    def validate_recipient(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if value in ("care_provider", "patient_board"):
            return {"recipient": value, "recipient_auto": None}
        if value == "recommended":
            return {"recipient": recommended_recipient(tracker.slots), "recipient_auto": None}
        if value is not None:
            dispatcher.utter_message(text=texts.RECIPIENT_NOT_UNDERSTOOD)
        return {"recipient": None}

    # ------------------------------------------------------------------ personal details
    def extract_patient_name(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        turn = self._answer(tracker, "patient_name")
        if not turn:
            return {}
        return {"patient_name": turn.text or "?"}

    def validate_patient_name(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if value is None:
            return {"patient_name": None}
        name = clean_name(str(value))
        if not name:
            dispatcher.utter_message(text=texts.NAME_INVALID)
            return {"patient_name": None}
        out: Dict[str, Any] = {"patient_name": name}
        # "Anna Andersson 19121212-1212": take the number too, no question twice
        found = pnr.find_pnr(str(value))
        if found and not tracker.get_slot("patient_personnummer"):
            res = pnr.check_pnr(found)
            if res.ok:
                out["patient_personnummer"] = res.value
        return out

    def extract_patient_personnummer(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        turn = self._answer(tracker, "patient_personnummer")
        if not turn:
            return {}
        return {"patient_personnummer": turn.entity("personnummer") or turn.text or "?"}

    def validate_patient_personnummer(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if value is None:
            return {"patient_personnummer": None}
        res = pnr.check_pnr(str(value))
        if not res.ok:
            dispatcher.utter_message(text=res.error)
            return {"patient_personnummer": None}
        return {"patient_personnummer": res.value}

    def extract_reporter_name(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        turn = self._answer(tracker, "reporter_name")
        if not turn:
            return {}
        return {"reporter_name": turn.text or "?"}

    def validate_reporter_name(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if value is None:
            return {"reporter_name": None}
        name = clean_name(str(value))
        if not name:
            dispatcher.utter_message(text=texts.NAME_INVALID)
            return {"reporter_name": None}
        return {"reporter_name": name}

    def extract_contact_info(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        turn = self._answer(tracker, "contact_info")
        if not turn:
            return {}
        if turn.has_intent("skip", min_conf=0.5) or turn.has_intent("deny", min_conf=0.7):
            return {"contact_info": "skip"}
        return {"contact_info": "text:" + turn.text}

    def validate_contact_info(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
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
            out["preferred_contact"] = None
        return out

    def extract_preferred_contact(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        turn = self._answer(tracker, "preferred_contact")
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

    def validate_preferred_contact(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if value in ("email", "phone"):
            return {"preferred_contact": value}
        if value is not None:
            dispatcher.utter_message(text=texts.RECIPIENT_NOT_UNDERSTOOD.replace(
                "vården eller patientnämnden", "e-post eller telefon"))
        return {"preferred_contact": None}

    # ------------------------------------------------------------------ summary and corrections
    def extract_summary_confirmed(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
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
                if self._correction_values(turn, tracker):
                    return {"summary_confirmed": "correct"}
                return {"summary_confirmed": "ask_field"}
            yn = _yes_no(turn)
            if yn is True:
                return {"summary_confirmed": True}
            if self._correction_values(turn, tracker):
                return {"summary_confirmed": "correct"}
            return {"summary_confirmed": "ask_field" if yn is False else "?"}
        # a correction in the middle of the form ("nej, det var på Frösö")
        if turn.requested and turn.has_intent("correct", min_conf=0.6) \
                and turn.requested not in ("description", "description_done"):
            vals = self._correction_values(turn, tracker, include_date=False)
            if vals:
                return {"summary_confirmed": "correct"}
            if not turn.entity("time_expression"):
                return {"summary_confirmed": "ask_field"}
        return {}

    @staticmethod
    def _correction_values(turn: Turn, tracker: Tracker, include_date: bool = True) -> Dict[str, Any]:
        vals: Dict[str, Any] = {}
        if include_date and turn.entity("time_expression"):
            vals["event_date"] = str(turn.entity("time_expression"))
        if turn.entity("care_unit_text"):
            vals["care_unit_text"] = str(turn.entity("care_unit_text"))
        email, phone = find_email(turn.text), find_phone(turn.text)
        found_pnr = pnr.find_pnr(turn.text)
        if found_pnr and phone and re.sub(r"\D", "", found_pnr) == re.sub(r"\D", "", phone):
            phone = None if pnr.check_pnr(found_pnr).ok else phone
            found_pnr = found_pnr if phone is None else None
        if email:
            vals["contact_email"] = email
        if phone:
            vals["contact_phone"] = phone
        if found_pnr:
            vals["patient_personnummer"] = found_pnr
        return vals

    async def validate_summary_confirmed(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        requested = tracker.get_slot("requested_slot")
        at_summary = requested == "summary_confirmed"
        if value is True:
            # confirming the summary sends the case; the information on how the data is used was shown
            # with it (no separate "consent" step: the processing does not rest on consent)
            return {"summary_confirmed": True, "personal_data_consent": True}
        keep = {"summary_confirmed": None} if at_summary else {}
        if value is None:
            return {"summary_confirmed": None}
        v = str(value)
        if v.startswith("field:"):
            field = v[6:]
            clears = FIELD_CLEARS.get(field)
            if not clears:
                dispatcher.utter_message(text=texts.ASK_FIELD, buttons=field_buttons(tracker.slots))
                return {"summary_confirmed": None, "personal_data_consent": None}
            out = {s: None for s in clears}
            if field == "care_unit_text" and tracker.get_slot("recipient_auto"):
                out.update({"recipient": None, "recipient_auto": None})
            if field == "reporter_role":
                out["patient_consent"] = None
            out.update({"summary_confirmed": None, "personal_data_consent": None})
            return out
        if v == "ask_field":
            dispatcher.utter_message(text=texts.ASK_FIELD, buttons=field_buttons(tracker.slots))
            return {"summary_confirmed": None, "personal_data_consent": None} if at_summary else \
                {"summary_confirmed": tracker.get_slot("summary_confirmed")}
        if v == "correct":
            turn = turn_of(tracker)
            vals = self._correction_values(turn, tracker, include_date=at_summary)
            out: Dict[str, Any] = dict(keep)
            changed: List[str] = []
            if "event_date" in vals:
                res = dates.parse_event_date(vals["event_date"])
                if res.date and not res.future:
                    out["event_date"] = res.iso
                    changed.append(texts.DATE_CHANGED.format(date=dates.format_sv(res.iso, weekday=True)))
                elif res.future:
                    dispatcher.utter_message(text=texts.DATE_FUTURE)
            if "care_unit_text" in vals:
                unit_out = await self.validate_care_unit_text(vals["care_unit_text"], dispatcher,
                                                              tracker, domain)
                out.update(unit_out)
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
                res = pnr.check_pnr(vals["patient_personnummer"])
                if res.ok:
                    out["patient_personnummer"] = res.value
                    changed.append(texts.PNR_CHANGED)
                else:
                    dispatcher.utter_message(text=res.error)
            for msg in changed:
                dispatcher.utter_message(text=msg)
            if not at_summary and "summary_confirmed" not in out:
                out["summary_confirmed"] = tracker.get_slot("summary_confirmed")
            if at_summary:
                out["personal_data_consent"] = None
            return out
        if at_summary:
            dispatcher.utter_message(text=texts.YES_NO_NOT_UNDERSTOOD)
        return {"summary_confirmed": None} if at_summary else {}


def recommended_recipient(slots: Dict[str, Any]) -> str:
    if slots.get("complaint_kind") == "praise":
        return "care_provider"
    if slots.get("reporter_role") == "relative" and slots.get("patient_consent") in ("no", "unknown"):
        return "care_provider"
    if slots.get("recipient_hint") == "patient_board":
        return "patient_board"
    return "care_provider"


def field_buttons(slots: Dict[str, Any]) -> List[Dict[str, str]]:
    fields = ["reporter_role", "care_unit_text", "event_date", "description"]
    if slots.get("complaint_kind") != "praise":
        fields += ["category_sub", "desired_outcome"]
    fields.append("reply_wanted")
    if slots.get("complaint_kind") != "praise":
        fields.append("recipient")
    fields += ["patient_name", "patient_personnummer"]
    if slots.get("reporter_role") not in (None, "patient"):
        fields.append("reporter_name")
    fields.append("contact_info")
    return [{"title": texts.FIELD_LABELS[f], "payload": entity_payload("correct", "field", f)}
            for f in fields]


# ---------------------------------------------------------------------- status and reply forms
REF_RE = re.compile(r"\bKG-?\s?(\d{4})-?\s?(\d{3,8})\b", re.I)
CODE_RE = re.compile(r"\b([A-Z0-9]{4})[-\s]([A-Z0-9]{4})[-\s]([A-Z0-9]{2,4})\b", re.I)


def find_reference(text: str) -> Optional[str]:
    m = REF_RE.search(text or "")
    if not m:
        return None
    return f"KG-{m.group(1)}-{int(m.group(2)):06d}"


def find_access_code(text: str) -> Optional[str]:
    m = CODE_RE.search(REF_RE.sub(" ", text or ""))
    if not m:
        return None
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}".upper()


class ValidateStatusForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_status_form"

    def extract_case_reference(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        turn = turn_of(tracker)
        if not turn.fresh:
            return {}
        ref = find_reference(turn.text) or (turn.entity("case_reference") and find_reference(str(turn.entity("case_reference"))))
        if ref:
            return {"case_reference": ref}
        if turn.requested == "case_reference" and not is_interruption(turn, free_text=False):
            return {"case_reference": "?"}
        return {}

    def validate_case_reference(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if value and value != "?":
            out: Dict[str, Any] = {"case_reference": value}
            if value != tracker.get_slot("last_case_reference"):
                out["access_code"] = None
            return out
        dispatcher.utter_message(text=texts.REFERENCE_INVALID)
        return {"case_reference": None}

    def extract_access_code(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        turn = turn_of(tracker)
        if not turn.fresh:
            return {}
        code = find_access_code(turn.text)
        if turn.requested != "access_code":
            return {"access_code": code} if code and turn.requested is None else {}
        if is_interruption(turn, free_text=False):
            return {}
        return {"access_code": code or "?"}

    def validate_access_code(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if value and value != "?":
            return {"access_code": value}
        dispatcher.utter_message(text=texts.ASK_ACCESS_CODE)
        return {"access_code": None}


class ValidateReplyForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_reply_form"

    def extract_reply_text(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        turn = turn_of(tracker)
        if not turn.fresh or turn.requested != "reply_text":
            return {}
        if is_interruption(turn, free_text=True):
            return {}
        return {"reply_text": turn.text}

    def validate_reply_text(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if value and str(value).strip():
            return {"reply_text": str(value).strip()[:20000]}
        return {"reply_text": None}


# ---------------------------------------------------------------------- the questions
class _Ask(Action):
    slot = ""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        await self.ask(dispatcher, tracker)
        return []

    async def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        raise NotImplementedError


class AskReporterRole(_Ask):
    slot = "reporter_role"

    async def ask(self, dispatcher, tracker):
        dispatcher.utter_message(text=texts.ASK_ROLE, buttons=[
            {"title": t, "payload": entity_payload("inform", "reporter_role", v)}
            for t, v in texts.ROLE_BUTTONS])


class AskPatientConsent(_Ask):
    slot = "patient_consent"

    async def ask(self, dispatcher, tracker):
        dispatcher.utter_message(text=texts.ASK_CONSENT, buttons=[
            {"title": t, "payload": entity_payload("inform", "patient_consent", v)}
            for t, v in texts.CONSENT_BUTTONS])


class AskConsentContinue(_Ask):
    slot = "consent_continue"

    async def ask(self, dispatcher, tracker):
        dispatcher.utter_message(text=texts.CONSENT_EXPLAIN, buttons=buttons(texts.CONSENT_CONTINUE_BUTTONS))


class AskChildAge(_Ask):
    slot = "child_age"

    async def ask(self, dispatcher, tracker):
        dispatcher.utter_message(text=texts.ASK_CHILD_AGE)


class AskCareUnitText(_Ask):
    slot = "care_unit_text"

    async def ask(self, dispatcher, tracker):
        dispatcher.utter_message(text=texts.ASK_UNIT)


class AskUnitChoice(_Ask):
    slot = "unit_choice"

    async def ask(self, dispatcher, tracker):
        cands = tracker.get_slot("unit_candidates") or []
        btns = [{"title": c["name"] + (f" ({c['region_name']})" if c.get("region_name") else ""),
                 "payload": entity_payload("inform", "care_unit", c["hsa_id"])} for c in cands]
        btns.append({"title": texts.UNIT_NONE_BUTTON, "payload": "/none_of_these"})
        dispatcher.utter_message(text=texts.UNIT_CANDIDATES, buttons=btns)


class AskRegionCode(_Ask):
    slot = "region_code"

    async def ask(self, dispatcher, tracker):
        try:
            regions = await client().regions()
        except BackendError:
            regions = []
        dispatcher.utter_message(text=texts.ASK_REGION, buttons=[
            {"title": r["name"], "payload": entity_payload("inform", "region_code", r["code"])}
            for r in regions])


class AskEventDate(_Ask):
    slot = "event_date"

    async def ask(self, dispatcher, tracker):
        dispatcher.utter_message(text=texts.ASK_DATE)


class AskDescription(_Ask):
    slot = "description"

    async def ask(self, dispatcher, tracker):
        dispatcher.utter_message(text=texts.ASK_DESCRIPTION)


class AskDescriptionDone(_Ask):
    slot = "description_done"

    async def ask(self, dispatcher, tracker):
        dispatcher.utter_message(text=texts.ASK_DESCRIPTION_MORE,
                                 buttons=buttons(texts.DESCRIPTION_MORE_BUTTONS))


class AskCategorySub(_Ask):
    slot = "category_sub"

    async def ask(self, dispatcher, tracker):
        tax = await taxonomy()
        if tax is None:
            dispatcher.utter_message(text=texts.CATEGORY_UNAVAILABLE + " " + texts.CATEGORY_NOT_UNDERSTOOD,
                                     buttons=[{"title": texts.CATEGORY_SKIP_BUTTON, "payload": "/skip"}])
            return
        stage = tracker.get_slot("category_stage")
        skip = {"title": texts.CATEGORY_SKIP_BUTTON, "payload": "/skip"}
        if stage and stage.startswith("sub:") and tax.main(stage[4:]):
            main = tax.main(stage[4:])
            lines = [texts.ASK_CATEGORY_SUB.format(main=main["label"].lower())]
            btns = []
            for sub in main["subs"]:
                lines.append(f"• {sub['label']}: {sub['explanation']}")
                btns.append({"title": sub["label"], "payload": entity_payload("inform", "category_sub", sub["code"])})
            btns.append({"title": texts.CATEGORY_NONE_BUTTON, "payload": "/none_of_these"})
            btns.append(skip)
            dispatcher.utter_message(text="\n".join(lines), buttons=btns)
            return
        suggestions = [s for s in (tracker.get_slot("category_suggestions") or [])
                       if s.get("sub") in tax.subs][:3]
        if stage == "main" or not suggestions:
            btns = [{"title": m["label"], "payload": entity_payload("inform", "category_main", m["code"])}
                    for m in tax.mains]
            btns.append(skip)
            dispatcher.utter_message(text=texts.ASK_CATEGORY_MAIN if stage == "main" else
                                     texts.ASK_CATEGORY + "\n" + texts.ASK_CATEGORY_MAIN, buttons=btns)
            return
        lines = [texts.ASK_CATEGORY]
        btns = []
        for i, s in enumerate(suggestions, 1):
            sub = tax.subs[s["sub"]]
            lines.append(f"{i}. {sub['label']}: {sub['explanation']}")
            btns.append({"title": sub["label"], "payload": entity_payload("inform", "category_sub", sub["code"])})
        btns.append({"title": texts.CATEGORY_NONE_BUTTON, "payload": "/none_of_these"})
        btns.append(skip)
        dispatcher.utter_message(text="\n".join(lines), buttons=btns)


class AskDesiredOutcome(_Ask):
    slot = "desired_outcome"

    async def ask(self, dispatcher, tracker):
        dispatcher.utter_message(text=texts.ASK_OUTCOME, buttons=[
            {"title": o, "payload": entity_payload("inform", "desired_outcome", o)}
            for o in texts.OUTCOME_BUTTONS])


class AskRecipient(_Ask):
    slot = "recipient"

    async def ask(self, dispatcher, tracker):
        slots = tracker.slots
        rec = recommended_recipient(slots)
        if slots.get("reporter_role") == "relative" and slots.get("patient_consent") in ("no", "unknown"):
            note = texts.RECOMMEND_NO_CONSENT
        elif rec == "patient_board":
            note = texts.RECOMMEND_PATIENT_BOARD
        else:
            note = texts.RECOMMEND_CARE_PROVIDER
        pairs = sorted(texts.RECIPIENT_BUTTONS, key=lambda p: p[1] != rec)
        btns = [{"title": t + (" (rekommenderas)" if v == rec else ""),
                 "payload": entity_payload("inform", "recipient", v)} for t, v in pairs]
        dispatcher.utter_message(text=texts.ASK_RECIPIENT + "\n" + note, buttons=btns)


class AskPatientName(_Ask):
    slot = "patient_name"

    async def ask(self, dispatcher, tracker):
        role = tracker.get_slot("reporter_role")
        dispatcher.utter_message(text=texts.ASK_PATIENT_NAME_DECEASED if deceased(tracker.slots) else
                                 texts.ASK_PATIENT_NAME_SELF if role == "patient" else
                                 texts.ASK_PATIENT_NAME_CHILD if role == "guardian" else
                                 texts.ASK_PATIENT_NAME_OTHER)


class AskPatientPersonnummer(_Ask):
    slot = "patient_personnummer"

    async def ask(self, dispatcher, tracker):
        role = tracker.get_slot("reporter_role")
        dispatcher.utter_message(text=texts.ASK_PNR_DECEASED if deceased(tracker.slots) else
                                 texts.ASK_PNR_SELF if role == "patient" else texts.ASK_PNR_OTHER)


class AskReporterName(_Ask):
    slot = "reporter_name"

    async def ask(self, dispatcher, tracker):
        dispatcher.utter_message(text=texts.ASK_REPORTER_NAME)


class AskContactInfo(_Ask):
    slot = "contact_info"

    async def ask(self, dispatcher, tracker):
        btns = [] if tracker.get_slot("reply_wanted") is True else buttons([texts.CONTACT_SKIP_BUTTON])
        dispatcher.utter_message(text=texts.ASK_CONTACT, buttons=btns)


class AskPreferredContact(_Ask):
    slot = "preferred_contact"

    async def ask(self, dispatcher, tracker):
        dispatcher.utter_message(text=texts.ASK_PREFERRED, buttons=[
            {"title": t, "payload": entity_payload("inform", "preferred_contact", v)}
            for t, v in texts.PREFERRED_BUTTONS])


class AskSummaryConfirmed(_Ask):
    slot = "summary_confirmed"

    async def ask(self, dispatcher, tracker):
        tax = await taxonomy()
        text = summary_text(tracker.slots, tax) + "\n\n" + texts.DATA_USE.format(recipient=recipient_name(tracker.slots))
        dispatcher.utter_message(text=text + "\n\n" + texts.SUMMARY_QUESTION, buttons=buttons(texts.SUMMARY_BUTTONS))


def recipient_name(slots: Dict[str, Any]) -> str:
    if (slots.get("recipient") or "care_provider") == "patient_board":
        region = slots.get("region_name")
        return f"patientnämnden i {region}" if region else "patientnämnden"
    return slots.get("care_unit_name") or "vården"


class AskCaseReference(_Ask):
    slot = "case_reference"

    async def ask(self, dispatcher, tracker):
        dispatcher.utter_message(text=texts.ASK_REFERENCE)


class AskAccessCode(_Ask):
    slot = "access_code"

    async def ask(self, dispatcher, tracker):
        dispatcher.utter_message(text=texts.ASK_ACCESS_CODE)


class AskReplyText(_Ask):
    slot = "reply_text"

    async def ask(self, dispatcher, tracker):
        dispatcher.utter_message(text=texts.ASK_REPLY_TEXT)


def summary_text(slots: Dict[str, Any], tax: Optional[Taxonomy]) -> str:
    from .texts import CONSENT_LABELS, PREFERRED_LABELS, RECIPIENT_LABELS, ROLE_LABELS, SUMMARY_INTRO
    role = slots.get("reporter_role")
    lines = [SUMMARY_INTRO]
    lines.append(f"• Vem det gäller: {ROLE_LABELS.get(role, '–')}")
    if role == "relative" and slots.get("patient_consent"):
        consent = CONSENT_LABELS.get(slots["patient_consent"], "")
        if slots.get("consent_note"):
            consent = slots["consent_note"].rstrip(".")
        lines.append(f"• Samtycke: {consent}")
    if role == "guardian" and slots.get("child_age") is not None:
        lines.append(f"• Barnets ålder: {int(slots['child_age'])} år")
    unit = slots.get("care_unit_name") or (f"\"{slots.get('care_unit_text')}\"" if slots.get("care_unit_text") else "–")
    lines.append(f"• Mottagning: {unit}")
    lines.append(f"• Datum: {dates.format_sv(slots.get('event_date')) or '–'}")
    desc = slots.get("description") or ""
    short = desc if len(desc) <= 300 else desc[:297].rstrip() + "…"
    lines.append(f"• Vad som hände: \"{short}\"")
    if slots.get("complaint_kind") != "praise":
        cat = slots.get("category_sub")
        label = tax.sub_label(cat) if tax and cat and cat != "none" else ""
        lines.append(f"• Kategori: {label or 'ingen vald'}")
        lines.append(f"• Vad du vill uppnå: {slots.get('desired_outcome') or '–'}")
    lines.append(f"• Vill ha svar: {'ja' if slots.get('reply_wanted') else 'nej'}")
    rec = slots.get("recipient")
    rec_label = RECIPIENT_LABELS.get(rec, "–")
    if rec == "patient_board" and slots.get("region_name"):
        rec_label = f"Patientnämnden, {slots['region_name']}"
    lines.append(f"• Mottagare: {rec_label}")
    lines.append(f"• Patient: {slots.get('patient_name') or '–'}, {pnr.mask(slots.get('patient_personnummer'))}")
    if role and role != "patient":
        lines.append(f"• Ditt namn: {slots.get('reporter_name') or '–'}")
    contact = ", ".join(x for x in (slots.get("contact_email"), slots.get("contact_phone")) if x) or "inga"
    pref = slots.get("preferred_contact")
    if slots.get("contact_email") and slots.get("contact_phone") and pref in PREFERRED_LABELS:
        contact += f" (helst {PREFERRED_LABELS[pref]})"
    lines.append(f"• Kontakt: {contact}")
    return "\n".join(lines)
