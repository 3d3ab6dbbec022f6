"""Complaint form, e-ID at the point of need: ``identity_choice`` and the ticket from the widget.

A mixin of ``ValidateComplaintForm`` (complaint_form.py). When e-ID is configured (the same
KG_OIDC_ISSUER and KG_OIDC_CLIENT_ID the backend reads), the question before the patient details offers
"Logga in med e-legitimation" (the widget opens /e-legitimation/logga-in?for=chat in a window of its own)
and "Fortsätt utan" (questions.AskIdentityChoice). The widget then sends ``/inform`` (an intent the form
always goes on with: no new intent, no training data) with the one-time ticket as message metadata
(identity.METADATA_KEY); the ticket is exchanged with the backend, and identity.py says which slots the
verified identity fills in, so those questions are not asked. Without configuration nothing changes.
Never log the personnummer or the name.
"""
from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from . import pnr
from .backend_client import BackendError, client
from .identity import child_age_mismatch, identity_slots, ticket_from_metadata
from .interpret import answer_to

LOGIN_PATH = "/e-legitimation/logga-in?for=chat"

ASK_SELF = ("Du kan logga in med e-legitimation, så slipper du skriva ditt namn och personnummer "
            "och ärendet blir märkt som verifierat. Det går också bra att fortsätta utan.")
ASK_OTHER = ("Du kan logga in med e-legitimation, så slipper du skriva ditt eget namn och ärendet blir märkt "
             "som verifierat. Patientens uppgifter frågar jag om efteråt. Det går också bra att fortsätta utan.")
LOGIN_BUTTON = "Logga in med e-legitimation"
SKIP_BUTTON = "Fortsätt utan"
VERIFIED = "Tack, du är inloggad som {name}."
TICKET_INVALID = ("Inloggningen gick inte att använda, den kan ha hunnit gå ut. Logga in igen, "
                  "eller fortsätt utan e-legitimation.")
EXCHANGE_UNAVAILABLE = ("Jag kan inte kontrollera inloggningen just nu. Vi fortsätter utan e-legitimation, "
                        "så frågar jag efter uppgifterna i stället.")


def eid_configured(environ: Optional[Dict[str, str]] = None) -> bool:
    """e-ID is offered when the service has an identity provider (the backend's own settings)."""
    env = os.environ if environ is None else environ
    return bool((env.get("KG_OIDC_ISSUER") or "").strip() and (env.get("KG_OIDC_CLIENT_ID") or "").strip())


def latest_ticket(tracker: Tracker) -> Optional[str]:
    """The widget's ticket, when the latest user message carries one in its metadata."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            return ticket_from_metadata(event.get("metadata"))
    return None


def guardian_remark(tracker: Tracker, personnummer: str) -> Optional[str]:
    """For a verified guardian, once: a remark when the child's stated age does not fit the personnummer."""
    if tracker.get_slot("reporter_role") != "guardian" or not tracker.get_slot("identity_token") \
            or tracker.get_slot("child_pnr_checked"):
        return None
    return child_age_mismatch(tracker.get_slot("child_age"), personnummer)


def identity_dropped(tracker: Tracker, changed: Dict[str, Any]) -> Dict[str, Any]:
    """A change to what the log-in filled in (the role; a verified patient's name or personnummer; the
    reporter's name) ends the verification: the case can no longer be marked verified, and the log-in is
    offered again. Anything else keeps it."""
    if not tracker.get_slot("identity_token"):
        return {}
    patient = tracker.get_slot("reporter_role") == "patient"
    own = {"reporter_role"} | ({"patient_name", "patient_personnummer"} if patient else {"reporter_name"})
    if not any(k in own and v != tracker.get_slot(k) for k, v in changed.items()):
        return {}
    return {"identity_token": None, "identity_choice": None, "child_pnr_checked": None}


class IdentitySlots:
    async def get_extraction_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> List[EventType]:
        # a message that carries the ticket answers nothing else ("/inform" is no name); without e-ID
        # configured it is ignored
        if latest_ticket(tracker):
            if "identity_choice" not in await self.required_slots(  # type: ignore[attr-defined]
                    self.domain_slots(domain), dispatcher, tracker, domain):  # type: ignore[attr-defined]
                return []
            tracker.slots["identity_choice"] = "ticket"
            return [SlotSet("identity_choice", "ticket")]
        return await super().get_extraction_events(dispatcher, tracker, domain)  # type: ignore[misc]

    def extract_identity_choice(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Dict[Text, Any]:
        turn = answer_to(tracker, "identity_choice")
        if not turn:
            return {}
        if not turn.is_payload and pnr.PNR_RE.search(turn.text or ""):
            # the details typed instead ("Anna Andersson 19121212-1212"): the answer to the next question
            return {"identity_choice": "skip", "patient_name": turn.text}
        return {"identity_choice": "skip"}  # "Fortsätt utan", or anything else typed instead

    async def validate_identity_choice(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: DomainDict) -> Dict[Text, Any]:
        if value != "ticket":
            return {"identity_choice": value}
        ticket = latest_ticket(tracker)
        try:
            identity = await client().exchange_identity_ticket(ticket) if ticket else None
        except BackendError:
            dispatcher.utter_message(text=EXCHANGE_UNAVAILABLE)
            return {"identity_choice": "skip"}
        if not identity or not identity.get("identity_token"):
            dispatcher.utter_message(text=TICKET_INVALID)
            return {"identity_choice": None}
        out: Dict[str, Any] = {"identity_choice": "verified", "name_missing": None}
        out.update(identity_slots(tracker.get_slot("reporter_role"), identity))
        first = (identity.get("given_name") or "").split(" ")[0] or "du"
        dispatcher.utter_message(text=VERIFIED.format(name=first))
        return out
