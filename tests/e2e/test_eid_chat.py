"""End to end, e-ID in the chat: the real OpenID provider (tests/oidc), a backend and an action server with
e-ID configured, and the Rasa server with the trained model. Before the patient details the assistant offers
"Logga in med e-legitimation"; the log-in in the widget's window is played over HTTP (tests/eid_servers.py)
and its one-time ticket goes to Rasa as message metadata, exactly as the widget sends it. The case is filed
verified, and neither the name nor the personnummer is asked."""
from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.actions.identity import METADATA_KEY  # noqa: E402
from tests.backend.oidc_harness import ANNA_PNR, start_provider  # noqa: E402
from tests.conftest_servers import ActionServer, RasaServer  # noqa: E402
from tests.eid_servers import chat_ticket, eid_backend, oidc_env  # noqa: E402
from tests.scripted import CODE_RE, PNR, REF_RE, Conversation  # noqa: E402


@pytest.fixture(scope="module")
def eid_stack():
    model = Path(os.environ.get("KG_TEST_MODEL") or ROOT / "bot" / "models" / "current.tar.gz")
    workdir = Path(tempfile.mkdtemp(prefix="kg-eidchat-"))
    provider = start_provider()
    started = []
    try:
        backend = eid_backend(workdir / "backend", provider)
        started.append(backend)
        actions = ActionServer(workdir, backend.url)
        actions.env.update(oidc_env(provider))
        actions.start()
        started.append(actions)
        rasa = RasaServer(workdir, actions.url, model)
        rasa.start()
        started.append(rasa)
        yield backend, rasa
        # nothing logged the verified personnummer
        for log in (actions.log, rasa.log, backend.log):
            text = log.read_text(errors="replace")
            assert ANNA_PNR not in text and ANNA_PNR[:8] + "-" + ANNA_PNR[8:] not in text, log.name
    finally:
        for srv in reversed(started):
            srv.stop()
        provider.stop()
        if os.environ.get("KG_KEEP_TEST_FILES") != "1":
            shutil.rmtree(workdir, ignore_errors=True)


def eid_offer(messages):
    for m in messages:
        data = (m.get("custom") or {}).get("data") or {}
        if data.get("kind") == "eid":
            return data
    return None


def say_with_ticket(c: Conversation, ticket: str):
    """What the widget sends when the log-in window hands it the ticket."""
    r = httpx.post(c.rasa.url + "/webhooks/rest/webhook", timeout=60, json={
        "sender": c.sender, "message": "/inform", "metadata": {"channel": "web-widget", METADATA_KEY: ticket}})
    r.raise_for_status()
    c.last = r.json()
    c.transcript.append(("user", "/inform"))
    c.transcript += [("bot", m.get("text", "")) for m in c.last]
    return c.last


def file_with_eid(backend, c: Conversation, first: str):
    c.say(first)
    offers = 0
    for _ in range(40):
        if REF_RE.search(c.last_text):
            return REF_RE.search(c.last_text).group(1), CODE_RE.search(c.last_text).group(1), offers
        offer = eid_offer(c.last)
        if offer:
            offers += 1
            assert offer["login_path"] == "/e-legitimation/logga-in?for=chat"
            assert [b["title"] for b in offer["buttons"]] == ["Logga in med e-legitimation", "Fortsätt utan"]
            say_with_ticket(c, asyncio.run(chat_ticket(backend.url, "anna")))
            assert "Tack, du är inloggad som Anna." in c.last_text, c.transcript
            continue
        key, msg = c.question()
        assert key, c.transcript
        c.asked.append(key)
        ans = c.answers[key]
        if ans == "@first":
            ans = msg["buttons"][0]["payload"]
        c.say(ans)
    raise AssertionError(c.transcript)


def test_a_patient_logs_in_and_is_not_asked_for_name_or_personnummer(eid_stack):
    backend, rasa = eid_stack
    c = Conversation(rasa)
    ref, code, offers = file_with_eid(backend, c, "Jag vill klaga på hur jag blev bemött på akuten i Östersund igår")
    assert offers == 1
    assert "patient_name" not in c.asked and "pnr" not in c.asked, c.asked
    summary = next(t for who, t in c.transcript if who == "bot" and "Här är en sammanfattning" in t)
    assert "Anna Andersson" in summary and "19811228-****" in summary  # the verified number, masked
    assert ANNA_PNR not in summary and ANNA_PNR[:8] + "-" + ANNA_PNR[8:] not in summary
    case = backend.officer_case(ref, backend.officer_token())
    assert case["reporter"]["verified"] is True and case["reporter"]["name"] == "Anna Andersson"
    assert case["patient"]["personnummer"] == ANNA_PNR and case["patient"]["name"] == "Anna Andersson"
    r = httpx.get(f"{backend.url}/api/v1/reporter/cases/{ref}", headers={"X-Access-Code": code})
    assert r.status_code == 200


def test_a_relative_logs_in_and_the_patient_is_still_asked(eid_stack):
    backend, rasa = eid_stack
    c = Conversation(rasa, {"role": '/inform{"reporter_role":"relative"}', "patient_name": "Karin Lind",
                            "contact": "eva@example.se"})
    ref, _code, offers = file_with_eid(backend, c, "Jag vill klaga på vården som min mamma fick på akuten i Östersund igår")
    assert offers == 1
    assert "patient_name" in c.asked and "reporter_name" not in c.asked, c.asked
    case = backend.officer_case(ref, backend.officer_token())
    assert case["reporter"]["role"] == "relative" and case["reporter"]["verified"] is True
    assert case["reporter"]["name"] == "Anna Andersson"
    assert case["patient"]["name"] == "Karin Lind" and case["patient"]["personnummer"] == PNR


def test_fortsatt_utan_asks_as_before(eid_stack):
    backend, rasa = eid_stack
    c = Conversation(rasa)
    c.say("Jag vill klaga på hur jag blev bemött på akuten i Östersund igår")
    for _ in range(40):
        if REF_RE.search(c.last_text):
            break
        if eid_offer(c.last):
            c.say("/skip")
            continue
        key, msg = c.question()
        assert key, c.transcript
        c.asked.append(key)
        ans = c.answers[key]
        c.say(msg["buttons"][0]["payload"] if ans == "@first" else ans)
    ref = REF_RE.search(c.last_text).group(1)
    assert "patient_name" in c.asked  # asked as today
    case = backend.officer_case(ref, backend.officer_token())
    assert case["reporter"]["verified"] is False and case["patient"]["personnummer"] == PNR
