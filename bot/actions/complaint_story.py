"""Complaint form, what happened: event_date, description, description_done, category_sub,
desired_outcome.

A mixin of ``ValidateComplaintForm`` (complaint_form.py). The description is kept in the person's
own words; every message about it also updates the category suggestions from the NLU pipeline.
"""
from __future__ import annotations

import re
from typing import Any, Dict, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from . import dates, taxonomy, texts
from .common import is_interruption, turn_of
from .interpret import DONE_RE, about_waiting, answer_to, merge_suggestions, offered_categories

MAX_DESCRIPTION = 20000


class StorySlots:
    # -- event_date -----------------------------------------------------------------------------
    def extract_event_date(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> Dict[Text, Any]:
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

    def validate_event_date(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> Dict[Text, Any]:
        if value is None:
            return {"event_date": None}
        v = str(value)
        correction = v.startswith("correction:")
        if correction:
            v = v[len("correction:"):]
        res = dates.parse_event_date(v)
        # a correction in the future, or one that cannot be read, keeps the date there was
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

    # -- description ----------------------------------------------------------------------------
    def extract_description(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> Dict[Text, Any]:
        turn = answer_to(tracker, "description")
        if not turn:
            return {}
        return {"description": turn.text}

    def validate_description(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> Dict[Text, Any]:
        if not value or not str(value).strip():
            return {"description": None}
        text = str(value)
        asked = tracker.get_slot("requested_slot") == "description"  # not taken from the first message
        if len(text.split()) < 2 and asked:
            dispatcher.utter_message(text=texts.DESCRIPTION_TOO_SHORT)
            return {"description": None}
        suggestions = merge_suggestions(None, (tracker.latest_message or {}).get("complaint_categories") or [])
        if asked and tracker.get_slot("complaint_kind") != "praise" and about_waiting(suggestions):
            dispatcher.utter_message(text=texts.VARDGARANTI)
        return {"description": text[:MAX_DESCRIPTION], "category_suggestions": suggestions or None}

    # -- description_done ("anything more?": more text is added to the description) ---------------
    def extract_description_done(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> Dict[Text, Any]:
        turn = answer_to(tracker, "description_done")
        if not turn:
            return {}
        if turn.has_intent("done", min_conf=0.5) or DONE_RE.match(turn.text) and turn.words <= 5:
            return {"description_done": True}
        if turn.has_intent("deny", min_conf=0.5) and turn.words <= 3:
            return {"description_done": True}
        if (turn.has_intent("affirm", min_conf=0.5) and turn.words <= 3) or turn.words == 0:
            return {"description_done": "more"}  # "ja": the person will write more
        return {"description_done": "add:" + turn.text}

    def validate_description_done(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[Text, Any]:
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
            # None: the question is asked again, until the person says that was all
            return {"description_done": None, "description": new[:MAX_DESCRIPTION],
                    "category_suggestions": sugg or None}
        return {"description_done": None}

    # -- category_sub (suggestions, then a main category and its subs) ------------------------------
    def extract_category_sub(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> Dict[Text, Any]:
        turn = answer_to(tracker, "category_sub")
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

    async def validate_category_sub(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[Text, Any]:
        """``category_stage`` says what the question shows next: ``main`` or ``sub:<main code>``."""
        if value is None:
            return {"category_sub": None}
        v = str(value)
        if v == "none":
            return {"category_sub": "none", "category_stage": None}
        tax = await taxonomy.current()
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
            if m:  # "2": the second option listed
                options = offered_categories(tracker.slots, tax)
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

    # -- desired_outcome ------------------------------------------------------------------------
    def extract_desired_outcome(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Dict[Text, Any]:
        turn = answer_to(tracker, "desired_outcome")
        if not turn:
            return {}
        if turn.entity("desired_outcome"):
            return {"desired_outcome": str(turn.entity("desired_outcome"))}
        if turn.has_intent("skip", min_conf=0.6) or turn.has_intent("dont_know", min_conf=0.6):
            return {"desired_outcome": ""}  # answered, with nothing in particular
        return {"desired_outcome": turn.text}

    def validate_desired_outcome(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> Dict[Text, Any]:
        if value is None:
            return {"desired_outcome": None}
        return {"desired_outcome": str(value).strip()[:2000]}
