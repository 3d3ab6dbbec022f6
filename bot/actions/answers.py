"""Leaving the complaint for a moment: another authority's matter, and a person in crisis.

Which message is which is decided by the triage in the NLU pipeline (``nlu/triage.py``). The
questions about the service and the crisis answers are responses with conditional variations
(``utter_answer``, ``utter_crisis`` in the domain); these actions do what a response cannot.
Never log personal data.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from . import texts
from .common import triage_of
from .referrals import FALLBACK, REFERRALS

SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+|,\s*(?=(?:och )?(?:nu|just nu)\b)")


class ActionReferElsewhere(Action):
    """A matter for another authority: a short, checked pointer to who handles it."""

    def name(self) -> Text:
        return "action_refer_elsewhere"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        ref = REFERRALS.get(triage_of(tracker).get("body") or "")
        dispatcher.utter_message(text=ref.text if ref else FALLBACK)
        if tracker.active_loop_name == "complaint_form":
            dispatcher.utter_message(text=texts.BACK_TO_FORM)
        return []


class ActionKeepStory(Action):
    """Keeps what a person in crisis wrote as the answer to "what happened?" (nothing is lost).

    Runs after ``utter_crisis`` while the complaint form is paused; says nothing itself.
    """

    def name(self) -> Text:
        return "action_keep_story"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        kept = kept_story(tracker)
        return [SlotSet("description", kept)] if kept else []


def kept_story(tracker: Tracker) -> Optional[str]:
    """The message itself, when it answered "what happened?" with a story (more than the crisis alone:
    at least two sentences); a bare cry for help is not a description of the care."""
    text = ((tracker.latest_message or {}).get("text") or "").strip()
    if tracker.get_slot("requested_slot") not in ("description", "description_done"):
        return None
    if len(text.split()) < 12 or len([x for x in SENTENCE_END.split(text) if x.strip()]) < 2:
        return None
    old = tracker.get_slot("description") or ""
    return ((old + "\n\n" + text).strip() if old else text)[:20000]
