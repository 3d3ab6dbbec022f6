"""Deadlines that mean what they say: a case waiting for a statement is late only when the statement is; the
answer date follows the statement deadline and the reporter is told of every new date in a delsvar; an
officer moves the answer date with a reason; the organisation asked takes the extension itself."""
from __future__ import annotations

from datetime import date, timedelta

from kg_testkit import JH_HANDLER, JH_RECEIVER, PN_HANDLER, PN_RECEIVER, REGION_JH, error_of

from backend.i18n import fmt_date, locale_as
from backend.models import AuditEntry, CaseEvent, Message
from backend.swedish_time import local_date

TODAY = local_date()


def swedish_date(d: date) -> str:
    with locale_as("sv"):
        return fmt_date(d)


async def board_case_with_statement(kg, **payload):
    c = await kg.new_case(recipient="patient_board")
    case = await kg.ok(PN_HANDLER, c["reference"], "request-statement", {"organisation_id": REGION_JH, **payload})
    return c, case


async def overdue_refs(kg, email: str, overdue: str) -> set[str]:
    return {i["reference"] for i in (await kg.list_cases(email, overdue=overdue, per_page=100))["items"]}


async def test_waiting_for_a_statement_is_late_only_when_the_statement_is(kg):
    c, _case = await board_case_with_statement(kg)
    ref = c["reference"]
    # the answer date has passed, but the statement is not due yet: the case waits as it should
    await kg.update_case(ref, answer_due=TODAY - timedelta(days=3), statement_due=TODAY + timedelta(days=2))
    assert (await (await kg.officer_get(PN_HANDLER, ref)).json())["overdue"] is False
    assert ref not in await overdue_refs(kg, PN_HANDLER, "true")
    assert ref in await overdue_refs(kg, PN_HANDLER, "false")
    # the statement is late: so is the case, whatever the answer date
    await kg.update_case(ref, answer_due=TODAY + timedelta(days=30), statement_due=TODAY - timedelta(days=1))
    assert (await (await kg.officer_get(PN_HANDLER, ref)).json())["overdue"] is True
    assert ref in await overdue_refs(kg, PN_HANDLER, "true")
    assert ref not in await overdue_refs(kg, PN_HANDLER, "false")
    # once the statement has come, the answer date counts again
    await kg.update_case(ref, answer_due=TODAY - timedelta(days=1))
    await kg.ok(JH_RECEIVER, ref, "statement", {"body": "Vårt yttrande."})
    assert (await (await kg.officer_get(PN_HANDLER, ref)).json())["overdue"] is True
    assert ref in await overdue_refs(kg, PN_HANDLER, "true")


async def test_requesting_a_statement_moves_the_answer_date_and_tells_the_reporter(kg):
    c, case = await board_case_with_statement(kg, body="Beskriv besöket.")
    statement_due = date.fromisoformat(case["statement_due"])
    expected = statement_due + timedelta(days=14)
    assert case["answer_due"] == expected.isoformat()
    moved = [e for e in case["events"] if e["kind"] == "answer_date_moved"]
    assert [e["data"]["cause"] for e in moved] == ["statement_requested"]
    assert moved[0]["data"]["from"] == c["answer_due"] and moved[0]["data"]["to"] == expected.isoformat()
    view = await kg.reporter_view(c["reference"], c["access_code"])
    assert view["answer_due"] == expected.isoformat() and date.fromisoformat(view["answer_due"]) > TODAY
    [delsvar] = view["thread"]
    assert delsvar["kind"] == "partial_answer"
    assert "yttrande" in delsvar["body"] and swedish_date(expected) in delsvar["body"]
    assert "Beskriv besöket." not in str(view)


async def test_a_short_statement_deadline_leaves_the_answer_date(kg):
    c, case = await board_case_with_statement(kg, weeks=1)
    assert case["answer_due"] == c["answer_due"]          # 1 week + 14 days is before the four weeks
    assert [m["kind"] for m in case["thread"]] == []
    assert not [e for e in case["events"] if e["kind"] == "answer_date_moved"]


async def test_an_officer_moves_the_answer_date_with_a_reason(kg):
    c = await kg.new_case()
    ref = c["reference"]
    new = TODAY + timedelta(days=45)
    reason = "Vi väntar på journalen från en annan mottagning."
    case = await kg.ok(JH_HANDLER, ref, "move-answer-date", {"answer_due": new.isoformat(), "reason": reason})
    assert case["answer_due"] == new.isoformat()
    ev = [e for e in case["events"] if e["kind"] == "answer_date_moved"][0]
    assert ev["data"] == {"from": c["answer_due"], "to": new.isoformat(), "cause": "officer", "reason": reason}
    assert ev["officer_id"] is not None
    view = await kg.reporter_view(ref, c["access_code"])
    [delsvar] = view["thread"]
    assert delsvar["kind"] == "partial_answer"
    assert delsvar["body"] == (f"Vi behöver mer tid för att besvara ditt ärende. Du får svar senast "
                               f"{swedish_date(new)}.\n\n{reason}")
    assert view["answer_due"] == new.isoformat()
    assert [a.action for a in await kg.rows(AuditEntry, AuditEntry.case_reference == ref)].count("move_answer_date") == 1


async def test_the_delsvar_is_swedish_whatever_the_officers_language(kg):
    c = await kg.new_case()
    new = TODAY + timedelta(days=40)
    r = await kg.client.post(f"/api/v1/officer/cases/{c['reference']}/move-answer-date",
                             json={"answer_due": new.isoformat(), "reason": "Journalen saknas."},
                             headers={**kg.auth(JH_HANDLER), "Accept-Language": "en"})
    assert r.status == 200, await r.text()
    body = (await kg.reporter_view(c["reference"], c["access_code"]))["thread"][0]["body"]
    assert body.startswith("Vi behöver mer tid") and swedish_date(new) in body


async def test_moving_the_answer_date_needs_a_future_date_and_a_reason(kg):
    c = await kg.new_case()
    ref = c["reference"]
    cases = [({"answer_due": TODAY.isoformat(), "reason": "x"}, "answer_due"),
             ({"answer_due": c["answer_due"], "reason": "x"}, "answer_due"),
             ({"answer_due": (TODAY + timedelta(days=50)).isoformat(), "reason": ""}, "reason"),
             ({"answer_due": "i morgon", "reason": "x"}, "answer_due")]
    for payload, field in cases:
        r = await kg.act(JH_HANDLER, ref, "move-answer-date", payload)
        assert r.status == 422, payload
        assert field in (await error_of(r))["fields"], payload
    row = await kg.case_row(ref)
    assert row.answer_due.isoformat() == c["answer_due"]
    assert await kg.rows(Message, Message.case_id == row.id) == []       # nothing half-done
    # a receiver may not; an answered case has no answer date to move
    r = await kg.act(JH_RECEIVER, ref, "move-answer-date", {"answer_due": "2099-01-01", "reason": "x"})
    assert r.status == 403
    await kg.ok(JH_HANDLER, ref, "answer", {"body": "Svar."})
    r = await kg.act(JH_HANDLER, ref, "move-answer-date", {"answer_due": "2099-01-01", "reason": "x"})
    assert r.status == 409


async def test_the_statement_organisation_takes_the_extension_once(kg):
    c, case = await board_case_with_statement(kg)
    ref = c["reference"]
    due = date.fromisoformat(case["statement_due"])
    # the recipient may not take it for them; the statement organisation's receiver may
    assert (await kg.act(PN_HANDLER, ref, "request-extension")).status == 403
    view = await (await kg.officer_get(JH_RECEIVER, ref)).json()
    assert "request-extension" in view["allowed_actions"]
    case = await kg.ok(JH_RECEIVER, ref, "request-extension")
    assert case["statement_due"] == (due + timedelta(weeks=2)).isoformat()
    assert case["statement_extended"] is True
    assert case["statement_extended_by"]["name"]
    assert case["statement_extended_at"]
    ev = [e for e in case["events"] if e["kind"] == "statement_extended"][0]
    assert ev["data"]["organisation_id"] == REGION_JH and ev["officer_id"] == case["statement_extended_by"]["id"]
    row = await kg.case_row(ref)
    assert row.statement_extended_by_officer_id == ev["officer_id"] and row.statement_extended_at is not None
    # the answer date follows, and the reporter is told
    assert case["answer_due"] == (due + timedelta(weeks=2, days=14)).isoformat()
    causes = [e["data"]["cause"] for e in case["events"] if e["kind"] == "answer_date_moved"]
    assert causes == ["statement_requested", "statement_extended"]
    view = await kg.reporter_view(ref, c["access_code"])
    assert [m["kind"] for m in view["thread"]] == ["partial_answer", "partial_answer"]
    # once only, by either side
    r = await kg.act(JH_RECEIVER, ref, "request-extension")
    assert r.status == 409 and "redan förlängts" in (await error_of(r))["message"]
    assert (await kg.act(PN_HANDLER, ref, "extend-statement")).status == 409


async def test_no_extension_once_the_statement_deadline_has_passed(kg):
    c, _case = await board_case_with_statement(kg)
    await kg.update_case(c["reference"], statement_due=TODAY - timedelta(days=1))
    r = await kg.act(JH_HANDLER, c["reference"], "request-extension")
    assert r.status == 409 and "gått ut" in (await error_of(r))["message"]
    assert (await kg.case_row(c["reference"])).statement_extended is False


async def test_the_pages_offer_the_new_date_and_the_extension(kg):
    c, _case = await board_case_with_statement(kg)
    ref = c["reference"]
    jh = kg.logged_in(JH_RECEIVER)
    html = await (await jh.get(f"/officer/arenden/{ref}")).text()
    assert f"/officer/arenden/{ref}/request-extension" in html
    assert f"/officer/arenden/{ref}/move-answer-date" not in html
    r = await jh.post(f"/officer/arenden/{ref}/request-extension",
                      {"csrf_token": await jh.csrf(f"/officer/arenden/{ref}")})
    assert r.status == 303
    html = await (await jh.get(r.headers["Location"])).text()
    assert "Ni har fått längre tid för yttrandet." in html
    assert f"/officer/arenden/{ref}/request-extension" not in html

    pn = kg.logged_in(PN_HANDLER)
    page = f"/officer/arenden/{ref}"
    assert f"{page}/move-answer-date" in await (await pn.get(page)).text()
    assert f"{page}/move-answer-date" not in await (await kg.logged_in(PN_RECEIVER).get(page)).text()
    r = await pn.post(f"{page}/move-answer-date", {"csrf_token": await pn.csrf(page), "answer_due": "2000-01-01",
                                                   "reason": "Journalen saknas."})
    assert r.status == 422
    html = await r.text()
    assert "Välj ett datum efter i dag." in html and "Journalen saknas." in html   # the form keeps what was typed
    new = TODAY + timedelta(days=70)
    r = await pn.post(f"{page}/move-answer-date", {"csrf_token": await pn.csrf(page), "answer_due": new.isoformat(),
                                                   "reason": "Journalen saknas."})
    assert r.status == 303
    assert (await kg.case_row(ref)).answer_due == new
    html = await (await pn.get(r.headers["Location"])).text()
    assert "Svarsdatumet är ändrat." in html and "Svarsdatum ändrat" in html
