"""The same rules through the server-rendered pages: reporter sign-in and reply, officer actions, CSRF."""
from __future__ import annotations

import asyncio
from datetime import date, timedelta

from kg_testkit import JH_HANDLER, JH_RECEIVER

from backend.models import CaseEvent, Message
from backend.swedish_time import local_date


async def reporter_login(kg, reference: str, code: str):
    b = kg.browser()
    r = await b.post("/arende", {"csrf_token": await b.csrf("/arende"), "reference": reference, "access_code": code})
    return b, r


async def test_reporter_signs_in_and_replies_on_the_page(kg):
    c = await kg.new_case()
    await kg.ok(JH_HANDLER, c["reference"], "counter-question", {"body": "Vilken dag var det?"})
    b, r = await reporter_login(kg, c["reference"], c["access_code"])
    assert r.status == 303
    assert r.cookies["kg_reporter"]["httponly"]
    assert c["access_code"] not in r.cookies["kg_reporter"].value
    page = await (await b.get("/arende")).text()
    assert "Vilken dag var det?" in page
    r = await b.post("/arende/svar", {"csrf_token": await b.csrf("/arende"), "body": "I tisdags."})
    assert r.status == 303
    assert (await kg.case_row(c["reference"])).status == "in_progress"


async def test_reporter_page_does_not_tell_wrong_code_from_unknown_reference(kg):
    c = await kg.new_case()
    _b1, wrong = await reporter_login(kg, c["reference"], "AAAA-BBBB-CCCC")
    _b2, unknown = await reporter_login(kg, "KG-2026-999999", "AAAA-BBBB-CCCC")
    assert wrong.status == unknown.status == 404
    strip = lambda html: html.replace(c["reference"], "REF").replace("KG-2026-999999", "REF")  # noqa: E731
    import re
    token = re.compile(r'value="[A-Za-z0-9_\-]{20,}"')
    assert token.sub("", strip(await wrong.text())) == token.sub("", strip(await unknown.text()))


async def test_reporter_page_is_rate_limited_together_with_the_api(kg):
    c = await kg.new_case()
    for i in range(3):
        await reporter_login(kg, c["reference"], f"WRNG-WRNG-{i:04d}")
    for i in range(2):
        assert (await kg.reporter_get(c["reference"], f"WRNG-CODE-{i:04d}")).status == 404
    _b, r = await reporter_login(kg, c["reference"], c["access_code"])
    assert r.status == 429


async def test_officer_answers_on_the_page(kg):
    c = await kg.new_case()
    b = kg.logged_in(JH_HANDLER)
    token = await b.csrf(f"/officer/arenden/{c['reference']}")
    r = await b.post(f"/officer/arenden/{c['reference']}/message",
                     {"csrf_token": token, "kind": "answer", "body": "Svar från sidan."})
    assert r.status == 303
    view = await kg.reporter_view(c["reference"], c["access_code"])
    assert view["status"] == "answered" and view["thread"][0]["body"] == "Svar från sidan."


async def test_page_actions_follow_the_same_rules(kg):
    c = await kg.new_case()
    b = kg.logged_in(JH_RECEIVER)
    token = await b.csrf(f"/officer/arenden/{c['reference']}")
    r = await b.post(f"/officer/arenden/{c['reference']}/message", {"csrf_token": token, "kind": "answer", "body": "x"})
    assert r.status == 403
    r = await b.post(f"/officer/arenden/{c['reference']}/close", {"csrf_token": token})
    assert r.status == 403
    assert await kg.count(Message) == 0


async def test_page_actions_need_the_csrf_token(kg):
    c = await kg.new_case()
    b = kg.logged_in(JH_HANDLER)
    await b.get(f"/officer/arenden/{c['reference']}")
    for form in ({}, {"csrf_token": "forged"}):
        r = await b.post(f"/officer/arenden/{c['reference']}/tags", {**form, "tags": "cancer"})
        assert r.status == 403
    other = kg.logged_in("admin@regionjh.example")           # a token from another officer's session
    stolen = await other.csrf("/officer")
    r = await b.post(f"/officer/arenden/{c['reference']}/tags", {"csrf_token": stolen, "tags": "cancer"})
    assert r.status == 403
    token = await b.csrf(f"/officer/arenden/{c['reference']}")
    r = await b.post(f"/officer/arenden/{c['reference']}/tags", {"csrf_token": token, "tags": "cancer"},
                     headers={"Origin": "https://evil.example"})
    assert r.status == 403
    assert (await kg.case_row(c["reference"])).tags == []


async def test_the_deadline_loop_writes_events(make_kg):
    """With KG's own background check on (every 0.2 s here), a passed deadline becomes an event by itself."""
    kg = await make_kg(deadline_check_interval_s=0.2)
    c = await kg.new_case()
    await kg.update_case(c["reference"], answer_due=local_date() - timedelta(days=1))
    row = await kg.case_row(c["reference"])
    for _ in range(50):
        events = await kg.rows(CaseEvent, CaseEvent.case_id == row.id, CaseEvent.kind == "deadline_passed")
        if events:
            break
        await asyncio.sleep(0.1)
    assert [e.data["deadline"] for e in events] == ["answer"]


async def test_the_privacy_page_says_what_the_system_does(kg):
    """GDPR art. 13 on the page, and the chat log and the browser as they really behave (the chat log is
    cleared after hand-over, the widget keeps the tab's copy only, "Avsluta och rensa")."""
    page = await (await kg.client.get("/om-personuppgifter")).text()
    for part in ("ansvarar för uppgifterna", "6.1 e och 9.2 h", "yttrande", "diariesystem", "inom en minut",
                 "ett dygn", "den här fliken", "Avsluta och rensa", "dataskyddsombud", "Integritetsskyddsmyndigheten",
                 "2 år"):
        assert part in page, part
    assert "samtycke" in page and "inte ge något samtycke" in page
