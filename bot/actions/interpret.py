"""Reading answers: what a message says about a question that was asked.

Pure helpers (no backend call, no message sent) used by the form validations and the actions.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rapidfuzz import fuzz, process, utils as fuzz_utils
from rasa_sdk import Tracker

from . import pnr
from .common import Turn, find_email, find_phone, is_interruption, turn_of
from .form_plan import FREE_TEXT_SLOTS
from .taxonomy import Taxonomy

# -- who is filing ----------------------------------------------------------------------------
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

# checked in this order: the first that matches wins
CONSENT_PATTERNS = [
    ("deceased", r"\b(avliden|avled|död|dött|dog|gått bort|gick bort|inte längre i livet)\b"),
    ("cannot", r"\b(kan inte ta ställning|dement|demens|medvetslös|förstår inte|kan inte svara|"
               r"sover|i koma|kan inte uttrycka)\b"),
    ("unknown", r"\b(vet inte|vet ej|osäker|har inte frågat|ingen aning|inte säker)\b"),
    ("no", r"^(nej|nä|nope)\b|\bvill inte\b|\bgår inte med\b|\bsamtycker inte\b"),
    ("yes", r"^(ja|japp|jo|absolut|okej|ok)\b|\bsamtycker\b|\bgår med på\b|\bhon vill\b|\bhan vill\b|\bvet om det\b"),
]

AGE_WORDS = {"noll": 0, "ett": 1, "en": 1, "två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6,
             "sju": 7, "åtta": 8, "nio": 9, "tio": 10, "elva": 11, "tolv": 12, "tretton": 13,
             "fjorton": 14, "femton": 15, "sexton": 16, "sjutton": 17, "arton": 18}

# "nothing more to add" after the story
DONE_RE = re.compile(r"^(nej|nä|klar|klart|färdig|det var allt|det är allt|inget mer|inte mer|"
                     r"det räcker|nej tack|nej det var allt|nej, det var allt|det var det)\b", re.I)

# stories about waiting or reaching care get the information about the care guarantee
WAITING_SUBS = {"vantetider", "tillganglighet_till_varden"}

# a case reference (KG-2026-000123) and the access code that goes with it (ABCD-EFGH-JKLM)
REF_RE = re.compile(r"\bKG-?\s?(\d{4})-?\s?(\d{3,8})\b", re.I)
CODE_RE = re.compile(r"\b([A-Z0-9]{4})[-\s]([A-Z0-9]{4})[-\s]([A-Z0-9]{2,4})\b", re.I)


# -- the turn -----------------------------------------------------------------------------------
def is_correction(turn: Turn) -> bool:
    """The message corrects an earlier answer ("nej, det var i måndags") rather than answering."""
    if turn.entity("field"):
        return True
    if turn.has_intent("correct", min_conf=0.6):
        return bool(turn.entity("time_expression") or turn.entity("care_unit_text")
                    or find_email(turn.text) or find_phone(turn.text)
                    or pnr.find_pnr(turn.text) or turn.requested in (None, "summary_confirmed")
                    or turn.words <= 4)
    return False


def answer_to(tracker: Tracker, slot: str) -> Optional[Turn]:
    """The latest message, when it is a fresh answer to the question about ``slot``.

    ``None`` when the form was resumed without a new message, another question was asked, or the
    message is a correction or an interruption that something else handles.
    """
    turn = turn_of(tracker)
    if not turn.fresh or turn.requested != slot:
        return None
    if is_correction(turn) and slot != "summary_confirmed":
        return None
    if is_interruption(turn, free_text=slot in FREE_TEXT_SLOTS):
        return None
    return turn


def correction_values(turn: Turn, include_date: bool = True) -> Dict[str, Any]:
    """The new values a correction gives: date, unit, e-mail, phone and personnummer."""
    vals: Dict[str, Any] = {}
    if include_date and turn.entity("time_expression"):
        vals["event_date"] = str(turn.entity("time_expression"))
    if turn.entity("care_unit_text"):
        vals["care_unit_text"] = str(turn.entity("care_unit_text"))
    email, phone = find_email(turn.text), find_phone(turn.text)
    found_pnr = pnr.find_pnr(turn.text)
    if found_pnr and phone and re.sub(r"\D", "", found_pnr) == re.sub(r"\D", "", phone):
        # the same digits read as both: a valid personnummer wins
        phone = None if pnr.check_pnr(found_pnr).ok else phone
        found_pnr = found_pnr if phone is None else None
    if email:
        vals["contact_email"] = email
    if phone:
        vals["contact_phone"] = phone
    if found_pnr:
        vals["patient_personnummer"] = found_pnr
    return vals


def yes_no(turn: Turn) -> Optional[bool]:
    """A short yes (``True``) or no (``False``); ``None`` when the message is neither."""
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


# -- single answers -----------------------------------------------------------------------------
def role_of(text: str) -> Optional[str]:
    """``patient``, ``relative``, ``guardian`` or ``representative`` from a button value or words."""
    v = text.strip().lower()
    role = ROLE_SYNONYMS.get(v)
    if role:
        return role
    return next((r for r, pattern in ROLE_PATTERNS if re.search(pattern, v)), None)


def age_in_years(value: Any) -> int:
    """The age an answer gives in whole years ("3 månader" is 0); -1 when there is none."""
    if isinstance(value, (int, float)):
        return int(value)
    t = str(value).lower()
    m = re.search(r"\d{1,3}", t)
    if m:
        age = int(m.group(0))
    else:
        age = next((n for w, n in AGE_WORDS.items() if re.search(rf"\b{w}\b", t)), -1)
    if age >= 0 and re.search(r"\b(månad|månader|veckor|vecka|dagar)\b", t):
        age = 0
    return age


def match_region(value: str, regions: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The region a button value (its code) or a typed ``text:…`` answer names, if any."""
    if value.startswith("text:"):
        names = [r["name"] for r in regions] + [r["code"] for r in regions]
        hit = process.extractOne(value[5:], names, scorer=fuzz.WRatio, processor=fuzz_utils.default_process)
        if hit and hit[1] >= 75:
            return regions[hit[2] % len(regions)]  # names first, then codes: both map to the region
        return None
    return next((r for r in regions if r["code"] == value), None)


def find_reference(text: str) -> Optional[str]:
    """A case reference in any spelling ("kg 2026 123"), normalised to KG-2026-000123."""
    m = REF_RE.search(text or "")
    if not m:
        return None
    return f"KG-{m.group(1)}-{int(m.group(2)):06d}"


def find_access_code(text: str) -> Optional[str]:
    """An access code (not the digits of a reference), in capitals."""
    m = CODE_RE.search(REF_RE.sub(" ", text or ""))
    if not m:
        return None
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}".upper()


# -- categories ---------------------------------------------------------------------------------
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


def about_waiting(suggestions: Optional[List[Dict[str, Any]]]) -> bool:
    """The story is about waiting or reaching care (the most common complaints in the region's reports)."""
    top = (suggestions or [{}])[0]
    return top.get("sub") in WAITING_SUBS and float(top.get("confidence") or 0) >= 0.4


def suggested_categories(slots: Dict[str, Any], tax: Taxonomy) -> List[str]:
    """The (at most three) suggested sub-category codes that the taxonomy knows, best first."""
    return [s["sub"] for s in (slots.get("category_suggestions") or []) if s.get("sub") in tax.subs][:3]


def offered_categories(slots: Dict[str, Any], tax: Taxonomy) -> List[str]:
    """The sub-category codes the category question listed, in order, so that "2" can be read."""
    stage = slots.get("category_stage")
    if stage and stage.startswith("sub:"):
        main = tax.main(stage[4:]) or {}
        return [s["code"] for s in main.get("subs", [])]
    return suggested_categories(slots, tax)
