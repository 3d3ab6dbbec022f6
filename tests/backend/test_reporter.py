"""The reporter: reference + access code, no existence leak, rate limiting, replies, reopening."""
from __future__ import annotations

from datetime import timedelta

import pytest
from kg_testkit import JH_HANDLER, SERVICE_TOKEN, error_of

from backend.models import CaseEvent, Message
from backend.swedish_time import utcnow


async def test_read_status_and_thread(kg):
    c = await kg.new_case()
    view = await kg.reporter_view(c["reference"], c["access_code"])
    assert view["reference"] == c["reference"]
    assert view["status"] == "received" and view["status_label"] == "Mottaget"
    assert view["answer_due"] == c["answer_due"]
    assert view["statement_due"] is None and view["closed_at"] is None
    assert view["recipient_organisation"] == {"name": "Region Jämtland Härjedalen"}
    assert view["care_unit"] == {"name": "Akutmottagning Östersunds sjukhus"}
    assert view["awaiting_reply"] is False
    assert view["thread"] == []
    # the reporter's view carries no officer-only data
    for hidden in ("patient", "events", "audit", "officer_categories", "reporter"):
        assert hidden not in view


async def test_the_answer_shows_up_in_the_thread(kg):
    c = await kg.new_case()
    await kg.ok(JH_HANDLER, c["reference"], "categorise", {"subs": ["bemotande"]})
    await kg.ok(JH_HANDLER, c["reference"], "answer", {"body": "Vi beklagar väntan."})
    view = await kg.reporter_view(c["reference"], c["access_code"])
    assert view["status"] == "answered"
    assert [(m["kind"], m["author"], m["body"]) for m in view["thread"]] == [
        ("answer", "officer", "Vi beklagar väntan.")]
    assert view["thread"][0]["kind_label"]


def client(n: int) -> dict[str, str]:
    """The assistant's headers for one chat session (its own rate-limit bucket)."""
    return {"Authorization": f"Bearer {SERVICE_TOKEN}", "X-Client-Id": f"chat-session-{n}"}


async def test_wrong_code_is_indistinguishable_from_unknown_reference(kg):
    c = await kg.new_case()
    wrong = await kg.reporter_get(c["reference"], "AAAA-BBBB-CCCC", **client(1))
    unknown = await kg.reporter_get("KG-2026-999999", c["access_code"], **client(2))
    garbage = await kg.reporter_get("nonsense", "AAAA-BBBB-CCCC", **client(3))
    no_code = await kg.client.get(f"/api/v1/reporter/cases/{c['reference']}", headers=client(4))
    responses = (wrong, unknown, garbage, no_code)
    bodies = [await r.json() for r in responses]
    assert [r.status for r in responses] == [404] * 4
    assert bodies[0] == bodies[1] == bodies[2] == bodies[3]
    assert bodies[0]["error"]["code"] == "not_found"
    assert {tuple(sorted(k for k in r.headers if k.lower() not in ("date", "content-length")))
            for r in responses} == {tuple(sorted(k for k in wrong.headers if k.lower() not in ("date", "content-length")))}
    # the same for posting
    p1 = await kg.client.post(f"/api/v1/reporter/cases/{c['reference']}/messages", json={"body": "hej"},
                              headers={"X-Access-Code": "AAAA-BBBB-CCCC", **client(5)})
    p2 = await kg.client.post("/api/v1/reporter/cases/KG-2026-999999/messages", json={"body": "hej"},
                              headers={"X-Access-Code": "AAAA-BBBB-CCCC", **client(6)})
    assert p1.status == p2.status == 404
    assert await p1.json() == await p2.json() == bodies[0]
    assert await kg.count(Message) == 0


async def test_failed_codes_are_rate_limited_per_reference(kg):
    c = await kg.new_case()
    for i in range(5):
        r = await kg.reporter_get(c["reference"], f"WRNG-CODE-{i:04d}", **{"Authorization": f"Bearer {SERVICE_TOKEN}",
                                                                          "X-Client-Id": f"client-{i}"})
        assert r.status == 404
    # now even the right code is refused for a while, from any client
    r = await kg.reporter_get(c["reference"], c["access_code"], **{"Authorization": f"Bearer {SERVICE_TOKEN}",
                                                                   "X-Client-Id": "someone-else"})
    assert r.status == 429
    err = await error_of(r)
    assert err["code"] == "too_many_attempts"
    assert int(r.headers["Retry-After"]) > 0
    # … and an unknown reference is limited the same way (no existence leak through the limiter either)
    for i in range(5):
        assert (await kg.reporter_get("KG-2026-999999", f"WRNG-CODE-{i:04d}",
                                      **{"Authorization": f"Bearer {SERVICE_TOKEN}",
                                         "X-Client-Id": f"other-{i}"})).status == 404
    assert (await kg.reporter_get("KG-2026-999999", "x", **{"Authorization": f"Bearer {SERVICE_TOKEN}",
                                                            "X-Client-Id": "late"})).status == 429


async def test_failed_codes_are_rate_limited_per_client(kg):
    cases = [await kg.new_case() for _ in range(6)]
    headers = {"Authorization": f"Bearer {SERVICE_TOKEN}", "X-Client-Id": "bot-session-1"}
    for c in cases[:5]:
        assert (await kg.reporter_get(c["reference"], "WRNG-WRNG-WRNG", **headers)).status == 404
    r = await kg.reporter_get(cases[5]["reference"], cases[5]["access_code"], **headers)
    assert r.status == 429
    # another client (and the reference itself, with one failure at most) is unaffected
    ok = await kg.reporter_get(cases[5]["reference"], cases[5]["access_code"],
                               **{"Authorization": f"Bearer {SERVICE_TOKEN}", "X-Client-Id": "bot-session-2"})
    assert ok.status == 200


async def test_x_client_id_is_only_trusted_with_the_service_token(kg):
    """Without the service token a client cannot dodge the per-IP limit by inventing client ids."""
    cases = [await kg.new_case() for _ in range(6)]
    for i, c in enumerate(cases[:5]):
        assert (await kg.reporter_get(c["reference"], "WRNG-WRNG-WRNG", **{"X-Client-Id": f"fake-{i}"})).status == 404
    r = await kg.reporter_get(cases[5]["reference"], cases[5]["access_code"], **{"X-Client-Id": "fake-new"})
    assert r.status == 429


async def test_right_code_does_not_count_as_failure(kg):
    c = await kg.new_case()
    for _ in range(12):
        assert (await kg.reporter_get(c["reference"], c["access_code"])).status == 200


# --- replies --------------------------------------------------------------------------------------------

async def test_reply_to_a_counter_question_moves_the_status_back(kg):
    c = await kg.new_case()
    ref, code = c["reference"], c["access_code"]
    case = await kg.ok(JH_HANDLER, ref, "counter-question", {"body": "Vilken dag var det?"})
    assert case["status"] == "waiting_for_reporter"
    view = await kg.reporter_view(ref, code)
    assert view["awaiting_reply"] is True
    assert view["status_label"] == "Väntar på svar från dig"
    r = await kg.reporter_post(ref, code, "Det var i tisdags kväll.")
    assert r.status == 201
    msg = await r.json()
    assert msg["kind"] == "reporter_message" and msg["author"] == "reporter"
    assert msg["body"] == "Det var i tisdags kväll."
    view = await kg.reporter_view(ref, code)
    assert view["status"] == "in_progress" and view["awaiting_reply"] is False
    assert [m["kind"] for m in view["thread"]] == ["counter_question", "reporter_message"]
    row = await kg.case_row(ref)
    events = await kg.rows(CaseEvent, CaseEvent.case_id == row.id, CaseEvent.kind == "status_changed")
    assert events[-1].data == {"from": "waiting_for_reporter", "to": "in_progress", "reason": "reporter_replied"}


async def test_message_on_an_open_case_keeps_the_status(kg):
    c = await kg.new_case()
    r = await kg.reporter_post(c["reference"], c["access_code"], "Jag glömde säga att det var på natten.")
    assert r.status == 201
    assert (await kg.case_row(c["reference"])).status == "received"


async def _answered(kg, close: bool):
    c = await kg.new_case()
    await kg.ok(JH_HANDLER, c["reference"], "categorise", {"subs": ["vantetider"]})
    await kg.ok(JH_HANDLER, c["reference"], "answer", {"body": "Svar"})
    if close:
        await kg.ok(JH_HANDLER, c["reference"], "close")
    return c


@pytest.mark.parametrize("close", [False, True], ids=["answered", "closed"])
async def test_message_within_the_reopen_period_reopens(kg, close):
    c = await _answered(kg, close)
    at = "closed_at" if close else "answered_at"
    await kg.update_case(c["reference"], **{at: utcnow() - timedelta(days=29)})
    r = await kg.reporter_post(c["reference"], c["access_code"], "Jag är inte nöjd med svaret.")
    assert r.status == 201
    row = await kg.case_row(c["reference"])
    assert row.status == "in_progress"
    assert row.closed_at is None
    events = await kg.rows(CaseEvent, CaseEvent.case_id == row.id, CaseEvent.kind == "status_changed")
    assert events[-1].data["reason"] == "reopened_by_reporter"


@pytest.mark.parametrize("close", [False, True], ids=["answered", "closed"])
async def test_message_after_the_reopen_period_is_refused(kg, close):
    c = await _answered(kg, close)
    at = "closed_at" if close else "answered_at"
    await kg.update_case(c["reference"], **{at: utcnow() - timedelta(days=31)})
    before = await kg.count(Message)
    r = await kg.reporter_post(c["reference"], c["access_code"], "Hallå?")
    assert r.status == 409
    err = await error_of(r)
    assert err["code"] == "conflict" and "30 dagar" in err["message"]
    row = await kg.case_row(c["reference"])
    assert row.status == ("closed" if close else "answered")
    assert await kg.count(Message) == before


async def test_reopen_period_is_configurable(make_kg):
    kg = await make_kg(reopen_days=3)
    c = await _answered(kg, close=True)
    await kg.update_case(c["reference"], closed_at=utcnow() - timedelta(days=4))
    assert (await kg.reporter_post(c["reference"], c["access_code"])).status == 409
    await kg.update_case(c["reference"], closed_at=utcnow() - timedelta(days=2))
    assert (await kg.reporter_post(c["reference"], c["access_code"])).status == 201


@pytest.mark.parametrize("payload,field", [({}, "body"), ({"body": ""}, "body"), ({"body": "x" * 10_001}, "body"),
                                           ({"body": "hej", "urgent": True}, "urgent")])
async def test_bad_reporter_messages(kg, payload, field):
    c = await kg.new_case()
    r = await kg.client.post(f"/api/v1/reporter/cases/{c['reference']}/messages", json=payload,
                             headers={"X-Access-Code": c["access_code"]})
    assert r.status == 422
    assert field in (await error_of(r))["fields"]
    assert await kg.count(Message) == 0


async def test_reporter_does_not_see_statements(kg):
    """A statement (yttrande) from the care provider is for the patient board, not the reporter."""
    c = await kg.new_case(recipient="patient_board")
    ref = c["reference"]
    await kg.ok("handlaggare@pn.jamtland.example", ref, "request-statement", {"organisation_id": "SE2321000207"})
    await kg.ok(JH_HANDLER, ref, "statement", {"body": "Vårdgivarens yttrande: personalen var stressad."})
    view = await kg.reporter_view(ref, c["access_code"])
    assert all(m["kind"] != "statement" for m in view["thread"])
    assert "personalen var stressad" not in str(view)
