"""A scripted person in a whole conversation over Rasa's REST channel: answers each question the
assistant asks from a table (question text → answer), so a change in the order of questions never
breaks a script. Used by the e2e tests and by bench/turns.py."""
from __future__ import annotations

import re
import uuid

PNR = "191212121212"
REF_RE = re.compile(r"Ärendenummer: (KG-\d{4}-\d{6})")
CODE_RE = re.compile(r"Kod: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2,4})")

# question (a substring of what the bot asks) -> key in the answers of a scenario
QUESTIONS = [
    ("Vem gäller det?", "role"), ("Vet patienten om", "consent"), ("Vill du fortsätta ändå", "consent_continue"),
    ("Hur gammal är barnet", "age"), ("Vilken mottagning, vårdcentral", "unit"), ("Menar du någon av", "unit_pick"),
    ("Vilken region gäller", "region"), ("När hände det?", "date"), ("Berätta med egna ord", "description"),
    ("Vill du berätta mer", "more"), ("Vilket av de här stämmer", "category"), ("Vilket område gäller", "category"),
    ("Vad passar bäst inom", "category"), ("Vad vill du uppnå", "outcome"),
    ("Vem ska ta emot ärendet", "recipient"), ("Vad heter du, och", "patient_name"),
    ("Vad heter patienten", "patient_name"), ("Vad hette patienten", "patient_name"), ("Vad heter barnet", "patient_name"),
    ("personnummer?", "pnr"), ("Vilket personnummer hade", "pnr"),
    ("Vad heter du själv", "reporter_name"), ("Vill du ha svar?", "contact"), ("Hur vill du helst", "preferred"),
    ("Här är en sammanfattning", "summary"),
]

DEFAULTS = {
    "role": '/inform{"reporter_role":"patient"}', "consent": '/inform{"patient_consent":"yes"}',
    "consent_continue": "/affirm", "age": "9", "unit": "akuten i Östersund", "unit_pick": "@first",
    "region": "@first", "date": "i tisdags", "description": "Jag fick vänta i sex timmar och ingen förklarade varför.",
    "more": "/done", "category": "@first", "outcome": '/inform{"desired_outcome":"En förklaring"}',
    "recipient": '/inform{"recipient":"care_provider"}', "patient_name": "Anna Andersson",
    "pnr": "19121212-1212", "reporter_name": "Eva Lind", "contact": "anna@example.se", "preferred": "@first",
    "summary": "/affirm",
}


class Conversation:
    def __init__(self, rasa, answers=None):
        self.rasa = rasa
        self.sender = "e2e-" + uuid.uuid4().hex[:10]
        self.answers = {**DEFAULTS, **(answers or {})}
        self.asked = []
        self.transcript = []
        self.last = []

    def say(self, text):
        self.last = self.rasa.say(self.sender, text)
        self.transcript.append(("user", text))
        for m in self.last:
            self.transcript.append(("bot", m.get("text", "")))
        return self.last

    @property
    def last_text(self):
        return "\n".join(m.get("text", "") for m in self.last)

    def question(self):
        for m in reversed(self.last):
            text = m.get("text", "")
            for needle, key in QUESTIONS:
                if needle in text:
                    return key, m
        return None, None

    def run_until_submitted(self, first, max_turns=40, stop_at=None):
        self.say(first)
        for _ in range(max_turns):
            if REF_RE.search(self.last_text):
                return REF_RE.search(self.last_text).group(1), CODE_RE.search(self.last_text).group(1)
            key, msg = self.question()
            assert key, f"unexpected bot turn: {self.last_text!r}\n{self.transcript}"
            self.asked.append(key)
            if stop_at and key == stop_at:
                return None, None
            ans = self.answers[key]
            if ans == "@first":
                ans = msg["buttons"][0]["payload"]
            self.say(ans)
        raise AssertionError(f"not submitted after {max_turns} turns: {self.transcript}")
