"""Who handles a case ("Ta ärendet", assigning a colleague, the list's "mina ärenden" and "ej tilldelade"), and
internal notes that only the writer's organisation ever sees."""
from __future__ import annotations

from kg_testkit import (JH_ADMIN, JH_HANDLER, JH_RECEIVER, PN_HANDLER, PN_RECEIVER, PN_UPPSALA_HANDLER, REGION_JH,
                        REGION_UPPSALA, error_of)

from backend.models import AuditEntry, CaseEvent, Officer, WebhookEvent

NOTE = "Anmälaren har ringt två gånger. Ring tillbaka efter lunch."


async def officer_id(kg, email: str) -> int:
    return (await (await kg.client.get("/api/v1/officer/me", headers=kg.auth(email))).json())["id"]


async def listed(kg, email: str, **params) -> dict[str, dict]:
    return {i["reference"]: i for i in (await kg.list_cases(email, per_page=100, **params))["items"]}


async def test_take_makes_the_case_mine_and_the_list_shows_it(kg):
    mine, other = (await kg.new_case())["reference"], (await kg.new_case())["reference"]
    me = await officer_id(kg, JH_HANDLER)
    case = await kg.ok(JH_HANDLER, mine, "take")
    assert case["status"] == "in_progress"
    assert case["assigned_officer"]["id"] == me and case["assigned_officer"]["name"]
    assert "take" not in case["allowed_actions"]
    rows = await listed(kg, JH_HANDLER)
    assert rows[mine]["assigned_officer"]["id"] == me and rows[other]["assigned_officer"] is None
    assert set(await listed(kg, JH_HANDLER, assigned="me")) == {mine}
    assert mine not in await listed(kg, JH_HANDLER, assigned="none") and other in await listed(kg, JH_HANDLER,
                                                                                              assigned="none")
    assert await listed(kg, JH_RECEIVER, assigned="me") == {}   # mine, not my colleague's
    # someone has it: a colleague cannot take it too (they can be assigned it)
    r = await kg.act(JH_RECEIVER, mine, "take")
    assert r.status == 409 and (await error_of(r))["message"] == "Ärendet är redan under handläggning."
    r = await kg.client.get("/api/v1/officer/cases", params={"assigned": "alla"}, headers=kg.auth(JH_HANDLER))
    assert r.status == 422 and "assigned" in (await error_of(r))["fields"]


async def test_an_unassigned_in_progress_case_can_be_taken(kg):
    ref = (await kg.new_case())["reference"]
    await kg.update_case(ref, status="in_progress")   # as cases handled before assignment existed
    case = await kg.ok(JH_RECEIVER, ref, "take")
    assert case["assigned_officer"]["id"] == await officer_id(kg, JH_RECEIVER)
    assert case["status"] == "in_progress"


async def test_answering_an_unassigned_case_makes_it_the_answerers(kg):
    ref = (await kg.new_case())["reference"]
    case = await kg.ok(JH_HANDLER, ref, "answer", {"body": "Svar."})
    assert case["assigned_officer"]["id"] == await officer_id(kg, JH_HANDLER)


async def test_assign_to_a_colleague_in_my_organisation(kg):
    ref = (await kg.new_case())["reference"]
    colleague = await officer_id(kg, JH_ADMIN)
    case = await kg.ok(JH_RECEIVER, ref, "assign", {"officer_id": colleague})
    assert case["assigned_officer"]["id"] == colleague and case["status"] == "in_progress"
    ev = [e for e in case["events"] if e["kind"] == "assigned"]
    assert [e["data"] for e in ev] == [{"from": None, "to": colleague}]
    assert ev[0]["officer_id"] == await officer_id(kg, JH_RECEIVER)
    assert "assign" in [a.action for a in await kg.rows(AuditEntry, AuditEntry.case_reference == ref)]
    assert set(await listed(kg, JH_ADMIN, assigned="me")) == {ref}
    # not to an officer of another organisation, an unknown one, an inactive one, or the one who has it
    outsider, unknown = await officer_id(kg, PN_HANDLER), 999999
    inactive = await officer_id(kg, JH_HANDLER)
    async with kg.session() as s:
        o = await s.get(Officer, inactive)
        o.active = False
        s.add(o)
        await s.commit()
    for target in (outsider, unknown, inactive, colleague):
        r = await kg.act(JH_RECEIVER, ref, "assign", {"officer_id": target})
        assert r.status == 422 and "officer_id" in (await error_of(r))["fields"], target
    assert (await kg.case_row(ref)).assigned_officer_id == colleague
    assert (await kg.act(JH_RECEIVER, ref, "assign", {"officer_id": "x"})).status == 422


async def test_reassigning_to_another_organisation_clears_the_assignment(kg):
    c = await kg.new_case(recipient="patient_board")
    ref = c["reference"]
    await kg.ok(PN_HANDLER, ref, "take")
    case = await kg.ok(PN_HANDLER, ref, "reassign", {"organisation_id": REGION_JH})
    assert (await kg.case_row(ref)).assigned_officer_id is None
    assert case["status"] == "received"


async def test_an_internal_note_is_seen_by_its_organisation_only(kg):
    c = await kg.new_case(recipient="patient_board")
    ref = c["reference"]
    await kg.ok(PN_HANDLER, ref, "request-statement", {"organisation_id": REGION_JH})
    case = await kg.ok(PN_RECEIVER, ref, "note", {"body": NOTE})
    [note] = [m for m in case["thread"] if m["kind"] == "internal_note"]
    assert note["body"] == NOTE and note["kind_label"] == "Intern anteckning"
    assert NOTE in str(await (await kg.officer_get(PN_HANDLER, ref)).json())
    # the organisation asked for a statement writes its own note; neither sees the other's
    jh_view = await kg.ok(JH_HANDLER, ref, "note", {"body": "Vår egen anteckning."})
    assert NOTE not in str(jh_view) and "Vår egen anteckning." in str(jh_view)
    assert "Vår egen anteckning." not in str(await (await kg.officer_get(PN_HANDLER, ref)).json())
    reporter = await kg.reporter_view(ref, c["access_code"])
    assert NOTE not in str(reporter) and all(m["kind"] != "internal_note" for m in reporter["thread"])
    # audit-logged, and only the writer's organisation's diary system hears of it
    assert [a.organisation_id for a in await kg.rows(AuditEntry, AuditEntry.case_reference == ref,
                                                     AuditEntry.action == "note")] == ["SE2321000207-PN01", REGION_JH]
    events = [e for e in await kg.rows(WebhookEvent, WebhookEvent.type == "case.message_added")
              if e.payload["data"]["kind"] == "internal_note"]
    assert sorted(e.organisation_id for e in events) == sorted(["SE2321000207-PN01", REGION_JH])
    # an outsider gets nothing
    assert (await kg.act(PN_UPPSALA_HANDLER, ref, "note", {"body": "x"})).status == 404
    assert (await kg.act(PN_HANDLER, ref, "note", {"body": ""})).status == 422


async def test_notes_stay_with_the_organisation_after_a_reassignment(kg):
    c = await kg.new_case(recipient="patient_board")
    ref = c["reference"]
    await kg.ok(PN_HANDLER, ref, "note", {"body": NOTE})
    await kg.ok(PN_HANDLER, ref, "reassign", {"organisation_id": REGION_UPPSALA})
    view = await (await kg.officer_get("handlaggare@regionuppsala.example", ref)).json()
    assert NOTE not in str(view)


async def test_the_pages_assign_filter_and_keep_notes_internal(kg):
    c = await kg.new_case(recipient="patient_board")
    ref = c["reference"]
    page = f"/officer/arenden/{ref}"
    b = kg.logged_in(PN_HANDLER)
    html = await (await b.get(page)).text()
    assert "Ej tilldelad" in html and f"{page}/take" in html and f"{page}/note" in html
    r = await b.post(f"{page}/take", {"csrf_token": await b.csrf(page)})
    assert r.status == 303
    html = await (await b.get(r.headers["Location"])).text()
    assert "Det är nu ditt" in html and f"{page}/take" not in html
    # the list: who handles each case, and the filters
    me = await officer_id(kg, PN_HANDLER)
    name = (await (await kg.officer_get(PN_HANDLER, ref)).json())["assigned_officer"]["name"]
    mine = await (await b.get("/officer?assigned=me")).text()
    assert ref in mine and name in mine and 'value="me" selected' in mine
    assert ref not in await (await b.get("/officer?assigned=none")).text()
    # assign a colleague from the page; an empty choice is a Swedish error on the field
    r = await b.post(f"{page}/assign", {"csrf_token": await b.csrf(page), "officer_id": ""})
    assert r.status == 422 and "Välj en handläggare." in await r.text()
    colleague = await officer_id(kg, PN_RECEIVER)
    r = await b.post(f"{page}/assign", {"csrf_token": await b.csrf(page), "officer_id": str(colleague)})
    assert r.status == 303 and (await kg.case_row(ref)).assigned_officer_id == colleague != me
    # a note: on the page for this organisation, never for the one asked for a statement
    r = await b.post(f"{page}/note", {"csrf_token": await b.csrf(page), "body": NOTE})
    assert r.status == 303
    html = await (await b.get(page)).text()
    assert NOTE in html and "Syns bara för din organisation" in html
    await kg.ok(PN_HANDLER, ref, "request-statement", {"organisation_id": REGION_JH})
    jh_html = await (await kg.logged_in(JH_RECEIVER).get(page)).text()
    assert NOTE not in jh_html and f"{page}/note" in jh_html and f"{page}/assign" not in jh_html
    ev = await kg.rows(CaseEvent, CaseEvent.kind == "assigned")
    assert len(ev) == 2
