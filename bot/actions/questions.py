"""The form questions whose content is computed: ``action_ask_<slot>``.

Every other question is a response ``utter_ask_<slot>`` in bot/domain.yml (Rasa uses it when
there is no ``action_ask_<slot>``). These need what a response cannot give: the unit candidates,
the regions and the categories from the backend, the recommended recipient, and the summary.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from . import taxonomy, texts
from .backend_client import BackendError, client
from .common import buttons, entity_payload, public_url
from .complaint_identity import ASK_OTHER, ASK_SELF, LOGIN_BUTTON, LOGIN_PATH, SKIP_BUTTON
from .form_plan import recommended_recipient
from .interpret import suggested_categories
from .summary import recipient_name, summary_text


class AskUnitChoice(Action):
    """The units the search found, as buttons."""

    def name(self) -> Text:
        return "action_ask_unit_choice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        cands = tracker.get_slot("unit_candidates") or []
        btns = [{"title": c["name"] + (f" ({c['region_name']})" if c.get("region_name") else ""),
                 "payload": entity_payload("inform", "care_unit", c["hsa_id"])} for c in cands]
        btns.append({"title": texts.UNIT_NONE_BUTTON, "payload": "/none_of_these"})
        dispatcher.utter_message(text=texts.UNIT_CANDIDATES, buttons=btns)
        return []


class AskRegionCode(Action):
    """The backend's regions, as buttons (none while the backend is down: the person types)."""

    def name(self) -> Text:
        return "action_ask_region_code"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        try:
            regions = await client().regions()
        except BackendError:
            regions = []
        dispatcher.utter_message(text=texts.ASK_REGION, buttons=[
            {"title": r["name"], "payload": entity_payload("inform", "region_code", r["code"])}
            for r in regions])
        return []


class AskCategorySub(Action):
    """The category, in up to three steps, following ``category_stage``: the suggested
    sub-categories, else the main categories, then the chosen main category's subs."""

    def name(self) -> Text:
        return "action_ask_category_sub"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        skip = {"title": texts.CATEGORY_SKIP_BUTTON, "payload": "/skip"}
        tax = await taxonomy.current()
        if tax is None:
            dispatcher.utter_message(text=texts.CATEGORY_UNAVAILABLE + " " + texts.CATEGORY_NOT_UNDERSTOOD,
                                     buttons=[skip])
            return []
        stage = tracker.get_slot("category_stage")
        none_of_these = {"title": texts.CATEGORY_NONE_BUTTON, "payload": "/none_of_these"}
        if stage and stage.startswith("sub:") and tax.main(stage[4:]):
            main = tax.main(stage[4:])
            lines = [texts.ASK_CATEGORY_SUB.format(main=main["label"].lower())]
            btns = []
            for sub in main["subs"]:
                lines.append(f"• {sub['label']}: {sub['explanation']}")
                btns.append(self._sub_button(sub))
            dispatcher.utter_message(text="\n".join(lines), buttons=btns + [none_of_these, skip])
            return []
        suggested = suggested_categories(tracker.slots, tax)
        if stage == "main" or not suggested:
            btns = [{"title": m["label"], "payload": entity_payload("inform", "category_main", m["code"])}
                    for m in tax.mains]
            dispatcher.utter_message(text=texts.ASK_CATEGORY_MAIN if stage == "main" else
                                     texts.ASK_CATEGORY + "\n" + texts.ASK_CATEGORY_MAIN, buttons=btns + [skip])
            return []
        lines = [texts.ASK_CATEGORY]
        btns = []
        for i, code in enumerate(suggested, 1):  # numbered: "2" is read as the second (interpret.py)
            sub = tax.subs[code]
            lines.append(f"{i}. {sub['label']}: {sub['explanation']}")
            btns.append(self._sub_button(sub))
        dispatcher.utter_message(text="\n".join(lines), buttons=btns + [none_of_these, skip])
        return []

    @staticmethod
    def _sub_button(sub: Dict[str, Any]) -> Dict[str, str]:
        return {"title": sub["label"], "payload": entity_payload("inform", "category_sub", sub["code"])}


class AskRecipient(Action):
    """The care provider or the patient board, with the recommended one first and why."""

    def name(self) -> Text:
        return "action_ask_recipient"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        slots = tracker.slots
        rec = recommended_recipient(slots)
        if slots.get("reporter_role") == "relative" and slots.get("patient_consent") in ("no", "unknown"):
            note = texts.RECOMMEND_NO_CONSENT
        elif rec == "patient_board":
            note = texts.RECOMMEND_PATIENT_BOARD
        else:
            note = texts.RECOMMEND_CARE_PROVIDER
        pairs = sorted(texts.RECIPIENT_BUTTONS, key=lambda p: p[1] != rec)  # the recommended one first
        btns = [{"title": t + (" (rekommenderas)" if v == rec else ""),
                 "payload": entity_payload("inform", "recipient", v)} for t, v in pairs]
        dispatcher.utter_message(text=texts.ASK_RECIPIENT + "\n" + note, buttons=btns)
        return []


class AskSummaryConfirmed(Action):
    """The summary, how the data is used, and "Stämmer allt?": confirming it sends the case."""

    def name(self) -> Text:
        return "action_ask_summary_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        tax = await taxonomy.current()
        data_use = texts.DATA_USE.format(recipient=recipient_name(tracker.slots),
                                         privacy_url=public_url("/om-personuppgifter"))
        text = summary_text(tracker.slots, tax) + "\n\n" + data_use + "\n\n" + texts.SUMMARY_QUESTION
        dispatcher.utter_message(text=text, buttons=buttons(texts.SUMMARY_BUTTONS))
        return []


class AskIdentityChoice(Action):
    """The e-ID offer (complaint_identity.py; asked only when configured): a custom message that the
    widget renders with a log-in button opening the window, and "Fortsätt utan"."""

    def name(self) -> Text:
        return "action_ask_identity_choice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        text = ASK_SELF if tracker.get_slot("reporter_role") == "patient" else ASK_OTHER
        # {"data": …}: Rasa's socket.io channel emits the dict's keys as arguments (see handover.widget_marker)
        dispatcher.utter_message(json_message={"data": {
            "kind": "eid", "text": text, "login_path": LOGIN_PATH,
            "buttons": [{"title": LOGIN_BUTTON, "payload": "/eid_login", "eid": True},
                        {"title": SKIP_BUTTON, "payload": "/skip"}]}})
        return []
