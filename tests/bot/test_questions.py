"""How the forms ask: each slot by exactly one action_ask_<slot> (questions.py) or utter_ask_<slot>
response (bot/domain.yml), and the responses render as the custom actions used to send them."""
from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pytest
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa_sdk import Action

from bot.actions import questions, texts
from bot.actions.common import entity_payload

ROOT = Path(__file__).resolve().parents[2]
# set from other answers (contact details, the summary), never asked
NEVER_ASKED = {"reply_wanted", "personal_data_consent"}


@pytest.fixture(scope="module")
def rasa_domain() -> Domain:
    with warnings.catch_warnings():  # Rasa 3.6 warns about removed slot auto-fill on every load
        warnings.simplefilter("ignore", UserWarning)
        return Domain.load(str(ROOT / "bot" / "domain.yml"))


def render(domain: Domain, name: str, **slots):
    filled = {s.name: None for s in domain.slots}
    filled.update(slots)
    return TemplatedNaturalLanguageGenerator(domain.responses).generate_from_slots(name, filled, "rest")


def test_every_form_slot_is_asked_exactly_one_way(rasa_domain):
    registered = {cls().name() for cls in vars(questions).values()
                  if isinstance(cls, type) and issubclass(cls, Action) and cls is not Action}
    listed = {a for a in rasa_domain.user_actions if a.startswith("action_ask_")}
    assert registered == listed
    for form in rasa_domain.form_names:
        for slot in rasa_domain.required_slots_for_form(form):
            ways = [f"action_ask_{slot}" in listed, f"utter_ask_{slot}" in rasa_domain.responses]
            assert ways.count(True) == (0 if slot in NEVER_ASKED else 1), slot


def test_button_payloads_are_the_ones_the_actions_sent(rasa_domain):
    """Rasa fills {slot} in responses: the doubled braces in the domain must come out single."""
    for name in (n for n in rasa_domain.responses if n.startswith("utter_ask_")):
        for variation in rasa_domain.responses[name]:
            for button in variation.get("buttons") or []:
                raw = button["payload"].replace("{{", "{").replace("}}", "}")
                m = re.fullmatch(r"/(\w+)(\{.*\})?", raw)
                assert m, raw
                if m.group(2):
                    (entity, value), = json.loads(m.group(2)).items()
                    assert raw == entity_payload(m.group(1), entity, value)
    role = render(rasa_domain, "utter_ask_reporter_role")
    assert role["buttons"][0]["payload"] == '/inform{"reporter_role": "patient"}'
    outcome = render(rasa_domain, "utter_ask_desired_outcome")
    assert outcome["buttons"][2]["payload"] == '/inform{"desired_outcome": "Att rutinerna ändras"}'


@pytest.mark.parametrize("role, note, start", [
    ("patient", None, "Vad heter du, och"),
    ("guardian", None, "Vad heter barnet"),
    ("relative", None, "Vad heter patienten"),
    ("representative", None, "Vad heter patienten"),
    ("relative", "Patienten kan inte ta ställning.", "Vad heter patienten"),
    ("relative", texts.NOTE_DECEASED, "Vad hette patienten"),
    ("guardian", texts.NOTE_DECEASED, "Vad hette patienten"),
])
def test_patient_name_follows_role_and_death(rasa_domain, role, note, start):
    for _ in range(10):  # overlapping variations would be picked at random
        text = render(rasa_domain, "utter_ask_patient_name", reporter_role=role, consent_note=note)["text"]
        assert text.startswith(start)


def test_contact_skip_button_only_when_no_reply_was_asked_for(rasa_domain):
    assert render(rasa_domain, "utter_ask_contact_info", reply_wanted=None)["buttons"] == [
        {"title": "Jag vill inte ha något svar", "payload": "/skip"}]
    assert not render(rasa_domain, "utter_ask_contact_info", reply_wanted=True).get("buttons")


def test_reprompts_use_the_questions_words(rasa_domain):
    assert render(rasa_domain, "utter_ask_case_reference")["text"] == texts.ASK_REFERENCE
    assert render(rasa_domain, "utter_ask_access_code")["text"] == texts.ASK_ACCESS_CODE


def test_the_personnummer_question_names_whose_number(rasa_domain):
    ask = "utter_ask_patient_personnummer"
    assert render(rasa_domain, ask, reporter_role="patient")["text"].startswith("Vilket är ditt personnummer")
    assert render(rasa_domain, ask, reporter_role="guardian")["text"].startswith("Vilket är barnets personnummer")
    assert render(rasa_domain, ask, reporter_role="relative")["text"].startswith("Vilket är patientens personnummer")
    assert render(rasa_domain, ask, reporter_role="relative",
                  consent_note=texts.NOTE_DECEASED)["text"].startswith("Vilket personnummer hade patienten")


def test_after_the_number_alone_only_the_name_is_asked(rasa_domain):
    for role in ("patient", "relative", "guardian"):
        assert render(rasa_domain, "utter_ask_patient_name", reporter_role=role, name_missing=True)["text"] \
            == "Tack! Skriv också namnet, för- och efternamn."
        assert "personnummer" in render(rasa_domain, "utter_ask_patient_name", reporter_role=role)["text"]
