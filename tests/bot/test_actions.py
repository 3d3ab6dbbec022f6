"""Every custom action and form validation, run against a real backend (no mocked HTTP)."""
from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from bot.actions import (actions, answers, backend_client, complaint_form, followup_forms, form_plan,
                         questions, texts)
from bot.actions.backend_client import BackendClient
from tests.bot.conftest import make_tracker, run_action, slots_of
from bot.actions.dates import swedish_today

VALIDATE = complaint_form.ValidateComplaintForm()
PNR = "191212121212"


def code_in(text):
    m = re.search(r"Kod: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})", text)
    return m.group(1) if m else None


def full_slots(**over):
    s = {
        "reporter_role": "relative", "patient_consent": "yes", "care_unit_text": "akuten i Östersund",
        "care_unit": "SE2321000207-E2100", "care_unit_name": "Akutmottagning Östersunds sjukhus",
        "region_code": "jamtland", "event_date": (swedish_today() - dt.timedelta(days=1)).isoformat(),
        "description": "Min mamma fick vänta i åtta timmar.\n\nIngen gav henne vatten.",
        "description_done": True, "category_sub": "omvardnad", "desired_outcome": "En förklaring",
        "reply_wanted": True, "recipient": "care_provider", "patient_name": "Karin Lind",
        "patient_personnummer": PNR, "reporter_name": "Eva Lind", "contact_info": "given",
        "contact_email": "eva@example.se", "contact_phone": "0701234567", "preferred_contact": "phone",
        "summary_confirmed": True, "personal_data_consent": True, "complaint_kind": "complaint",
    }
    s.update(over)
    return s


async def validate(domain, slots, text, requested, intent="inform", **kw):
    tracker = make_tracker(slots, text=text, intent=intent, requested=requested, **kw)
    msgs, events = await run_action(VALIDATE, tracker, domain)
    return [m.get("text") or m.get("response") for m in msgs], slots_of(events), msgs


# ------------------------------------------------------------------ prefill ("no question twice")
async def test_prefill_fills_unit_date_and_description(backend, domain):
    text = "Jag vill klaga på hur jag blev bemött på akuten i Östersund igår"
    tracker = make_tracker({}, text=text, intent="file_complaint",
                           entities={"care_unit_text": "akuten i Östersund", "time_expression": "igår"},
                           requested=None, loop=None)
    msgs, events = await run_action(actions.ActionPrefillComplaint(), tracker, domain)
    s = slots_of(events)
    assert s["care_unit_text"] == "akuten i Östersund"
    assert s["event_date"] == (swedish_today() - dt.timedelta(days=1)).isoformat()
    assert s["description"] == text  # verbatim
    assert s["complaint_kind"] == "complaint"


async def test_prefill_without_entities_uses_own_patterns_and_hints(backend, domain):
    text = "Jag har redan klagat på vårdcentralen i Krokom i tisdags men fick inget svar alls"
    tracker = make_tracker({}, text=text, intent="complaint_already_filed", requested=None, loop=None)
    _, events = await run_action(actions.ActionPrefillComplaint(), tracker, domain)
    s = slots_of(events)
    assert s["recipient_hint"] == "patient_board"
    assert s["care_unit_text"].lower().startswith("vårdcentralen i krokom")
    assert dt.date.fromisoformat(s["event_date"]).weekday() == 1
    assert s["description"] == text


async def test_prefill_praise_goes_to_the_unit(backend, domain):
    tracker = make_tracker({}, text="jag vill ge beröm", intent="give_praise", requested=None, loop=None)
    msgs, events = await run_action(actions.ActionPrefillComplaint(), tracker, domain)
    s = slots_of(events)
    assert s["complaint_kind"] == "praise" and s["recipient"] == "care_provider"
    assert s["category_sub"] == "positiv_aterkoppling"
    assert "description" not in s  # too short to be the description
    req = form_plan.complaint_required_slots({**s, "reporter_role": "patient"})
    assert "category_sub" not in req and "recipient" not in req and "desired_outcome" not in req


# ------------------------------------------------------------------ who files
async def test_role_relative_asks_consent_and_stop_ends_without_submit(backend, domain):
    _, s, _ = await validate(domain, {}, "det gäller min mamma", "reporter_role")
    assert s["reporter_role"] == "relative"
    slots = {"reporter_role": "relative"}
    assert form_plan.complaint_required_slots(slots)[1] == "patient_consent"
    _, s, _ = await validate(domain, slots, "nej", "patient_consent", intent="deny")
    assert s["patient_consent"] == "no"
    slots["patient_consent"] = "no"
    assert "consent_continue" in form_plan.complaint_required_slots(slots)
    _, s, _ = await validate(domain, slots, "nej", "consent_continue", intent="deny")
    assert s["consent_continue"] is False
    slots["consent_continue"] = False
    assert form_plan.complaint_required_slots(slots) == ["reporter_role", "patient_consent", "consent_continue"]
    msgs, events = await run_action(actions.ActionSubmitComplaint(), make_tracker(slots, loop=None), domain)
    assert msgs[0]["text"] == texts.CONSENT_STOPPED.format(within="inom en minut")
    assert msgs[-1]["custom"] == {"data": {"kind": "handover", "keep": 0}}  # the widget drops what came before
    assert all(e["value"] is None for e in events if e.get("event") == "slot" and e["name"] != "handed_over_at")
    assert slots_of(events)["handed_over_at"]  # the conversation store is cleaned


async def test_consent_deceased_is_not_needed_with_a_note(backend, domain):
    msgs, s, _ = await validate(domain, {"reporter_role": "relative"}, "hon har gått bort", "patient_consent")
    assert s["patient_consent"] == "not_needed" and s["consent_note"] == "Patienten har avlidit."
    assert msgs[0] == texts.CONSENT_DECEASED


async def test_guardian_child_age_13_mentions_the_childs_view(backend, domain):
    msgs, s, _ = await validate(domain, {"reporter_role": "guardian"}, "hon är 14 år", "child_age")
    assert s["child_age"] == 14 and texts.CHILD_AGE_13 in msgs
    msgs, s, _ = await validate(domain, {"reporter_role": "guardian"}, "han är 8", "child_age")
    assert s["child_age"] == 8 and texts.CHILD_AGE_13 not in msgs
    msgs, s, _ = await validate(domain, {"reporter_role": "guardian"}, "20", "child_age")
    assert s["reporter_role"] == "relative" and s["child_age"] is None


# ------------------------------------------------------------------ unit resolution
async def test_unit_exact_match(backend, domain):
    msgs, s, _ = await validate(domain, {}, "akuten i Östersund", "care_unit_text")
    assert s["care_unit"] == "SE2321000207-E2100"
    assert s["region_code"] == "jamtland"
    assert any("Akutmottagning Östersunds sjukhus" in m for m in msgs)


async def test_unit_unsure_offers_candidates_then_button_picks(backend, domain):
    _, s, _ = await validate(domain, {}, "akuten", "care_unit_text")
    assert s.get("care_unit") is None and len(s["unit_candidates"]) >= 2
    slots = {"care_unit_text": "akuten", "unit_candidates": s["unit_candidates"]}
    assert "unit_choice" in form_plan.complaint_required_slots(slots)
    ask_msgs, _ = await run_action(questions.AskUnitChoice(), make_tracker(slots, requested="unit_choice"), domain)
    titles = [b["title"] for b in ask_msgs[0]["buttons"]]
    assert texts.UNIT_NONE_BUTTON in titles and len(titles) >= 3
    target = next(c for c in s["unit_candidates"] if "Akademiska" in c["name"])
    _, s2, _ = await validate(domain, slots, "/inform", "unit_choice", entities={"care_unit": target["hsa_id"]})
    assert s2["care_unit"] == target["hsa_id"] and s2["region_code"] == "uppsala"


async def test_unit_not_found_goes_to_regions_patient_board(backend, domain):
    msgs, s, _ = await validate(domain, {}, "Mottagningen Zyxwvut", "care_unit_text")
    assert s.get("care_unit") is None and not s.get("unit_candidates")
    assert any("patientnämnden" in m for m in msgs)
    slots = {"care_unit_text": "Mottagningen Zyxwvut"}
    assert "region_code" in form_plan.complaint_required_slots(slots)
    ask, _ = await run_action(questions.AskRegionCode(), make_tracker(slots, requested="region_code"), domain)
    assert "Region Jämtland Härjedalen" in [b["title"] for b in ask[0]["buttons"]]
    msgs, s, _ = await validate(domain, slots, "jämtland", "region_code")
    assert s["region_code"] == "jamtland" and s["recipient"] == "patient_board"


async def test_unit_not_connected_routes_to_patient_board(backend, domain):
    # two dental units score close: the bot asks, the person picks the private one
    _, s, _ = await validate(domain, {}, "Tandläkarna i Östersund", "care_unit_text")
    assert s["unit_candidates"][0]["hsa_id"] == "SE5565301000-E0001"
    slots = {"care_unit_text": "Tandläkarna i Östersund", "unit_candidates": s["unit_candidates"]}
    msgs, s, _ = await validate(domain, slots, "den första", "unit_choice")
    assert s["care_unit"] == "SE5565301000-E0001"
    assert s["recipient"] == "patient_board" and s["recipient_auto"] is True
    assert any("tar inte emot" in m for m in msgs)


# ------------------------------------------------------------------ dates, pnr, contact
async def test_event_date_parsing_and_future(backend, domain):
    _, s, _ = await validate(domain, {}, "i tisdags", "event_date")
    d = dt.date.fromisoformat(s["event_date"])
    assert d.weekday() == 1 and d < swedish_today()
    msgs, s, _ = await validate(domain, {}, "imorgon", "event_date")
    assert s["event_date"] is None and texts.DATE_FUTURE in msgs
    msgs, s, _ = await validate(domain, {}, "blablabla", "event_date")
    assert s["event_date"] is None and texts.DATE_INVALID in msgs


async def test_date_correction_mid_form(backend, domain):
    slots = {"event_date": "2020-01-01", "care_unit_text": "x", "care_unit": "SE2321000207-E2100"}
    msgs, s, _ = await validate(domain, slots, "nej, det var i måndags", "patient_name", intent="correct",
                                entities={"time_expression": "i måndags"})
    assert dt.date.fromisoformat(s["event_date"]).weekday() == 0
    assert "patient_name" not in s  # the correction is not taken as a name
    assert any(m.startswith("Jag har ändrat datumet") for m in msgs)


async def test_personnummer_typo_and_samordningsnummer(backend, domain):
    msgs, s, _ = await validate(domain, {"reporter_role": "patient"}, "19121212-1213", "patient_personnummer")
    assert s["patient_personnummer"] is None and "kontrollsiffran" in msgs[0]
    _, s, _ = await validate(domain, {}, "19121212-1212", "patient_personnummer")
    assert s["patient_personnummer"] == PNR
    _, s, _ = await validate(domain, {}, "191212721003", "patient_personnummer")
    assert s["patient_personnummer"] == "191212721003"


async def test_contact_email_and_phone_then_preferred(backend, domain):
    _, s, _ = await validate(domain, {}, "eva@example.se och 070-123 45 67", "contact_info")
    assert s["contact_email"] == "eva@example.se" and s["contact_phone"] == "0701234567"
    assert s["preferred_contact"] is None
    assert "preferred_contact" in form_plan.complaint_required_slots({**s, "reporter_role": "patient"})
    msgs, s, _ = await validate(domain, {}, "eva@example", "contact_info")
    assert s["contact_info"] is None and msgs == [texts.CONTACT_EMAIL_INVALID]
    msgs, s, _ = await validate(domain, {"reply_wanted": True}, "hoppa över", "contact_info", intent="skip")
    assert s["contact_info"] is None and msgs == [texts.CONTACT_SKIP_NEEDS_REPLY]


# ------------------------------------------------------------------ description and category
async def test_description_over_several_messages_is_kept_verbatim(backend, domain):
    parse = {"complaint_categories": [{"main": "kommunikation", "sub": "bemotande", "confidence": 0.7},
                                      {"main": "kommunikation", "sub": "information", "confidence": 0.2},
                                      {"main": "ovrigt", "sub": "ovrigt", "confidence": 0.1}]}
    first = "Läkaren  var otrevlig mot mig!!"
    _, s, _ = await validate(domain, {}, first, "description", extra_parse=parse)
    assert s["description"] == first and s["category_suggestions"][0]["sub"] == "bemotande"
    slots = {"description": first, "category_suggestions": s["category_suggestions"]}
    _, s, _ = await validate(domain, slots, "Och sen fick jag vänta i tre timmar.", "description_done")
    assert s["description"] == first + "\n\nOch sen fick jag vänta i tre timmar."
    assert s["description_done"] is None
    _, s, _ = await validate(domain, slots, "/done", "description_done", intent="done")
    assert s["description_done"] is True


async def test_category_buttons_come_from_backend_taxonomy(backend, domain):
    sugg = [{"main": "kommunikation", "sub": "bemotande", "confidence": 0.6},
            {"main": "tillganglighet", "sub": "vantetider", "confidence": 0.3},
            {"main": "kommunikation", "sub": "information", "confidence": 0.1}]
    msgs, _ = await run_action(questions.AskCategorySub(), make_tracker({"category_suggestions": sugg},
                                                                     requested="category_sub"), domain)
    titles = [b["title"] for b in msgs[0]["buttons"]]
    assert titles == ["Bemötande", "Väntetider i vården", "Information", "Inget av dessa", "Hoppa över"]
    assert "Du blev illa bemött" in msgs[0]["text"]
    _, s, _ = await validate(domain, {"category_suggestions": sugg}, "inget av dessa", "category_sub",
                             intent="none_of_these")
    assert s["category_stage"] == "main" and s["category_sub"] is None
    _, s, _ = await validate(domain, {}, "/inform", "category_sub", entities={"category_main": "resultat"})
    assert s["category_sub"] == "resultat"  # a main category with one sub is chosen directly
    _, s, _ = await validate(domain, {}, "hoppa över", "category_sub", intent="skip")
    assert s["category_sub"] == "none"
    _, s, _ = await validate(domain, {"category_suggestions": sugg}, "2", "category_sub")
    assert s["category_sub"] == "vantetider"


async def test_question_mid_form_is_let_go(backend, domain):
    tracker = make_tracker({}, text="vad gör patientnämnden?", intent="ask_patient_board",
                           requested="recipient")
    _, events = await run_action(VALIDATE, tracker, domain)
    assert "recipient" not in slots_of(events)  # the form rejects, a rule answers, the form resumes


async def test_emergency_in_description_is_never_stored(backend, domain):
    """The triage (NLU) makes it a safety intent: the form lets go and asks nothing; the rule answers
    with utter_crisis, and a message too short to be a story is not kept as the description."""
    triage = {"triage": {"label": "emergency", "confidence": 0.97, "source": "rules", "death": False}}
    text = "jag har ont i bröstet och kan inte andas"
    msgs, s, m = await validate(domain, {}, text, "description", intent="safety_emergency", extra_parse=triage)
    assert s.get("description") is None and msgs == []
    tracker = make_tracker({}, text=text, intent="safety_emergency", requested="description", extra_parse=triage)
    m, events = await run_action(answers.ActionKeepStory(), tracker, domain)
    assert m == [] and events == []


async def test_crisis_after_a_story_keeps_the_story(backend, domain):
    text = ("Jag fick vänta sex timmar på akuten igår och ingen tittade på mig. "
            "Nu har jag jätteont i bröstet igen och det strålar ut i armen.")
    triage = {"triage": {"label": "emergency", "confidence": 0.97, "source": "rules", "death": False}}
    tracker = make_tracker({"description": "Det började i måndags."}, text=text, intent="safety_emergency",
                           requested="description_done", extra_parse=triage)
    m, events = await run_action(answers.ActionKeepStory(), tracker, domain)
    assert m == [] and slots_of(events)["description"] == "Det började i måndags.\n\n" + text


def test_crisis_and_question_answers_are_chosen_by_slot(domain):
    """utter_crisis and utter_answer: one variation per value of their slot, mapped from the intent."""
    for resp, slot in (("utter_crisis", "crisis"), ("utter_answer", "question")):
        values = domain["slots"][slot]["values"]
        conditioned = [v["condition"][0]["value"] for v in domain["responses"][resp] if v.get("condition")]
        assert sorted(conditioned) == sorted(values)
        mapped = {m["value"] for m in domain["slots"][slot]["mappings"]}
        assert mapped == set(values)
    crisis = {v["condition"][0]["value"]: v["text"] for v in domain["responses"]["utter_crisis"] if v.get("condition")}
    assert crisis["emergency"].startswith("Ring 112 nu")
    assert all(n in crisis["suicide"] for n in ("112", "90101", "mind.se", "1177"))
    assert "112" in crisis["threat"] and "klagomål" in crisis["threat"]


async def test_other_authority_gets_its_body(backend, domain):
    from bot.actions.referrals import REFERRALS
    tracker = make_tracker({}, text="Försäkringskassan drog in min sjukpenning", intent="other_authority", loop=None,
                           extra_parse={"triage": {"label": "other_authority", "confidence": 0.9,
                                                   "body": "forsakringskassan"}})
    m, _ = await run_action(answers.ActionReferElsewhere(), tracker, domain)
    assert m[0]["text"] == REFERRALS["forsakringskassan"].text and "omprövning" in m[0]["text"]


async def test_recipient_recommendation(backend, domain):
    msgs, _ = await run_action(questions.AskRecipient(), make_tracker({"recipient_hint": "patient_board"},
                                                                   requested="recipient"), domain)
    assert msgs[0]["buttons"][0]["title"].startswith("Patientnämnden")
    assert texts.RECOMMEND_PATIENT_BOARD in msgs[0]["text"]
    _, s, _ = await validate(domain, {"recipient_hint": "patient_board"}, "ja", "recipient", intent="affirm")
    assert s["recipient"] == "patient_board"


async def test_summary_change_field_clears_it(backend, domain):
    slots = full_slots()
    _, s, _ = await validate(domain, slots, "/correct", "summary_confirmed", intent="correct",
                             entities={"field": "care_unit_text"})
    assert s["care_unit_text"] is None and s["care_unit"] is None and s["summary_confirmed"] is None
    msgs, _ = await run_action(questions.AskSummaryConfirmed(), make_tracker(slots, requested="summary_confirmed"),
                               domain)
    assert "Akutmottagning Östersunds sjukhus" in msgs[0]["text"] and "Omvårdnad" in msgs[0]["text"]


async def test_the_send_step_says_what_gdpr_article_13_asks(backend, domain):
    """The controller, purpose and legal basis (no consent asked), who else may see the case, how long
    it is kept, the rights, the data-protection officer and IMY — and the question is "Vill du skicka"."""
    msgs, _ = await run_action(questions.AskSummaryConfirmed(),
                               make_tracker(full_slots(), requested="summary_confirmed"), domain)
    text = msgs[0]["text"]
    for part in ("Akutmottagning Östersunds sjukhus ansvarar för uppgifterna", "6.1 e och 9.2 h",
                 "inte ge något samtycke", "yttrande", "annan mottagare", "tas bort när ärendet",
                 "rätt att få veta", "dataskyddsombudet", "Integritetsskyddsmyndigheten (IMY)",
                 "/om-personuppgifter", "Vill du skicka ärendet?"):
        assert part in text, part
    assert "samtycker du" not in text.lower()


# ------------------------------------------------------------------ submit, retry, status, reply
async def test_submit_creates_the_case_and_a_retry_never_duplicates(backend, domain):
    key = str(uuid.uuid4())
    slots = full_slots(idempotency_key=key)
    msgs, events = await run_action(actions.ActionSubmitComplaint(), make_tracker(slots, loop=None), domain)
    s = slots_of(events)
    ref, code = s["case_reference"], code_in(msgs[0]["text"])
    assert ref.startswith("KG-") and code and ref in msgs[0]["text"]
    assert "/arende" in msgs[0]["text"] and "tas bort ur chattens logg inom en minut" in msgs[0]["text"]
    assert s["access_code"] is None and s["handed_over_at"]  # shown once, never kept in a slot
    assert msgs[-1]["custom"] == {"data": {"kind": "handover", "keep": len(msgs) - 1}}
    assert s["description"] is None  # the answers are reset after a successful submit
    msgs2, events2 = await run_action(actions.ActionSubmitComplaint(), make_tracker(slots, loop=None), domain)
    assert slots_of(events2)["case_reference"] == ref
    token = backend.officer_token()
    case = backend.officer_case(ref, token)
    assert case["description"] == "Min mamma fick vänta i åtta timmar.\n\nIngen gav henne vatten."
    assert case["patient"]["name"] == "Karin Lind" and case["patient"]["personnummer"] == PNR
    assert case["reporter"] == {"role": "relative", "name": "Eva Lind", "email": "eva@example.se",
                                "phone": "0701234567", "preferred_contact": "phone",
                                "verified": False, "verified_at": None}  # no e-ID in this conversation
    assert case["reporter_category"] == "omvardnad" and case["patient_consent"] == "yes"
    assert case["care_unit"]["hsa_id"] == "SE2321000207-E2100" and case["channel"] == "chat"
    assert case["desired_outcome"] == "En förklaring" and case["reply_wanted"] is True
    assert case["recipient_organisation"]["kind"] == "care_provider"
    r = __import__("httpx").get(f"{backend.url}/api/v1/officer/cases?per_page=100",
                                headers={"Authorization": f"Bearer {token}"})
    assert sum(1 for i in r.json()["items"] if i["reference"] == ref) == 1


async def test_submit_backend_down_keeps_everything(backend, domain):
    from tests.conftest_servers import free_port
    backend_client.set_client(BackendClient(f"http://127.0.0.1:{free_port()}", "x", timeout=1, retries=1, backoff=0.05))
    slots = full_slots(idempotency_key=None)
    msgs, events = await run_action(actions.ActionSubmitComplaint(), make_tracker(slots, loop=None), domain)
    s = slots_of(events)
    assert msgs[0]["text"] == texts.SUBMIT_FAILED
    assert msgs[0]["buttons"][0]["payload"] == "/retry_submit"
    assert s["idempotency_key"] and s["submit_failed"] is True and "description" not in s


async def test_status_check_counter_question_and_reply(backend, domain):
    slots = full_slots(idempotency_key=str(uuid.uuid4()))
    msgs, events = await run_action(actions.ActionSubmitComplaint(), make_tracker(slots, loop=None), domain)
    ref, code = slots_of(events)["case_reference"], code_in(msgs[0]["text"])
    token = backend.officer_token()
    backend.officer_action(ref, "take", {}, token)
    backend.officer_action(ref, "counter-question", {"body": "Vilken tid på dygnet var det?"}, token)
    st = {"case_reference": ref, "access_code": code}
    msgs, events = await run_action(actions.ActionCheckStatus(), make_tracker(st, loop=None), domain)
    text = "\n".join(m["text"] for m in msgs)
    assert ref in text and "Väntar på svar från dig" in text and "Vilken tid på dygnet var det?" in text
    assert slots_of(events)["awaiting_reply"] is True
    assert slots_of(events)["access_code"] is None and slots_of(events)["handed_over_at"]
    # the reply comes in the next turn: the code was held in the action server's memory, not in a slot
    msgs, events = await run_action(actions.ActionSendReply(),
                                    make_tracker({"case_reference": ref, "reply_text": "Det var mitt i natten."},
                                                 loop=None), domain)
    assert msgs[0]["text"] == texts.REPLY_SENT.format(reference=ref)
    assert slots_of(events)["access_code"] is None and slots_of(events)["handed_over_at"]
    # held once: a second reply needs the code again
    msgs, _ = await run_action(actions.ActionSendReply(),
                               make_tracker({"case_reference": ref, "reply_text": "En sak till."}, loop=None), domain)
    assert msgs[0]["text"].startswith("Jag har inte kvar koden")
    case = backend.officer_case(ref, token)
    assert case["status"] == "in_progress"
    assert any(m["body"] == "Det var mitt i natten." and m["author"] == "reporter" for m in case["thread"])


async def test_status_wrong_code(backend, domain):
    msgs, events = await run_action(actions.ActionCheckStatus(),
                                    make_tracker({"case_reference": "KG-2026-999999", "access_code": "AAAA-BBBB-CCCC"},
                                                 loop=None), domain)
    assert msgs[0]["text"] == texts.STATUS_NOT_FOUND and slots_of(events)["access_code"] is None


async def test_status_form_reads_reference_and_code(backend, domain):
    v = followup_forms.ValidateStatusForm()
    tracker = make_tracker({}, text="hur går det med mitt ärende KG-2026-000123?", intent="check_status",
                           requested=None, loop="status_form")
    _, events = await run_action(v, tracker, domain)
    assert slots_of(events)["case_reference"] == "KG-2026-000123"
    tracker = make_tracker({"case_reference": "KG-2026-000123"}, text="koden är abcd-efgh-jkmn",
                           requested="access_code", loop="status_form")
    _, events = await run_action(v, tracker, domain)
    assert slots_of(events)["access_code"] == "ABCD-EFGH-JKMN"


async def test_cancel_and_fallback_are_swedish(backend, domain):
    msgs, events = await run_action(actions.ActionCancel(), make_tracker(full_slots()), domain)
    assert msgs[0]["text"] == texts.CANCELLED.format(within="inom en minut")
    assert slots_of(events)["handed_over_at"]
    assert slots_of(events)["description"] is None
    tracker = make_tracker({}, text="blorg", intent="nlu_fallback", loop=None,
                           extra_parse={"intent_ranking": [{"name": "nlu_fallback", "confidence": 0.4},
                                                           {"name": "ask_ivo", "confidence": 0.3}]})
    msgs, _ = await run_action(actions.ActionAskAffirmation(), tracker, domain)
    assert msgs[0]["buttons"][0] == {"title": "Anmäla till IVO", "payload": "/ask_ivo"}
    assert msgs[0]["buttons"][-1]["payload"] == "/out_of_scope"


def test_today_follows_the_swedish_calendar_not_the_servers():
    """At 00:30 in Sweden a UTC server still says yesterday; "idag" and "never in the future" use Sweden."""
    from bot.actions import dates
    summer_night = dt.datetime(2026, 6, 30, 22, 30, tzinfo=dt.timezone.utc)   # 00:30 on 1 July in Sweden
    winter_night = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.timezone.utc)  # 00:30 on 1 January
    assert dates.swedish_today(summer_night) == dt.date(2026, 7, 1)
    assert dates.swedish_today(winter_night) == dt.date(2027, 1, 1)
    assert dates.swedish_today(dt.datetime(2026, 6, 30, 21, 59, tzinfo=dt.timezone.utc)) == dt.date(2026, 6, 30)
    assert dates.parse_event_date("idag", today=dates.swedish_today(summer_night)).date == dt.date(2026, 7, 1)
    assert dates.parse_event_date("igår kväll", today=dates.swedish_today(winter_night)).date == dt.date(2026, 12, 31)


async def test_name_and_personnummer_in_one_answer(backend, domain):
    """The question asks for both; "Anna Andersson 19121212-1212" fills both, nothing is asked twice."""
    _, s, _ = await validate(domain, {"reporter_role": "patient"}, "Anna Andersson 19121212-1212", "patient_name")
    assert s["patient_name"] == "Anna Andersson" and s["patient_personnummer"] == PNR
    _, s, _ = await validate(domain, {"reporter_role": "patient"}, "karin lind, 191212121212", "patient_name")
    assert s["patient_name"] == "Karin Lind" and s["patient_personnummer"] == PNR
    msgs, s, _ = await validate(domain, {"reporter_role": "patient"}, "Anna Andersson 19121212-1213", "patient_name")
    assert s["patient_name"] == "Anna Andersson" and "patient_personnummer" not in s
    assert any("kontrollsiffran" in (m or "") for m in msgs)  # the wrong number is explained, then asked again


async def test_personnummer_alone_then_the_name(backend, domain):
    _, s, _ = await validate(domain, {"reporter_role": "patient"}, "19121212-1212", "patient_name")
    assert s["patient_personnummer"] == PNR and s["patient_name"] is None and s["name_missing"] is True
    _, s, _ = await validate(domain, {"reporter_role": "patient", "patient_personnummer": PNR, "name_missing": True},
                             "Anna Andersson", "patient_name")
    assert s["patient_name"] == "Anna Andersson" and s["name_missing"] is None
