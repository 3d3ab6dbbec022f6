"""bot/tracker_redaction.py on Rasa's own SQL tracker store (a real SQLite file) and in-memory lock store:
what a conversation wrote is gone after a hand-over, the tracker still loads, a later turn is left alone
until its own hand-over, an abandoned conversation is cleaned whole, and a held lock makes the worker wait."""
from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from pathlib import Path

import pytest
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_redaction import MARK, Redactor, redact_event

ROOT = Path(__file__).resolve().parents[2]
SECRETS = ["19121212-1212", "121212-1212", "191212121212", "Karin Lind", "karin@example.se", "070-123 45 67",
           "åtta timmar", "N5AS-D3HC-TGQF"]


@pytest.fixture
def domain():
    return Domain.load(str(ROOT / "bot" / "domain.yml"))


@pytest.fixture
def store(tmp_path, domain):
    return SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))


def user(text, t, intent="inform"):
    return UserUttered(text, {"name": intent, "confidence": 0.9},
                       [{"entity": "personnummer", "value": "191212121212", "start": 11, "end": 24}],
                       {"text": text, "intent": {"name": intent, "confidence": 0.9},
                        "triage": {"label": "complaint", "confidence": 0.8, "source": "model", "body": text},
                        "complaint_categories": [{"code": "vantetider", "text": text}]},
                       timestamp=t, metadata={"channel": "web-widget", "note": text})


def filed_conversation(t0):
    return [
        ActionExecuted("action_session_start", timestamp=t0), SessionStarted(timestamp=t0),
        ActionExecuted("action_listen", timestamp=t0),
        user("Karin Lind 19121212-1212 fick vänta åtta timmar, karin@example.se 070-123 45 67", t0 + 1),
        SlotSet("patient_name", "Karin Lind", timestamp=t0 + 1), SlotSet("patient_personnummer", "191212121212", timestamp=t0 + 1),
        SlotSet("contact_email", "karin@example.se", timestamp=t0 + 1), SlotSet("reporter_role", "patient", timestamp=t0 + 1),
        BotUttered("Patient: Karin Lind, 121212-1212", {"buttons": [{"title": "Karin Lind", "payload": "/affirm"}]},
                   {"utter_action": "action_ask_summary_confirmed"}, timestamp=t0 + 1),
        ActionExecuted("action_submit_complaint", timestamp=t0 + 2),
        BotUttered("Ärendenummer: KG-2026-000001\nKod: N5AS-D3HC-TGQF", timestamp=t0 + 2),
        SlotSet("patient_name", None, timestamp=t0 + 2), SlotSet("case_reference", "KG-2026-000001", timestamp=t0 + 2),
        SlotSet("handed_over_at", t0 + 2, timestamp=t0 + 2),
        ActionExecuted("action_listen", timestamp=t0 + 2),
    ]


async def save(store, domain, sender, events):
    tracker = await store.retrieve(sender) or DialogueStateTracker(sender, domain.slots)
    for e in events:
        tracker.update(e)
    await store.save(tracker)


def raw_rows(store, sender):
    con = sqlite3.connect(store.engine.url.database)
    try:
        # Rasa writes JSON with \u escapes: read it back as text, so that "åtta" is found too
        return [r[0] + json.dumps(json.loads(r[0]), ensure_ascii=False)
                for r in con.execute("SELECT data FROM events WHERE sender_id=? ORDER BY id", (sender,))]
    finally:
        con.close()


def leaks(rows):
    return [s for s in SECRETS for r in rows if s in r or s.replace("-", "") in r.replace("-", "")]


async def test_hand_over_redacts_that_turn_and_keeps_the_tracker_usable(store, domain):
    t0 = time.time() - 100
    await save(store, domain, "a", filed_conversation(t0))
    # the next turn (a new complaint begun) is not the hand-over's: it stays until its own hand-over
    await save(store, domain, "a", [user("Nu vill jag klaga på åtta timmar igen", t0 + 3),
                                    SlotSet("description", "åtta timmar", timestamp=t0 + 3)])
    await save(store, domain, "other", filed_conversation(t0)[:5])  # no hand-over, not abandoned yet
    r = Redactor(store, InMemoryLockStore(), after_s=3, abandoned_after_s=86400, session_expiry_s=480 * 60)
    assert await r.run_once() == 1
    rows = raw_rows(store, "a")
    assert leaks(rows[:-2]) == [] and MARK in rows[3]
    assert "åtta timmar" in rows[-1] and "åtta timmar" in rows[-2]  # the turn after the hand-over
    assert leaks(raw_rows(store, "other"))  # untouched
    assert await r.run_once() == 0  # nothing more is due
    tracker = await store.retrieve("a")
    assert tracker.get_slot("case_reference") == "KG-2026-000001" and tracker.get_slot("patient_name") is None
    assert tracker.get_slot("description") == "åtta timmar"
    intents = [e.intent_name for e in tracker.events if isinstance(e, UserUttered)]
    assert intents == ["inform", "inform"]  # statistics keep the intents
    kept = [e.action_name for e in tracker.events if isinstance(e, ActionExecuted)]
    assert "action_submit_complaint" in kept


async def test_abandoned_conversation_is_redacted_whole(store, domain):
    t0 = time.time() - (480 * 60 + 86400 + 60)
    await save(store, domain, "gone", filed_conversation(t0)[:8])  # stopped before filing
    await save(store, domain, "fresh", filed_conversation(time.time())[:8])
    r = Redactor(store, InMemoryLockStore(), after_s=60, abandoned_after_s=86400, session_expiry_s=480 * 60)
    assert await r.run_once() == 1
    assert leaks(raw_rows(store, "gone")) == []
    assert leaks(raw_rows(store, "fresh"))
    assert (await store.retrieve("gone")).get_slot("patient_personnummer") is None


async def test_redaction_waits_for_the_conversation_lock(store, domain):
    t0 = time.time() - 100
    await save(store, domain, "busy", filed_conversation(t0))
    locks = InMemoryLockStore()
    r = Redactor(store, locks, after_s=3)
    async with locks.lock("busy"):
        task = asyncio.create_task(r.run_once())
        await asyncio.sleep(1.5)
        assert not task.done() and leaks(raw_rows(store, "busy"))  # a turn is running: hands off
    assert await asyncio.wait_for(task, 10) == 1
    assert leaks(raw_rows(store, "busy")) == []


def test_redact_event_keeps_only_names_and_codes():
    e = user("Karin Lind 19121212-1212", 1.0).as_dict()
    out = redact_event(e)
    assert out["parse_data"]["intent"]["name"] == "inform"
    assert out["parse_data"]["triage"] == {"label": "complaint", "confidence": 0.8, "source": "model"}
    assert out["parse_data"]["entities"] == [{"entity": "personnummer", "value": MARK}]
    assert leaks([str(out)]) == [] and out["metadata"] == {}
    slot = redact_event(SlotSet("reporter_name", "Eva Lind").as_dict())
    assert slot["name"] == "reporter_name" and slot["value"] is None
    assert redact_event(SlotSet("recipient", "patient_board").as_dict())["value"] == "patient_board"
