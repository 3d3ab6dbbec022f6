"""Notifications: a real SMTP server (aiosmtpd) on loopback; the mail says only that there is news."""
from __future__ import annotations

import email
from email import policy

import pytest
from kg_testkit import (DESCRIPTION, JH_HANDLER, JH_RECEIVER, PATIENT_NAME, PN_HANDLER, REGION_JH, REPORTER_EMAIL,
                        REPORTER_NAME, REPORTER_PHONE)

from conftest import free_port
from datetime import timedelta

from backend.swedish_time import local_date

ANSWER = "Vi har gått igenom journalen och pratat med sjuksköterskan Berit."


@pytest.fixture
async def mailed(make_kg, smtp_server):
    host, port, sink = smtp_server
    kg = await make_kg(smtp_host=host, smtp_port=port, mail_from="Klagomålsguiden <noreply@kg.test>")
    return kg, sink


async def settle(kg) -> None:
    await kg.app["notifier"].drain()


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)


def all_text(msg: email.message.EmailMessage) -> str:
    headers = "\n".join(f"{k}: {v}" for k, v in msg.items())
    return headers + "\n" + msg.get_content()


@pytest.mark.parametrize("action", ["answer", "counter-question", "partial-answer"])
async def test_the_reporter_gets_a_mail_without_case_content(mailed, action):
    kg, sink = mailed
    c = await kg.new_case()
    await kg.ok(JH_HANDLER, c["reference"], action, {"body": ANSWER})
    await settle(kg)
    assert len(sink.messages) == 1
    m = sink.messages[0]
    assert m["to"] == [REPORTER_EMAIL]
    msg = parse(m["data"])
    assert msg["To"] == REPORTER_EMAIL
    assert msg["Subject"] == "Det finns nytt i ditt ärende hos Klagomålsguiden"
    text = all_text(msg)
    assert "http://kg.test/arende" in text                       # where to read it
    assert "nytt meddelande" in msg.get_content()                # that there is news
    for secret in (ANSWER, "Berit", DESCRIPTION, "elva timmar", REPORTER_NAME, "Anna", PATIENT_NAME, "Karl",
                   "19121212", "121212-1212", REPORTER_PHONE, c["access_code"], c["access_code"].replace("-", ""),
                   "Akutmottagning", "Region Jämtland", "bemötande", "Bemötande"):
        assert secret not in text, f"the mail contains {secret!r}"


async def test_no_mail_for_internal_steps(mailed):
    kg, sink = mailed
    c = await kg.new_case(recipient="patient_board")
    ref = c["reference"]
    # an answer date far enough away that the statement deadline never moves it (test_a_moved_answer_date_is_mailed)
    await kg.update_case(ref, answer_due=local_date() + timedelta(days=120))
    for action, payload in [("take", {}), ("tags", {"tags": ["cancer"]}), ("categorise", {"subs": ["diagnos"]}),
                            ("request-statement", {"organisation_id": REGION_JH}), ("extend-statement", {})]:
        await kg.ok(PN_HANDLER, ref, action, payload)
    await kg.ok(JH_RECEIVER, ref, "statement", {"body": "Yttrande"})
    await kg.reporter_post(ref, c["access_code"], "Hej igen")
    await settle(kg)
    assert sink.messages == []
    await kg.ok(PN_HANDLER, ref, "answer", {"body": "Svar"})
    await kg.ok(PN_HANDLER, ref, "close")
    await settle(kg)
    assert len(sink.messages) == 1        # the answer, not the close


async def test_one_mail_per_message(mailed):
    kg, sink = mailed
    c = await kg.new_case()
    await kg.ok(JH_HANDLER, c["reference"], "counter-question", {"body": "Fråga 1"})
    await kg.reporter_post(c["reference"], c["access_code"], "Svar 1")
    await kg.ok(JH_HANDLER, c["reference"], "answer", {"body": "Svar"})
    await settle(kg)
    assert len(sink.messages) == 2


async def test_no_mail_without_an_e_mail_address(mailed):
    kg, sink = mailed
    c = await kg.new_case(reporter={"email": None, "preferred_contact": "phone"})
    await kg.ok(JH_HANDLER, c["reference"], "answer", {"body": ANSWER})
    await settle(kg)
    assert sink.messages == []


async def test_a_refused_action_sends_nothing(mailed):
    kg, sink = mailed
    c = await kg.new_case()
    assert (await kg.act(JH_RECEIVER, c["reference"], "answer", {"body": ANSWER})).status == 403
    await settle(kg)
    assert sink.messages == []


async def test_mail_failure_never_breaks_the_case_action(make_kg):
    kg = await make_kg(smtp_host="127.0.0.1", smtp_port=free_port())   # nothing listens there
    c = await kg.new_case()
    case = await kg.ok(JH_HANDLER, c["reference"], "answer", {"body": ANSWER})
    assert case["status"] == "answered"
    await settle(kg)
    assert kg.app["notifier"].sent == 0
    assert (await kg.case_row(c["reference"])).status == "answered"


async def test_without_smtp_the_mail_goes_to_the_log(kg, caplog):
    import logging
    caplog.set_level(logging.INFO, logger="backend.services.notify")
    c = await kg.new_case()
    await kg.ok(JH_HANDLER, c["reference"], "answer", {"body": ANSWER})
    await settle(kg)
    assert kg.app["notifier"].sent == 1
    logged = "\n".join(r.getMessage() for r in caplog.records)
    # which mail, masked: the reference and a hint of the address, never the address or any content
    assert c["reference"] in logged and "a***@example.se" in logged
    assert "anna.andersson" not in logged
    assert ANSWER not in logged and DESCRIPTION not in logged


async def test_no_mail_to_someone_who_does_not_want_to_be_contacted(mailed):
    """preferred_contact "none" ("Vill inte bli kontaktad"): the answer is on the page, but no e-mail."""
    kg, sink = mailed
    c = await kg.new_case(reporter={"preferred_contact": "none"}, reply_wanted=False)
    await kg.ok(JH_HANDLER, c["reference"], "answer", {"body": ANSWER})
    await settle(kg)
    assert sink.messages == []
    assert (await kg.reporter_view(c["reference"], c["access_code"]))["thread"][0]["body"] == ANSWER


async def test_phone_preference_still_gets_the_news_by_mail(mailed):
    kg, sink = mailed
    c = await kg.new_case(reporter={"preferred_contact": "phone"})
    await kg.ok(JH_HANDLER, c["reference"], "counter-question", {"body": "Fråga"})
    await settle(kg)
    assert len(sink.messages) == 1


async def test_a_moved_answer_date_is_mailed(mailed):
    """A new answer date reaches the reporter as a delsvar, and so as a mail: moved by the officer, or by a
    statement deadline past the answer date."""
    kg, sink = mailed
    c = await kg.new_case(recipient="patient_board")
    await kg.ok(PN_HANDLER, c["reference"], "request-statement", {"organisation_id": REGION_JH})  # 4 + 2 weeks
    await settle(kg)
    assert len(sink.messages) == 1
    await kg.ok(PN_HANDLER, c["reference"], "move-answer-date",
                {"answer_due": (local_date() + timedelta(days=80)).isoformat(), "reason": "Vi väntar på journalen."})
    await settle(kg)
    assert len(sink.messages) == 2
    assert "journalen" not in all_text(parse(sink.messages[1]["data"]))  # never the content
