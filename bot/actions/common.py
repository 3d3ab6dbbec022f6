"""Small helpers shared by the form validations and the actions."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker

LOOP_NAMES = {"complaint_form", "status_form", "reply_form"}

SAFETY_INTENTS = {"safety_emergency", "safety_suicide", "safety_violence"}
CONTROL_INTENTS = {"cancel", "start_over"}
QUESTION_INTENTS = {
    "ask_process", "ask_patient_board", "ask_ivo", "ask_compensation", "ask_dental",
    "ask_personal_data", "ask_duration", "ask_recipient", "ask_capabilities", "ask_medical",
    "ask_bot_identity", "ask_consequences", "other_authority", "out_of_scope",
}
# the triage's critical labels (nlu/triage.py)
CRISIS_LABELS = ("emergency", "suicide", "threat")

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
EMAIL_LIKE_RE = re.compile(r"\S+@\S*")
PHONE_RE = re.compile(r"(?<![\d-])(?:\+46|0046|0)[\s\-]?(?:\d[\s\-]?){6,11}\d(?![\d-])")


@dataclass
class Turn:
    text: str
    intent: str
    confidence: float
    entities: Dict[str, List[Any]] = field(default_factory=dict)
    fresh: bool = True
    requested: Optional[str] = None
    is_payload: bool = False
    triage: Dict[str, Any] = field(default_factory=dict)

    @property
    def words(self) -> int:
        return len(self.text.split())

    def entity(self, name: str) -> Optional[Any]:
        vals = self.entities.get(name) or []
        return vals[0] if vals else None

    def has_intent(self, *names: str, min_conf: float = 0.5) -> bool:
        return self.intent in names and self.confidence >= min_conf


def fresh_user_turn(tracker: Tracker) -> bool:
    """True when the latest thing that happened is a user message (not a resumed form after
    an interruption was answered)."""
    for ev in reversed(tracker.events or []):
        kind = ev.get("event")
        if kind == "user":
            return True
        if kind == "action":
            name = ev.get("name") or ""
            if name in LOOP_NAMES or name in ("action_extract_slots", "action_listen") \
                    or name.startswith("validate_"):
                continue
            return False
    return False


def triage_of(tracker: Tracker) -> Dict[str, Any]:
    """The triage of the latest message (``label``, ``confidence``, ``body``, ``death``)."""
    return dict((tracker.latest_message or {}).get("triage") or {})


def turn_of(tracker: Tracker) -> Turn:
    msg = tracker.latest_message or {}
    text = (msg.get("text") or "").strip()
    intent = (msg.get("intent") or {})
    name = intent.get("name") or ""
    conf = float(intent.get("confidence") or 0.0)
    if name == "nlu_fallback":
        # look behind the fallback at what NLU thought, with its real (low) confidence
        ranking = msg.get("intent_ranking") or []
        for r in ranking:
            if r.get("name") != "nlu_fallback":
                name, conf = r.get("name") or "", float(r.get("confidence") or 0.0)
                break
    ents: Dict[str, List[Any]] = {}
    for e in msg.get("entities") or []:
        ents.setdefault(e.get("entity"), []).append(e.get("value"))
    return Turn(text=text, intent=name, confidence=conf, entities=ents,
                fresh=fresh_user_turn(tracker), requested=tracker.get_slot("requested_slot"),
                is_payload=text.startswith("/"), triage=triage_of(tracker))


def safety_kind(turn: Turn) -> Optional[str]:
    """``emergency`` | ``suicide`` | ``threat`` when the triage found a crisis in this message."""
    label = turn.triage.get("label")
    return label if label in CRISIS_LABELS else None


def is_interruption(turn: Turn, free_text: bool) -> bool:
    """Should the form let go of this message, so that a rule can answer it?

    Safety messages, "avbryt"/"börja om" and questions about the process interrupt. In a
    free-text answer (a description, a name) we only let go when NLU is sure and the message
    is short, so that a description is never lost to a misclassification.
    """
    if turn.is_payload:
        return turn.intent in CONTROL_INTENTS | SAFETY_INTENTS | QUESTION_INTENTS
    if turn.intent in SAFETY_INTENTS or safety_kind(turn):
        return True
    if turn.intent in CONTROL_INTENTS:
        return turn.confidence >= (0.75 if free_text else 0.5) and turn.words <= 6
    if turn.intent in QUESTION_INTENTS:
        if not free_text:
            return turn.confidence >= 0.6
        return turn.confidence >= 0.8 and turn.words <= 14 and (
            turn.text.rstrip().endswith("?") or turn.words <= 8)
    return False


def find_email(text: str) -> Optional[str]:
    m = EMAIL_RE.search(text or "")
    return m.group(0).strip(".").lower() if m else None


def find_phone(text: str) -> Optional[str]:
    m = PHONE_RE.search(text or "")
    if not m:
        return None
    digits = re.sub(r"[^\d+]", "", m.group(0))
    if digits.startswith("0046"):
        digits = "+46" + digits[4:]
    n = len(re.sub(r"\D", "", digits))
    if not 8 <= n <= 13:
        return None
    return digits


NAME_PREFIX = re.compile(
    r"^(?:jag heter|mitt namn är|mitt namn|hon heter|han heter|hen heter|patienten heter|"
    r"barnet heter|namnet är|det är|heter)\s+", re.I)


def clean_name(text: str) -> Optional[str]:
    t = NAME_PREFIX.sub("", (text or "").strip()).strip(" .!,")
    t = re.sub(r"\s+", " ", t)
    if not t or len(t) > 100 or len(t) < 2:
        return None
    if re.search(r"\d|@", t):
        return None
    if not re.fullmatch(r"[A-Za-zÀ-ÖØ-öø-ÿ' .\-]+", t):
        return None
    return " ".join(w[:1].upper() + w[1:] if w.islower() else w for w in t.split(" "))


def buttons(pairs) -> List[Dict[str, str]]:
    return [{"title": t, "payload": p} for t, p in pairs]


def entity_payload(intent: str, entity: str, value: Any) -> str:
    import json
    return f"/{intent}{json.dumps({entity: value}, ensure_ascii=False)}"


def public_url(path: str) -> str:
    """A page of the service as the person reaches it (KG_PUBLIC_URL)."""
    base = os.environ.get("KG_PUBLIC_URL") or os.environ.get("KG_BACKEND_URL") or "http://127.0.0.1:8080"
    return base.rstrip("/") + path
