"""End to end: backend + action server + Rasa server (trained model) on free loopback ports.
Whole conversations over the REST channel, then the stored case is checked field by field
through the backend's officer API."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import httpx
import pytest
from bot.actions.dates import swedish_today

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

pytest_plugins = ["tests.conftest_servers"]

from tests.scripted import CODE_RE, PNR, REF_RE, Conversation


def officer_case(backend, ref, email="handlaggare@regionjh.example"):
    return backend.officer_case(ref, backend.officer_token(email))


def last_weekday(wd):
    today = swedish_today()
    return today - dt.timedelta(days=(today.weekday() - wd) % 7 or 7)


def test_patient_first_message_fills_unit_date_and_description(rasa_server, backend_server):
    first = "Jag vill klaga på hur jag blev bemött på akuten i Östersund igår"
    c = Conversation(rasa_server)
    # "tell me more?" is answered once with more text, then with "Nej, det var allt"
    seq = iter(["Läkaren var otrevlig och lyssnade inte alls på mig.", "/done"])

    c.say(first)
    assert "Akutmottagning Östersunds sjukhus" in c.last_text
    ref = code = None
    for _ in range(40):
        if REF_RE.search(c.last_text):
            ref, code = REF_RE.search(c.last_text).group(1), CODE_RE.search(c.last_text).group(1)
            break
        key, msg = c.question()
        assert key, c.transcript
        c.asked.append(key)
        ans = next(seq) if key == "more" else c.answers[key]
        if ans == "@first":
            ans = msg["buttons"][0]["payload"]
        c.say(ans)
    assert ref, c.transcript
    assert "unit" not in c.asked and "date" not in c.asked and "description" not in c.asked  # no question twice
    once = [k for k in c.asked if k not in ("more", "category")]  # category may go main -> sub
    assert len(once) == len(set(once)), c.asked
    case = officer_case(backend_server, ref)
    assert case["care_unit"]["hsa_id"] == "SE2321000207-E2100"
    assert case["event_date"] == (swedish_today() - dt.timedelta(days=1)).isoformat()
    assert case["description"] == first + "\n\nLäkaren var otrevlig och lyssnade inte alls på mig."
    assert case["reporter"]["role"] == "patient" and case["reporter"]["name"] == "Anna Andersson"
    assert case["reporter"]["email"] == "anna@example.se" and case["reporter"]["preferred_contact"] == "email"
    assert case["patient"] == {**case["patient"], "name": "Anna Andersson", "personnummer": PNR}
    assert case["patient_consent"] == "not_needed" and case["channel"] == "chat"
    assert case["desired_outcome"] == "En förklaring" and case["reply_wanted"] is True
    assert case["recipient_organisation"]["kind"] == "care_provider"
    assert case["reporter_category"]  # the first offered category was chosen
    # the reporter can read it with the code
    r = httpx.get(f"{backend_server.url}/api/v1/reporter/cases/{ref}", headers={"X-Access-Code": code})
    assert r.status_code == 200 and r.json()["status"] == "received"


def test_relative_with_consent_and_correction_at_summary(rasa_server, backend_server):
    c = Conversation(rasa_server, {"unit": "Hälsocentralen Frösö", "date": "3 mars",
                                   "summary": "nej, det var i måndags", "patient_name": "Karin Lind",
                                   "contact": "eva@example.se och 070-111 22 33", "preferred": '/inform{"preferred_contact":"phone"}'})
    # after the correction the summary comes again: then confirm
    answers = iter(["nej, det var i måndags", "/affirm"])

    c.say("Jag vill klaga på vården som min mamma fick")
    ref = None
    for _ in range(40):
        if REF_RE.search(c.last_text):
            ref = REF_RE.search(c.last_text).group(1)
            break
        key, msg = c.question()
        assert key, c.transcript
        c.asked.append(key)
        ans = next(answers) if key == "summary" else c.answers[key]
        if ans == "@first":
            ans = msg["buttons"][0]["payload"]
        c.say(ans)
        if key == "summary":
            # the correction is confirmed; confirming the summary then sends the case (no separate step)
            assert "Jag har ändrat datumet" in c.last_text or REF_RE.search(c.last_text)
    assert ref and "role" not in c.asked  # "min mamma" already said who it is
    case = officer_case(backend_server, ref)
    assert case["reporter"]["role"] == "relative" and case["reporter"]["name"] == "Eva Lind"
    assert case["reporter"]["phone"] == "0701112233" and case["reporter"]["preferred_contact"] == "phone"
    assert case["patient"]["name"] == "Karin Lind" and case["patient_consent"] == "yes"
    assert case["care_unit"]["hsa_id"] == "SE2321000207-E1101"
    assert case["event_date"] == last_weekday(0).isoformat()


def test_relative_without_consent_can_stop(rasa_server, backend_server):
    c = Conversation(rasa_server)
    c.say("Jag vill klaga på vården som min pappa fick")
    assert "Vet patienten om" in c.last_text
    c.say("nej")
    assert "Patientnämnden behöver patientens samtycke" in c.last_text
    c.say("/deny")
    assert "Jag har inte skickat något" in c.last_text
    tracker = rasa_server.tracker(c.sender)
    assert tracker["slots"]["reporter_role"] is None and tracker["active_loop"] in ({}, None) \
        or not tracker["active_loop"].get("name")


def test_relative_without_consent_continues_to_the_care_provider(rasa_server, backend_server):
    c = Conversation(rasa_server, {"role": '/inform{"reporter_role":"relative"}', "consent": "vet inte",
                                   "reporter_name": "Olle Berg"})
    ref, _ = c.run_until_submitted("jag vill lämna synpunkter")
    assert "consent_continue" in c.asked
    case = officer_case(backend_server, ref)
    assert case["patient_consent"] == "unknown" and case["recipient_organisation"]["kind"] == "care_provider"


def test_guardian_of_a_child(rasa_server, backend_server):
    c = Conversation(rasa_server, {"role": '/inform{"reporter_role":"guardian"}', "age": "14", "unit": "barnkliniken",
                                   "patient_name": "Nils Berg", "pnr": "20121212-1212" if False else "19121212-1212"})
    ref, _ = c.run_until_submitted("jag vill lämna ett klagomål")
    assert any("13 år eller äldre" in t for who, t in c.transcript if who == "bot")
    case = officer_case(backend_server, ref)
    assert case["reporter"]["role"] == "guardian" and case["child_age"] == 14
    assert case["care_unit"]["hsa_id"] == "SE2321000207-E2110"


def test_positive_feedback_goes_to_the_unit(rasa_server, backend_server):
    c = Conversation(rasa_server, {"unit": "förlossningen i Östersund", "description": "Barnmorskorna var fantastiska hela natten."})
    ref, _ = c.run_until_submitted("jag vill ge beröm")
    assert "category" not in c.asked and "recipient" not in c.asked and "outcome" not in c.asked
    case = officer_case(backend_server, ref)
    assert case["reporter_category"] == "positiv_aterkoppling"
    assert case["recipient_organisation"]["kind"] == "care_provider"
    assert case["care_unit"]["hsa_id"] == "SE2321000207-E2106"


def test_safety_interruption_mid_form_is_never_a_complaint(rasa_server, backend_server):
    c = Conversation(rasa_server)
    c.say("jag vill klaga på vårdcentralen i Krokom")
    c.say('/inform{"reporter_role":"patient"}')
    c.say("i måndags")
    assert "Berätta med egna ord" in c.last_text
    c.say("jag har ont i bröstet och kan inte andas")
    assert "Ring 112 nu" in c.last_text
    slots = rasa_server.tracker(c.sender)["slots"]
    assert slots["description"] is None
    assert slots["care_unit"] == "SE2321000207-E1102"  # kept
    c.say("fortsätt")
    assert "Berätta med egna ord" in c.last_text or "berätta vad som hände" in c.last_text


def test_suicidal_thoughts_get_the_right_numbers(rasa_server, backend_server):
    c = Conversation(rasa_server)
    c.say("jag vill inte leva längre")
    assert "112" in c.last_text and "90101" in c.last_text and "1177" in c.last_text


def test_question_mid_form_is_answered_and_form_resumes(rasa_server, backend_server):
    c = Conversation(rasa_server)
    c.say("jag vill klaga")
    assert "Vem gäller det?" in c.last_text
    c.say("vad gör patientnämnden?")
    assert "fristående" in c.last_text and "Vem gäller det?" in c.last_text


def test_backend_down_then_forsok_igen_creates_exactly_one_case(rasa_server, backend_server):
    c = Conversation(rasa_server, {"unit": "ortopeden Östersund", "patient_name": "Per Ek"})
    c.run_until_submitted("jag vill lämna ett klagomål", stop_at="summary")
    token = backend_server.officer_token()
    list_url = f"{backend_server.url}/api/v1/officer/cases?per_page=1"
    before = httpx.get(list_url, headers={"Authorization": f"Bearer {token}"}).json()["total"]
    backend_server.stop()
    try:
        c.say("/affirm")
        assert "kunde inte skickas" in c.last_text and "Försök igen" in str(c.last)
        slots = rasa_server.tracker(c.sender)["slots"]
        key = slots["idempotency_key"]
        assert key and slots["description"]  # nothing lost
    finally:
        backend_server.start()
    c.say("försök igen")
    m = REF_RE.search(c.last_text)
    assert m, c.transcript
    ref = m.group(1)
    c.say("försök igen")
    assert "redan skickat" in c.last_text
    after = httpx.get(list_url, headers={"Authorization": f"Bearer {token}"}).json()["total"]
    assert after == before + 1  # exactly one case, although the submit was tried three times
    assert officer_case(backend_server, ref)["patient"]["name"] == "Per Ek"


def test_status_check_and_answer_to_counter_question(rasa_server, backend_server):
    c = Conversation(rasa_server, {"patient_name": "Sara Holm"})
    ref, code = c.run_until_submitted("jag vill klaga på hälsocentralen Lit")
    token = backend_server.officer_token()
    backend_server.officer_action(ref, "take", {}, token)
    backend_server.officer_action(ref, "counter-question", {"body": "Vilken läkare träffade du?"}, token)
    c2 = Conversation(rasa_server)  # a returning person in a new chat
    c2.say(f"hur går det med mitt ärende {ref}?")
    assert "koden" in c2.last_text
    c2.say(code)
    assert "Väntar på svar från dig" in c2.last_text and "Vilken läkare träffade du?" in c2.last_text
    c2.say("Det var doktor Berg, på eftermiddagen.")
    assert "Ditt svar är skickat" in c2.last_text
    case = backend_server.officer_case(ref, token)
    assert case["status"] == "in_progress"
    assert case["thread"][-1]["author"] == "reporter"
    assert case["thread"][-1]["body"] == "Det var doktor Berg, på eftermiddagen."


def test_relative_account_as_first_message_and_who_they_are(rasa_server, backend_server):
    """A relative starts with the story itself, not with "jag vill klaga": the complaint starts,
    role, unit, date and description come from that message, and "jag är hans dotter" (said
    anyway) is taken for what it is, never for an emergency."""
    first = ("min pappa låg på ortopeden i östersund förra veckan och fick ligga i sin egen "
             "urin en hel natt")
    c = Conversation(rasa_server, {"patient_name": "Olle Berg", "reporter_name": "Eva Lind"})
    c.say(first)
    assert "Ortopedmottagning Östersunds sjukhus" in c.last_text and "112" not in c.last_text
    c.say("jag är hans dotter")
    assert "112" not in c.last_text
    ref, _ = c.run_until_submitted('/inform{"patient_consent":"yes"}')
    assert not {"role", "unit", "date", "description"} & set(c.asked), c.asked
    case = officer_case(backend_server, ref)
    assert case["reporter"]["role"] == "relative" and case["reporter"]["name"] == "Eva Lind"
    assert case["description"] == first  # in the person's own words
    assert case["care_unit"]["hsa_id"] == "SE2321000207-E2101"
    days = (swedish_today() - dt.date.fromisoformat(case["event_date"])).days
    assert 1 <= days <= 14


def test_returning_session_continues_where_it_stopped(rasa_server, backend_server):
    """A new session (the person comes back later) keeps the answers; "fortsätt" goes on with
    the next unanswered question and nothing is asked again."""
    c = Conversation(rasa_server, {"unit": "Hälsocentralen Lit"})
    c.run_until_submitted("jag vill lämna ett klagomål", stop_at="date")
    assert c.asked[-2:] == ["unit", "date"] and "role" in c.asked
    c.say("/session_start")
    assert "Välkommen tillbaka" in c.last_text
    before = list(c.asked)
    ref, _ = c.run_until_submitted("fortsätt")
    after = c.asked[len(before):]
    assert after[0] == "date" and "role" not in after and "unit" not in after, after
    case = officer_case(backend_server, ref)
    assert case["care_unit"]["hsa_id"] == "SE2321000207-E1103"


def test_crisis_mid_form_then_resume_with_nothing_lost(rasa_server, backend_server):
    """A story that ends in a present emergency, written as the answer to "what happened?": 112 first,
    no form question in the same reply; the story is kept, and "fortsätt" goes on where it stopped."""
    c = Conversation(rasa_server)
    c.say("jag vill klaga på vårdcentralen i Krokom")
    c.say('/inform{"reporter_role":"patient"}')
    c.say("i måndags")
    assert "Berätta med egna ord" in c.last_text
    story = ("Jag fick vänta i tre timmar och läkaren lyssnade inte när jag sa att jag hade ont. "
             "Nu har jag jätteont i bröstet igen och det strålar ut i vänster arm.")
    c.say(story)
    assert c.last[0]["text"].startswith("Ring 112 nu")
    key, _ = c.question()
    assert key is None, c.last_text  # no form question in the same reply
    assert rasa_server.tracker(c.sender)["slots"]["description"] == story
    c.say("fortsätt")
    key, _ = c.question()
    assert key not in ("role", "unit", "date", "description"), c.last_text


def test_other_authority_is_pointed_to_the_right_body(rasa_server, backend_server):
    c = Conversation(rasa_server)
    c.say("Försäkringskassan har avslagit min sjukpenning och handläggaren svarar aldrig")
    assert "Försäkringskassan" in c.last_text and "omprövning" in c.last_text
    assert "112" not in c.last_text and c.question() == (None, None)
    events = rasa_server.tracker(c.sender)["events"]
    assert "action_prefill_complaint" not in [e.get("name") for e in events]


def test_a_death_in_the_first_message(rasa_server, backend_server):
    """"Jag beklagar sorgen", no question whether the patient agrees, and the name in the past tense."""
    c = Conversation(rasa_server, {"patient_name": "Karin Berg", "reporter_name": "Eva Berg"})
    first = ("Min mamma dog på medicinavdelningen på Östersunds sjukhus i mars och ingen berättade "
             "för oss hur dålig hon var.")
    ref, _ = c.run_until_submitted(first)
    bot_said = [t for who, t in c.transcript if who == "bot"]
    assert "Jag beklagar sorgen" in bot_said[0] and not any("112" in t for t in bot_said)
    assert "consent" not in c.asked and "role" not in c.asked
    assert any("Vad hette patienten" in t for t in bot_said)
    case = officer_case(backend_server, ref)
    assert case["reporter"]["role"] == "relative"
    assert case["description"].startswith(first)


def test_praise_as_the_first_message(rasa_server, backend_server):
    c = Conversation(rasa_server)
    c.say("tack för en fantastisk förlossning på Östersunds sjukhus!")
    assert "Vad roligt" in c.last_text and "inte säker" not in c.last_text and "förstår inte" not in c.last_text
    slots = rasa_server.tracker(c.sender)["slots"]
    assert slots["complaint_kind"] == "praise"


@pytest.mark.parametrize("question,needle", [
    ("är du en robot?", "automatisk chatt"),
    ("får läkaren veta att jag klagat?", "Ingen får behandla dig sämre"),
])
def test_honest_answers_about_the_service(rasa_server, backend_server, question, needle):
    c = Conversation(rasa_server)
    c.say(question)
    assert needle in c.last_text
