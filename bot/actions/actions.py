"""Custom actions: prefill from the first message, submit, status check, reply to a
counter-question, cancel / start over, session start and the Swedish two-stage fallback.

Never log personal data: no names, personnummer, contact details or free text.
"""
from __future__ import annotations

import logging
import os
import re
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import (ActionExecuted, ActiveLoop, AllSlotsReset, EventType,
                             FollowupAction, SessionStarted, SlotSet, UserUtteranceReverted)
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from . import dates, handover, texts
from .backend_client import BackendError, client, new_idempotency_key
from .common import buttons, find_email, find_phone, public_url, turn_of
from .form_plan import field_buttons
from .interpret import ROLE_PATTERNS, about_waiting, merge_suggestions

logger = logging.getLogger(__name__)

# Everything that belongs to one complaint (reset after submit, cancel, start over).
COMPLAINT_SLOTS = [
    "reporter_role", "patient_consent", "consent_continue", "consent_note", "child_age",
    "care_unit_text", "care_unit", "care_unit_name", "unit_candidates", "unit_choice",
    "unit_connected", "region_code", "region_name", "event_date", "description",
    "description_done", "category_suggestions", "category_stage", "category_sub",
    "desired_outcome", "reply_wanted", "recipient", "recipient_auto", "recipient_hint",
    "patient_name", "patient_personnummer", "reporter_name", "contact_info", "contact_email",
    "contact_phone", "preferred_contact", "summary_confirmed", "personal_data_consent",
    "idempotency_key", "complaint_kind", "submit_failed", "name_missing",
    "identity_choice", "identity_token", "child_pnr_checked",
]

ALREADY_COMPLAINED_RE = re.compile(
    r"\b(redan|har) (klagat|anmält|skrivit|hört av mig|mejlat|ringt|kontaktat)\b"
    r"|\b(fick|fått|får) (inget|aldrig|inte något|inte nåt|inte) svar\b|\bingen har svarat\b"
    r"|\binte nöjd med svaret\b|\bmissnöjd med svaret\b|\bdåligt svar\b", re.I)
UNIT_FALLBACK_RE = re.compile(
    r"\b(?:på|hos|vid|från|till)\s+((?:akuten|akutmottagningen|vårdcentralen|hälsocentralen|"
    r"sjukhuset|lasarettet|mottagningen|folktandvården|tandläkaren|bup|psykiatrin|förlossningen|"
    r"kvinnokliniken|ortopeden|röntgen|barnkliniken|kirurgen|medicinkliniken|ögonmottagningen|"
    r"hörcentralen|[A-ZÅÄÖ][\wåäö-]+s? (?:sjukhus|vårdcentral|hälsocentral|lasarett))"
    r"(?:\s+(?:i|på|vid)\s+[A-ZÅÄÖ][\wåäö-]+)?)", re.I)

PREFILL_MIN_WORDS = 9


def public_case_url() -> str:
    return public_url("/arende")


def reset_complaint() -> List[EventType]:
    return [SlotSet(s, None) for s in COMPLAINT_SLOTS]


class ActionPrefillComplaint(Action):
    """Runs before the complaint form starts: whatever the first message already says fills
    its slot, so it is never asked again ("… på akuten i Östersund igår")."""

    def name(self) -> Text:
        return "action_prefill_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        turn = turn_of(tracker)
        events: List[EventType] = []
        text = turn.text if not turn.is_payload else ""
        in_progress = any(tracker.get_slot(s) for s in ("description", "care_unit_text", "reporter_role"))
        if not in_progress:
            events += [SlotSet("summary_confirmed", None), SlotSet("personal_data_consent", None)]

        if turn.intent == "give_praise":
            events += [SlotSet("complaint_kind", "praise"), SlotSet("recipient", "care_provider"),
                       SlotSet("category_sub", "positiv_aterkoppling")]
            dispatcher.utter_message(text=texts.PRAISE_TO_UNIT)
        elif not in_progress:
            events.append(SlotSet("complaint_kind", "complaint"))
        if turn.intent == "complaint_already_filed" or ALREADY_COMPLAINED_RE.search(text):
            events.append(SlotSet("recipient_hint", "patient_board"))
        if not text:
            return events

        role = turn.entity("reporter_role")
        if role not in ("patient", "relative", "guardian", "representative"):
            role = None  # a stray word the entity extractor took for a role ("sin egen urin")
        if not role:
            for r, pattern in ROLE_PATTERNS:
                if r != "patient" and re.search(pattern, text.lower()):
                    role = r
                    break
        death = bool(turn.triage.get("death")) and not tracker.get_slot("patient_consent")
        if death:
            # a death in the first message: no question whether the patient agrees, past tense later
            role = role if role in ("relative", "guardian", "representative") else "relative"
            events += [SlotSet("patient_consent", "not_needed"), SlotSet("consent_note", texts.NOTE_DECEASED)]
            dispatcher.utter_message(text=texts.CONDOLENCES)
        if role and not tracker.get_slot("reporter_role"):
            events.append(SlotSet("reporter_role", role))

        unit = turn.entity("care_unit_text")
        if not unit:
            m = UNIT_FALLBACK_RE.search(text)
            unit = m.group(1) if m else None
        if unit and not tracker.get_slot("care_unit_text"):
            events.append(SlotSet("care_unit_text", unit))

        when = turn.entity("time_expression")
        if when or dates.parse_event_date(text).date:
            res = dates.parse_event_date(str(when) if when else text)
            if res.date and not res.future and not tracker.get_slot("event_date"):
                events.append(SlotSet("event_date", res.iso))

        email, phone = find_email(text), find_phone(text)
        if email:
            events.append(SlotSet("contact_email", email))
        if phone:
            events.append(SlotSet("contact_phone", phone))
        if email or phone:
            events.append(SlotSet("reply_wanted", True))

        if len(text.split()) >= PREFILL_MIN_WORDS and not tracker.get_slot("description"):
            events.append(SlotSet("description", text))
            sugg = merge_suggestions(None, (tracker.latest_message or {}).get("complaint_categories") or [])
            if sugg:
                events.append(SlotSet("category_suggestions", sugg))
            if turn.intent != "give_praise" and about_waiting(sugg):
                dispatcher.utter_message(text=texts.VARDGARANTI)
        return events


def build_case_payload(slots: Dict[str, Any]) -> Dict[str, Any]:
    role = slots.get("reporter_role") or "patient"
    email, phone = slots.get("contact_email"), slots.get("contact_phone")
    pref = slots.get("preferred_contact")
    if pref not in ("email", "phone", "none"):
        pref = "email" if email else "phone" if phone else "none"
    if pref == "email" and not email:
        pref = "phone" if phone else "none"
    if pref == "phone" and not phone:
        pref = "email" if email else "none"
    consent = slots.get("patient_consent") if role == "relative" else "not_needed"
    if consent not in ("yes", "no", "unknown", "not_needed"):
        consent = "unknown"
    category = slots.get("category_sub")
    if slots.get("complaint_kind") == "praise":
        category = "positiv_aterkoppling"
    hsa = slots.get("care_unit") or None
    payload: Dict[str, Any] = {
        "channel": "chat",
        "recipient": slots.get("recipient") or "care_provider",
        "care_unit_hsa_id": hsa,
        "care_unit_text": (slots.get("care_unit_text") or None),
        "region_code": None if hsa else slots.get("region_code"),
        "event_date": slots.get("event_date"),
        "reporter": {
            "role": role,
            "name": slots.get("patient_name") if role == "patient" else slots.get("reporter_name"),
            "email": email,
            "phone": phone,
            "preferred_contact": pref,
        },
        "patient": {"name": slots.get("patient_name") or "", "personnummer": slots.get("patient_personnummer") or ""},
        "patient_consent": consent,
        "consent_note": slots.get("consent_note") or None,
        "child_age": int(slots["child_age"]) if role == "guardian" and slots.get("child_age") is not None else None,
        "description": slots.get("description") or "",
        "reporter_category": category if category and category != "none" else None,
        "desired_outcome": slots.get("desired_outcome") or None,
        "reply_wanted": bool(email or phone) if slots.get("reply_wanted") is None else bool(slots["reply_wanted"]),
        "tags": [],
        "personal_data_consent": bool(slots.get("personal_data_consent")),
    }
    if slots.get("identity_token"):  # e-ID in the chat (bot/actions/identity.py): the case is marked verified
        payload["identity_token"] = slots["identity_token"]
    return payload


class ActionSubmitComplaint(Action):
    """Sends the case once the form is complete (and again on "försök igen"), always with the
    idempotency key kept in a slot: a retry can never create a second case."""

    def name(self) -> Text:
        return "action_submit_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        slots = tracker.slots
        if slots.get("reporter_role") == "relative" and slots.get("consent_continue") is False:
            dispatcher.utter_message(text=texts.CONSENT_STOPPED.format(within=handover.within()))
            dispatcher.utter_message(json_message=handover.widget_marker())
            return reset_complaint() + [handover.handed_over()]
        if not slots.get("description") or not slots.get("summary_confirmed") \
                or not slots.get("personal_data_consent"):
            if slots.get("case_reference") and not slots.get("description"):
                dispatcher.utter_message(text=texts.ALREADY_SUBMITTED.format(reference=slots["case_reference"]))
            else:
                dispatcher.utter_message(text=texts.NOTHING_TO_SUBMIT)
            return []
        key = slots.get("idempotency_key") or new_idempotency_key()
        payload = build_case_payload(slots)
        events: List[EventType] = [SlotSet("idempotency_key", key)]
        try:
            try:
                result = await client().create_case(payload, key)
            except BackendError as exc:
                if exc.status != 409:
                    raise
                # the key was used for a different body: only possible when answers changed
                # after a failed attempt that never reached the backend — use a fresh key
                key = new_idempotency_key()
                events = [SlotSet("idempotency_key", key)]
                result = await client().create_case(payload, key)
        except BackendError as exc:
            if exc.unavailable or exc.status == 429:
                logger.warning("case intake failed: backend unavailable (%s)", exc.status)
                dispatcher.utter_message(text=texts.SUBMIT_FAILED, buttons=buttons([texts.RETRY_BUTTON]))
                return events + [SlotSet("submit_failed", True)]
            logger.warning("case intake rejected: %s %s fields=%s", exc.status, exc.code, sorted(exc.fields))
            why = " ".join(exc.fields.values()) or exc.message or ""
            dispatcher.utter_message(text=texts.SUBMIT_REJECTED.format(why=why).replace("  ", " "))
            dispatcher.utter_message(text=texts.ASK_FIELD, buttons=field_buttons(slots))
            return events + [SlotSet("summary_confirmed", None), SlotSet("personal_data_consent", None),
                             SlotSet("submit_failed", None), FollowupAction("complaint_form")]
        org = (result.get("recipient_organisation") or {}).get("name") or "vården"
        dispatcher.utter_message(text=texts.SUBMIT_OK.format(
            org=org, reference=result.get("reference"), access_code=result.get("access_code"),
            url=public_case_url(), within=handover.within()))
        keep = 1
        if result.get("answer_due") and payload["reply_wanted"]:
            dispatcher.utter_message(text=texts.SUBMIT_DUE.format(date=dates.format_sv(result["answer_due"])))
            keep = 2
        dispatcher.utter_message(json_message=handover.widget_marker(keep))
        logger.info("case submitted: %s", result.get("reference"))
        # the code is shown once and never kept: a status check asks for it again
        return reset_complaint() + [
            SlotSet("case_reference", result.get("reference")),
            SlotSet("access_code", None),
            SlotSet("last_case_reference", result.get("reference")),
            handover.handed_over(),
        ]


class ActionCheckStatus(Action):
    def name(self) -> Text:
        return "action_check_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        ref, code = tracker.get_slot("case_reference"), tracker.get_slot("access_code")
        handover.drop_code(tracker.sender_id)
        # the code is used in this turn only, and the conversation is then cleaned (bot/tracker_redaction.py)
        forget = [SlotSet("access_code", None), handover.handed_over()]
        if not ref or not code:
            dispatcher.utter_message(text=texts.ASK_REFERENCE)
            return [SlotSet("awaiting_reply", False)] + forget
        try:
            case = await client().reporter_case(ref, code)
        except BackendError as exc:
            if exc.status == 404:
                dispatcher.utter_message(text=texts.STATUS_NOT_FOUND)
                return [SlotSet("awaiting_reply", False), SlotSet("last_case_reference", None)] + forget
            if exc.status == 429:
                dispatcher.utter_message(text=texts.STATUS_RATE_LIMITED)
                return [SlotSet("awaiting_reply", False)] + forget
            dispatcher.utter_message(text=texts.STATUS_DOWN)
            return [SlotSet("awaiting_reply", False)] + forget
        lines = [texts.STATUS_LINE.format(reference=case.get("reference", ref),
                                          status=case.get("status_label") or case.get("status"))]
        org = (case.get("recipient_organisation") or {}).get("name")
        if org:
            lines.append(texts.STATUS_RECIPIENT.format(org=org))
        if case.get("received_at"):
            lines.append(texts.STATUS_RECEIVED.format(date=dates.format_sv(case["received_at"])))
        if case.get("closed_at"):
            lines.append(texts.STATUS_CLOSED.format(date=dates.format_sv(case["closed_at"])))
        else:
            if case.get("answer_due") and case.get("status") not in ("answered",):
                lines.append(texts.STATUS_ANSWER_DUE.format(date=dates.format_sv(case["answer_due"])))
            if case.get("statement_due") and case.get("status") == "waiting_for_statement":
                lines.append(texts.STATUS_STATEMENT_DUE.format(date=dates.format_sv(case["statement_due"])))
        officer_msgs = [m for m in case.get("thread") or [] if m.get("author") == "officer"]
        if officer_msgs:
            newest = officer_msgs[-1]
            lines.append(texts.STATUS_NEWEST.format(kind=(newest.get("kind_label") or "Svar").lower(),
                                                    date=dates.format_sv(newest.get("created_at")),
                                                    body=newest.get("body") or ""))
        else:
            lines.append(texts.STATUS_NO_MESSAGES)
        dispatcher.utter_message(text="\n".join(lines))
        awaiting = bool(case.get("awaiting_reply"))
        if awaiting:
            dispatcher.utter_message(text=texts.STATUS_COUNTER_QUESTION)
            handover.hold_code(tracker.sender_id, ref, code)  # for the reply, in memory only
        return [SlotSet("awaiting_reply", awaiting), SlotSet("last_case_reference", ref)] + forget


class ActionSendReply(Action):
    def name(self) -> Text:
        return "action_send_reply"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        ref, body = tracker.get_slot("case_reference"), tracker.get_slot("reply_text")
        code = tracker.get_slot("access_code") or (ref and handover.held_code(tracker.sender_id, ref))
        done = [SlotSet("reply_text", None), SlotSet("awaiting_reply", False), SlotSet("access_code", None),
                handover.handed_over()]
        if not (ref and body):
            return done
        if not code:  # the code was held for a while only: ask for it again
            dispatcher.utter_message(text=texts.REPLY_CODE_GONE.format(url=public_case_url()))
            return done
        try:
            await client().reporter_message(ref, code, body)
        except BackendError as exc:
            logger.warning("reporter message failed: %s", exc.status)
            dispatcher.utter_message(text=texts.STATUS_NOT_FOUND if exc.status == 404 else texts.REPLY_FAILED)
            return done
        handover.drop_code(tracker.sender_id)
        dispatcher.utter_message(text=texts.REPLY_SENT.format(reference=ref))
        return done


class ActionCancel(Action):
    def name(self) -> Text:
        return "action_cancel"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        loop = tracker.active_loop_name
        events: List[EventType] = [ActiveLoop(None), SlotSet("requested_slot", None)]
        if loop == "reply_form":
            dispatcher.utter_message(text=texts.REPLY_CANCELLED)
            return events + [SlotSet("reply_text", None), SlotSet("awaiting_reply", False), handover.handed_over()]
        if loop == "status_form":
            dispatcher.utter_message(text="Okej.", buttons=buttons(texts.START_BUTTONS))
            return events + [SlotSet("access_code", None), handover.handed_over()]
        dispatcher.utter_message(text=texts.CANCELLED.format(within=handover.within()))
        dispatcher.utter_message(json_message=handover.widget_marker())
        return events + reset_complaint() + [handover.handed_over()]


class ActionStartOver(Action):
    def name(self) -> Text:
        return "action_start_over"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(text=texts.RESTARTED, buttons=buttons(texts.START_BUTTONS))
        handover.drop_code(tracker.sender_id)
        return [ActiveLoop(None), AllSlotsReset(), handover.handed_over()]


class ActionSessionStart(Action):
    """A returning person keeps what they had written; if a complaint was on its way they are
    told how to continue."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        carried = {k: v for k, v in (tracker.slots or {}).items()
                   if v is not None and k not in ("requested_slot", "session_started_metadata",
                                                  "access_code", handover.HANDOVER_SLOT)}
        events += [SlotSet(k, v) for k, v in carried.items()]
        if any(carried.get(s) for s in ("description", "care_unit_text", "reporter_role")):
            dispatcher.utter_message(text=texts.WELCOME_BACK)
        events.append(ActionExecuted("action_listen"))
        return events


class ActionAskAffirmation(Action):
    """First stage of the two-stage fallback: "did you mean …?" with Swedish buttons."""

    def name(self) -> Text:
        return "action_default_ask_affirmation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        ranking = (tracker.latest_message or {}).get("intent_ranking") or []
        btns = []
        for r in ranking:
            name = r.get("name")
            if name in texts.INTENT_LABELS and len(btns) < 3:
                btns.append({"title": texts.INTENT_LABELS[name], "payload": f"/{name}"})
        if not btns:
            btns = buttons(texts.START_BUTTONS[:3])
        btns.append({"title": texts.FALLBACK_OTHER_BUTTON[0], "payload": texts.FALLBACK_OTHER_BUTTON[1]})
        dispatcher.utter_message(text=texts.FALLBACK_ASK_AFFIRMATION, buttons=btns)
        return []


class ActionAskRephrase(Action):
    def name(self) -> Text:
        return "action_default_ask_rephrase"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(text=texts.FALLBACK_REPHRASE, buttons=buttons(texts.START_BUTTONS))
        return []


class ActionDefaultFallback(Action):
    def name(self) -> Text:
        return "action_default_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(text=texts.FALLBACK_GIVE_UP, buttons=buttons(texts.START_BUTTONS))
        return [UserUtteranceReverted()]
