"""The complaint form's validation: ``validate_complaint_form``.

Every complaint slot uses a ``type: custom`` mapping, so nothing is filled automatically: for
each slot an ``extract_<slot>`` decides from the latest message whether it answers the question
that was asked, corrects an earlier answer, or is something else (a question, "avbryt", an
emergency) that the form must let go of so that a rule can answer it. ``validate_<slot>`` then
checks the value and fills what follows from it. The methods are grouped by concern:

- complaint_who.py      who is filing: role, the patient's consent, a child's age
- complaint_unit.py     the care unit, region and recipient
- complaint_story.py    date, description, category, desired outcome
- complaint_identity.py e-ID before the patient details (when configured)
- complaint_contact.py  names, personnummer, contact details
- complaint_summary.py  the summary, and corrections at any point

Which questions are needed, in which order, is form_plan.py; how each is asked is the domain's
``utter_ask_<slot>`` or, when computed, questions.py. Never log personal data.
"""
from __future__ import annotations

from typing import List, Text

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .complaint_contact import ContactSlots
from .complaint_identity import IdentitySlots, eid_configured
from .complaint_story import StorySlots
from .complaint_summary import SummarySlots
from .complaint_unit import UnitSlots
from .complaint_who import WhoSlots
from .form_plan import complaint_required_slots


class ValidateComplaintForm(IdentitySlots, WhoSlots, UnitSlots, StorySlots, ContactSlots, SummarySlots, FormValidationAction):
    def name(self) -> Text:
        return "validate_complaint_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        return complaint_required_slots(tracker.slots, eid=eid_configured())
