"""bot.rasa_server: Rasa's check of action-server responses, with the schema checked once instead of on
every response — the same verdicts and messages as Rasa's own code, and no per-call metaschema check."""
from __future__ import annotations

import time

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot import rasa_server

GOOD = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "care_unit", "value": "SE2321000207-E2100"}],
     "responses": [{"text": "Tack!", "buttons": [{"title": "Ja", "payload": "/affirm"}]}]},
    {"events": [{"event": "active_loop", "name": None}], "responses": [{"template": "utter_ask_x"}]},
]
BAD = [
    {"events": "inte en lista", "responses": []},
    {"events": [{"name": "utan event-nyckel"}], "responses": []},
    {"events": [], "responses": "ingen lista"},
]


ORIGINAL = RemoteAction._validate_action_result  # Rasa's own, before any patch
SELF = RemoteAction.__new__(RemoteAction)  # the check uses only the class's static schema


def original(result):
    return ORIGINAL(SELF, result)  # type: ignore[arg-type]


@pytest.fixture
def patched():
    before = RemoteAction._validate_action_result
    rasa_server._PATCHED = False
    rasa_server.patch_action_response_validation()
    yield RemoteAction._validate_action_result
    RemoteAction._validate_action_result = before
    rasa_server._PATCHED = False


def test_same_verdicts_and_messages_as_rasa(patched):
    for result in GOOD:
        assert original(result) is True
        assert patched(SELF, result) is True
    for result in BAD:
        with pytest.raises(jsonschema.ValidationError) as want:
            original(result)
        with pytest.raises(jsonschema.ValidationError) as got:
            patched(SELF, result)
        assert got.value.message == want.value.message
        assert "Failed to validate Action server response" in got.value.message


def test_the_schema_is_not_checked_on_every_response(patched, monkeypatch):
    calls = []
    cls = jsonschema.validators.validator_for(RemoteAction.action_response_format_spec())
    real = cls.check_schema
    monkeypatch.setattr(cls, "check_schema", classmethod(lambda c, s, *a, **k: (calls.append(1), real(s))[1]))
    for _ in range(20):
        patched(SELF, GOOD[1])
    assert calls == []
    original(GOOD[1])
    assert calls, "Rasa's own path re-checks the schema (that is what the patch avoids)"


def test_it_is_faster(patched):
    def timed(fn) -> float:
        t = time.perf_counter()
        for _ in range(50):
            fn(SELF, GOOD[1])
        return time.perf_counter() - t
    slow = timed(ORIGINAL)
    fast = timed(patched)
    assert fast * 3 < slow, (fast, slow)
