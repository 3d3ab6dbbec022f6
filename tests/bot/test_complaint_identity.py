"""e-ID in the chat at the point of need (bot/actions/complaint_identity.py): the offer before the patient
details only when e-ID is configured, and the widget's ticket exchanged with a REAL backend that has e-ID
against the real OpenID provider (tests/oidc), so that the verified name and personnummer are not asked."""
from __future__ import annotations

import logging
import uuid

import httpx
import pytest

from bot.actions import actions, backend_client
from bot.actions.backend_client import BackendClient
from bot.actions.complaint_form import ValidateComplaintForm
from bot.actions.complaint_identity import (ASK_OTHER, ASK_SELF, LOGIN_PATH, TICKET_INVALID,
                                            eid_configured)
from bot.actions.identity import METADATA_KEY
from bot.actions.questions import AskIdentityChoice
from tests.backend.oidc_harness import ANNA_PNR, CHILD_PNR, start_provider
from tests.bot.conftest import make_tracker, run_action, slots_of
from tests.bot.test_actions import full_slots
from tests.conftest_servers import SERVICE_TOKEN
from tests.eid_servers import chat_ticket, eid_backend, oidc_env

VALIDATE = ValidateComplaintForm()


@pytest.fixture(scope="module")
def provider():
    p = start_provider()
    yield p
    p.stop()


@pytest.fixture(scope="module")
def eid_server(provider, tmp_path_factory):
    srv = eid_backend(tmp_path_factory.mktemp("eid-backend"), provider)
    yield srv
    srv.stop()


@pytest.fixture
def eid_on(monkeypatch, provider):
    for k, v in oidc_env(provider).items():
        monkeypatch.setenv(k, v)


@pytest.fixture
async def eid_backend_client(eid_server, eid_on):
    backend_client.clear_cache()
    backend_client.set_client(BackendClient(eid_server.url, SERVICE_TOKEN, timeout=5, retries=1, backoff=0.1))
    yield eid_server
    backend_client.set_client(None)
    await backend_client.close_sessions()


def before_details(role="patient", **over):
    """A complaint with everything up to the patient details answered."""
    s = full_slots(reporter_role=role, patient_name=None, patient_personnummer=None, reporter_name=None,
                   contact_info=None, contact_email=None, contact_phone=None, preferred_contact=None,
                   summary_confirmed=None, personal_data_consent=None)
    if role != "relative":
        s["patient_consent"] = "not_needed"
    s.update(over)
    return s


def with_ticket(slots, ticket, requested="identity_choice"):
    tracker = make_tracker(slots, text="/inform", intent="inform", requested=requested)
    next(e for e in tracker.events if e["event"] == "user")["metadata"] = {"channel": "web-widget",
                                                                           METADATA_KEY: ticket}
    return tracker


async def required(slots):
    return await VALIDATE.required_slots([], None, make_tracker(slots), {})


async def test_without_configuration_nothing_is_offered(monkeypatch):
    for k in ("KG_OIDC_ISSUER", "KG_OIDC_CLIENT_ID"):
        monkeypatch.delenv(k, raising=False)
    assert not eid_configured()
    req = await required(before_details())
    assert "identity_choice" not in req
    assert req[req.index("recipient") + 1] == "patient_name"


async def test_with_configuration_the_log_in_is_offered_before_the_patient_details(eid_on, domain):
    assert eid_configured()
    req = await required(before_details())
    assert req[req.index("identity_choice") + 1] == "patient_name"
    msgs, _ = await run_action(AskIdentityChoice(), make_tracker(before_details()), domain)
    offer = msgs[0]["custom"]["data"]
    assert offer["kind"] == "eid" and offer["text"] == ASK_SELF and offer["login_path"] == LOGIN_PATH
    assert [(b["title"], b["payload"]) for b in offer["buttons"]] == [
        ("Logga in med e-legitimation", "/eid_login"), ("Fortsätt utan", "/skip")]
    msgs, _ = await run_action(AskIdentityChoice(), make_tracker(before_details("relative")), domain)
    assert msgs[0]["custom"]["data"]["text"] == ASK_OTHER
    # "Fortsätt utan": the questions are asked as today
    tracker = make_tracker(before_details(), text="/skip", intent="skip", requested="identity_choice")
    msgs, events = await run_action(VALIDATE, tracker, domain)
    s = slots_of(events)
    assert s["identity_choice"] == "skip" and s["requested_slot"] == "patient_name" and not msgs


async def test_the_ticket_gives_a_verified_patient_who_is_not_asked_for_name_or_number(
        eid_backend_client, domain, caplog):
    caplog.set_level(logging.DEBUG)
    ticket = await chat_ticket(eid_backend_client.url, "anna")
    msgs, events = await run_action(VALIDATE, with_ticket(before_details(), ticket), domain)
    s = slots_of(events)
    assert [m["text"] for m in msgs] == ["Tack, du är inloggad som Anna."]
    assert s["identity_choice"] == "verified" and s["identity_token"]
    assert s["patient_name"] == "Anna Andersson" and s["patient_personnummer"] == ANNA_PNR
    assert s["requested_slot"] == "contact_info"  # neither name nor personnummer is asked
    assert ANNA_PNR not in caplog.text and ANNA_PNR[2:8] not in caplog.text
    # the ticket is good once
    msgs, events = await run_action(VALIDATE, with_ticket(before_details(), ticket), domain)
    assert [m["text"] for m in msgs] == [TICKET_INVALID]
    assert slots_of(events)["requested_slot"] == "identity_choice"

    # the case is filed as verified, with the summary's number masked
    slots = full_slots(reporter_role="patient", patient_consent="not_needed", reporter_name=None,
                       idempotency_key=str(uuid.uuid4()), **{k: s[k] for k in (
                           "identity_choice", "identity_token", "patient_name", "patient_personnummer")})
    msgs, events = await run_action(actions.ActionSubmitComplaint(), make_tracker(slots, loop=None), domain)
    ref = slots_of(events)["case_reference"]
    srv = eid_backend_client
    case = srv.officer_case(ref, srv.officer_token())
    assert case["reporter"]["verified"] is True and case["reporter"]["name"] == "Anna Andersson"
    assert case["patient"]["personnummer"] == ANNA_PNR
    assert ANNA_PNR not in caplog.text


async def test_for_a_relative_the_reporter_is_verified_and_the_patient_still_asked(eid_backend_client, domain):
    ticket = await chat_ticket(eid_backend_client.url, "anna")
    msgs, events = await run_action(VALIDATE, with_ticket(before_details("relative"), ticket), domain)
    s = slots_of(events)
    assert s["reporter_name"] == "Anna Andersson" and s["identity_token"]
    assert "patient_personnummer" not in s and "patient_name" not in s
    assert s["requested_slot"] == "patient_name"
    assert [m["text"] for m in msgs] == ["Tack, du är inloggad som Anna."]


async def test_a_verified_guardian_is_told_when_the_childs_age_and_number_disagree(eid_backend_client, domain):
    ticket = await chat_ticket(eid_backend_client.url, "anna")
    _, events = await run_action(VALIDATE, with_ticket(before_details("guardian", child_age=3.0), ticket), domain)
    slots = {**before_details("guardian", child_age=3.0), **slots_of(events)}
    assert slots["reporter_name"] == "Anna Andersson" and slots["requested_slot"] == "patient_name"
    slots["patient_name"] = "Olle Andersson"
    # the child's number says eleven, not three: said once, and asked again
    tracker = make_tracker(slots, text=CHILD_PNR, requested="patient_personnummer")
    msgs, events = await run_action(VALIDATE, tracker, domain)
    s = slots_of(events)
    assert "enligt personnumret är barnet" in msgs[0]["text"] and "Du skrev att barnet är 3 år" in msgs[0]["text"]
    assert s["patient_personnummer"] is None and s["child_pnr_checked"] is True
    slots.update(s)
    msgs, events = await run_action(VALIDATE, make_tracker(slots, text=CHILD_PNR, requested="patient_personnummer"),
                                    domain)
    assert slots_of(events)["patient_personnummer"] == CHILD_PNR and not msgs  # the person knows best


async def test_an_unverified_guardian_is_not_checked(backend, domain, eid_on):
    slots = before_details("guardian", child_age=3.0, patient_name="Olle Andersson", identity_choice="skip")
    msgs, events = await run_action(VALIDATE, make_tracker(slots, text=CHILD_PNR, requested="patient_personnummer"),
                                    domain)
    assert slots_of(events)["patient_personnummer"] == CHILD_PNR and not msgs


def test_the_backend_log_has_no_personnummer(eid_server):
    assert ANNA_PNR not in eid_server.log.read_text()
    assert httpx.get(eid_server.url + "/health").status_code == 200


async def test_changing_what_e_id_filled_in_ends_the_verification(eid_on, domain):
    verified = full_slots(reporter_role="patient", patient_consent="not_needed", reporter_name=None,
                          patient_name="Anna Andersson", patient_personnummer=ANNA_PNR,
                          identity_choice="verified", identity_token="tok", summary_confirmed=None)

    async def change(slots, field):
        tracker = make_tracker(slots, text=f'/correct{{"field": "{field}"}}', intent="correct",
                               entities={"field": field}, requested="summary_confirmed")
        return slots_of((await run_action(VALIDATE, tracker, domain))[1])

    s = await change(verified, "patient_personnummer")
    assert s["identity_token"] is None and s["identity_choice"] is None
    assert s["requested_slot"] == "identity_choice"  # the log-in is offered again, before the number
    s = await change(verified, "contact_info")  # anything else keeps it
    assert "identity_token" not in s
    relative = {**verified, "reporter_role": "relative", "patient_consent": "yes", "reporter_name": "Anna Andersson",
                "patient_name": "Karin Lind", "patient_personnummer": "191212121212"}
    assert "identity_token" not in await change(relative, "patient_name")  # the patient was never verified
    assert (await change(relative, "reporter_name"))["identity_token"] is None


async def test_details_typed_instead_of_choosing_are_taken_as_the_answer(eid_on, domain):
    tracker = make_tracker(before_details(), text="Anna Andersson 19121212-1212", requested="identity_choice")
    msgs, events = await run_action(VALIDATE, tracker, domain)
    s = slots_of(events)
    assert s["identity_choice"] == "skip" and s["patient_name"] == "Anna Andersson"
    assert s["patient_personnummer"] == "191212121212" and s["requested_slot"] == "contact_info" and not msgs


async def test_a_ticket_without_configuration_answers_nothing(monkeypatch, domain):
    for k in ("KG_OIDC_ISSUER", "KG_OIDC_CLIENT_ID"):
        monkeypatch.delenv(k, raising=False)
    msgs, events = await run_action(VALIDATE, with_ticket(before_details(), "tkt", requested="patient_name"), domain)
    s = slots_of(events)
    assert "patient_name" not in s and "identity_choice" not in s and "identity_token" not in s and not msgs
