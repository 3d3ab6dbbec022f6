"""Cross-organisation isolation: an officer never sees or changes another organisation's case.

The case routes are taken from the app's own router, so a route added later is either covered here
automatically (a new action is picked up from the action tables) or makes `test_every_route_is_classified`
fail until someone decides how it is protected.
"""
from __future__ import annotations

import io

import pytest
from kg_testkit import (DESCRIPTION, JH_HANDLER, PATIENT_NAME, PN_HANDLER, PN_UPPSALA_HANDLER, REGION_JH,
                        PNR, REPORTER_NAME, UPPSALA_HANDLER)

from backend.models import AuditEntry, CaseEvent, Message
from backend.services.actions import REGISTRY as API_ACTIONS
from backend.web.pages_officer import ACTIONS as WEB_ACTIONS

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
OUTSIDERS = [PN_HANDLER, PN_UPPSALA_HANDLER, UPPSALA_HANDLER]   # same region's patient board, other regions


def app_routes() -> set[tuple[str, str]]:
    from conftest import base_settings

    from backend.app import create_app
    app = create_app(base_settings("sqlite+aiosqlite:////nonexistent/kg.db", "/nonexistent"))
    return {(r.method, r.resource.canonical) for r in app.router.routes() if r.resource is not None}


ROUTES = app_routes()

# routes about one case, for officers: every one is exercised below for every outsider
CASE_ROUTES = {
    ("GET", "/api/v1/officer/cases/{reference}"),
    ("POST", "/api/v1/officer/cases/{reference}/{action}"),
    ("GET", "/api/v1/officer/cases/{reference}/attachments/{attachment_id}"),
    ("GET", "/officer/arenden/{reference}"),
    ("POST", "/officer/arenden/{reference}/{action}"),
    ("GET", "/officer/arenden/{reference}/bilagor/{attachment_id}"),
}
# officer routes over the own organisation (lists, statistics, export): checked in test_org_scoped_views
ORG_ROUTES = {
    ("GET", "/api/v1/officer/cases"), ("POST", "/api/v1/officer/cases/search"), ("GET", "/api/v1/officer/export/tagged"),
    ("GET", "/officer"),
    ("GET", "/officer/statistik"), ("GET", "/officer/statistik.csv"),
    ("GET", "/api/v1/stats/categories"), ("GET", "/api/v1/stats/summary"),
}
# reporter routes: need the access code (test_reporter.py, test_attachments.py)
REPORTER_ROUTES = {
    ("GET", "/api/v1/reporter/cases/{reference}"), ("POST", "/api/v1/reporter/cases/{reference}/messages"),
    ("GET", "/api/v1/reporter/cases/{reference}/attachments/{attachment_id}"),
    ("GET", "/arende"), ("POST", "/arende"), ("POST", "/arende/svar"), ("POST", "/arende/logga-ut"),
    ("GET", "/arende/bilagor/{attachment_id}"),
}
# the diary system's write-back (integration token: another organisation's case is 404,
# test_webhooks.py::test_the_diary_system_sets_its_diary_number) and the admin's webhook pages (own organisation's
# subscriptions and deliveries only: test_webhook_pages.py::test_only_the_organisations_admin_sees_the_pages)
WEBHOOK_ROUTES = {
    ("PUT", "/api/v1/integration/cases/{reference}/diary-number"),
    ("GET", "/officer/webhooks"), ("POST", "/officer/webhooks"), ("POST", "/officer/webhooks/{sub_id}/{action}"),
    ("GET", "/officer/webhooks/leveranser"), ("POST", "/officer/webhooks/leveranser/{delivery_id}/skicka-igen"),
}
# e-ID (404 without KG_OIDC_*): the log-in and callback hold no case data; "Mina ärenden" opens only the
# verified person's own cases, another's reference is refused (test_eid.py::test_mina_arenden_lists_…); the
# ticket exchange needs the service token (test_eid.py::test_the_ticket_gives_the_verified_identity_once…)
EID_ROUTES = {
    ("GET", "/e-legitimation/logga-in"), ("GET", "/e-legitimation/callback"),
    ("POST", "/arende/mina"), ("POST", "/arende/mina/lista"), ("POST", "/api/v1/identity/tickets/exchange"),
}
# no case data behind these
OTHER_ROUTES = {
    ("GET", "/health"), ("GET", "/api/v1/taxonomy"), ("GET", "/api/v1/regions"), ("GET", "/api/v1/units"),
    ("GET", "/api/v1/units/{hsa_id}"), ("POST", "/api/v1/cases"), ("POST", "/api/v1/officer/login"),
    ("POST", "/api/v1/officer/logout"), ("GET", "/api/v1/officer/me"), ("GET", "/api/v1/openapi.json"),
    ("GET", "/static"), ("GET", "/"), ("GET", "/om-personuppgifter"), ("GET", "/sprak/{lang}"),
    ("GET", "/officer/login"), ("POST", "/officer/login"), ("POST", "/officer/logout"),
    ("GET", "/officer/login/kod"), ("POST", "/officer/login/kod"),
}


def test_every_route_is_classified():
    routes = {(m, p) for m, p in ROUTES if m != "HEAD"}  # HEAD mirrors GET
    unknown = routes - CASE_ROUTES - ORG_ROUTES - REPORTER_ROUTES - WEBHOOK_ROUTES - EID_ROUTES - OTHER_ROUTES
    assert not unknown, f"new routes: add them to the isolation test: {sorted(unknown)}"
    assert CASE_ROUTES <= routes and ORG_ROUTES <= routes


def test_action_tables_agree():
    assert set(WEB_ACTIONS) - {"message"} <= set(API_ACTIONS)


API_PAYLOADS = {
    "take": {}, "answer": {"body": "x"}, "partial-answer": {"body": "x"}, "counter-question": {"body": "x"},
    "statement": {"body": "x"}, "reassign": {"organisation_id": "SE2321000024-PN01"},
    "request-statement": {"organisation_id": "SE5565301000"}, "extend-statement": {}, "request-extension": {},
    "move-answer-date": {"answer_due": "2099-01-01", "reason": "x"}, "assign": {"officer_id": 1}, "note": {"body": "x"},
    "categorise": {"subs": ["diagnos"]}, "tags": {"tags": ["stulen"]}, "close": {},
    "set-unit": {"hsa_id": "SE2321000207-E1100"},
}
WEB_FORMS = {
    "take": {}, "message": {"kind": "answer", "body": "x"}, "statement": {"body": "x"},
    "reassign": {"organisation_id": "SE2321000024-PN01"}, "request-statement": {"organisation_id": "SE5565301000"},
    "extend-statement": {}, "request-extension": {}, "move-answer-date": {"answer_due": "2099-01-01", "reason": "x"},
    "assign": {"officer_id": "1"}, "note": {"body": "x"}, "categorise": {"subs": "diagnos"}, "tags": {"tags": "stulen"},
    "set-unit": {"hsa_id": "SE2321000207-E1100"}, "close": {},
}


def concrete_requests() -> list[tuple[str, str, str, str | None]]:
    """(id, method, route, action) for every case route × action."""
    out = []
    for method, route in sorted(r for r in ROUTES if r in CASE_ROUTES or (r[0] == "HEAD" and ("GET", r[1]) in CASE_ROUTES)):
        if route.endswith("{action}"):
            actions = sorted(API_ACTIONS) if route.startswith("/api/") else sorted(WEB_ACTIONS)
            out += [(f"{method} {route.replace('{action}', a)}", method, route, a) for a in actions]
        else:
            out.append((f"{method} {route}", method, route, None))
    return out


REQUESTS = concrete_requests()


def test_payload_tables_cover_every_action():
    assert set(API_PAYLOADS) == set(API_ACTIONS), "add the new action to API_PAYLOADS"
    assert set(WEB_FORMS) == set(WEB_ACTIONS), "add the new action to WEB_FORMS"


async def owned_case(kg):
    """A case at Region JH with a reporter attachment (PDF) and an officer attachment (PNG)."""
    c = await kg.new_case()
    ref, code = c["reference"], c["access_code"]
    import aiohttp
    form = aiohttp.FormData()
    form.add_field("body", "Här är journalkopian.")
    form.add_field("file", io.BytesIO(PDF), filename="journal.pdf", content_type="application/pdf")
    r = await kg.client.post(f"/api/v1/reporter/cases/{ref}/messages", data=form, headers={"X-Access-Code": code})
    assert r.status == 201, await r.text()
    reporter_att = (await r.json())["attachments"][0]["id"]
    form = aiohttp.FormData()
    form.add_field("body", "Vi bifogar en bild.")
    form.add_field("file", io.BytesIO(PNG), filename="bild.png", content_type="image/png")
    r = await kg.client.post(f"/api/v1/officer/cases/{ref}/partial-answer", data=form, headers=kg.auth(JH_HANDLER))
    assert r.status == 200, await r.text()
    officer_att = [m for m in (await r.json())["thread"] if m["author"] == "officer"][0]["attachments"][0]["id"]
    return ref, code, (reporter_att, officer_att)


async def snapshot(kg, ref: str) -> tuple:
    row = await kg.case_row(ref)
    return (row.status, row.recipient_org_id, row.statement_org_id, tuple(row.tags), tuple(row.officer_categories),
            row.care_unit_hsa_id, row.statement_due, row.closed_at, await kg.count(Message),
            len(await kg.rows(CaseEvent, CaseEvent.case_id == row.id)))


def leaks(text: str, ref: str) -> list[str]:
    return [s for s in (DESCRIPTION, PATIENT_NAME, REPORTER_NAME, "191212121212", "journalkopian") if s in text]


@pytest.mark.parametrize("method,route,action", [r[1:] for r in REQUESTS], ids=[r[0] for r in REQUESTS])
async def test_outsiders_get_nothing(kg, method, route, action):
    ref, _code, atts = await owned_case(kg)
    before = await snapshot(kg, ref)
    audit_before = len(await kg.rows(AuditEntry, AuditEntry.case_reference == ref))
    web = not route.startswith("/api/")
    for email in OUTSIDERS:
        for att in (atts if "{attachment_id}" in route else (None,)):
            path = route.replace("{reference}", ref).replace("{attachment_id}", str(att))
            if action:
                path = path.replace("{action}", action)
            if web:
                b = kg.logged_in(email)
                if method == "POST":
                    form = {"csrf_token": await b.csrf("/officer"), **WEB_FORMS[action]}
                    r = await b.post(path, form)
                else:
                    r = await b.http.request(method, b.base + path, allow_redirects=False)
                assert r.status in (403, 404), (email, method, path, r.status)
                text = await r.text()
            else:
                kw = {"json": API_PAYLOADS[action]} if method == "POST" else {}
                r = await kg.client.request(method, path, headers=kg.auth(email), **kw)
                assert r.status in (403, 404), (email, method, path, r.status, await r.text())
                text = await r.text()
            assert not leaks(text, ref), (email, path, leaks(text, ref))
    assert await snapshot(kg, ref) == before
    assert len(await kg.rows(AuditEntry, AuditEntry.case_reference == ref)) == audit_before


@pytest.mark.parametrize("route", sorted({r for m, r in CASE_ROUTES if m == "GET"}))
async def test_the_owner_gets_through(kg, route):
    """The positive control: the same requests work for the owning organisation (so 404 above means
    isolation, not a broken URL)."""
    ref, _code, atts = await owned_case(kg)
    for att in (atts if "{attachment_id}" in route else (None,)):
        path = route.replace("{reference}", ref).replace("{attachment_id}", str(att))
        if route.startswith("/api/"):
            r = await kg.client.get(path, headers=kg.auth(JH_HANDLER))
        else:
            b = kg.logged_in(JH_HANDLER)
            r = await b.get(path)
        assert r.status == 200, (path, r.status)


async def test_owner_web_action_gets_through(kg):
    ref, _code, _atts = await owned_case(kg)
    b = kg.browser()
    await b.login(JH_HANDLER)
    r = await b.post(f"/officer/arenden/{ref}/tags", {"csrf_token": await b.csrf(f"/officer/arenden/{ref}"),
                                                      "tags": "cancer"})
    assert r.status == 303
    assert (await kg.case_row(ref)).tags == ["cancer"]


async def test_org_scoped_views(kg):
    ref, _code, _atts = await owned_case(kg)
    await kg.ok(JH_HANDLER, ref, "tags", {"tags": ["cancer"]})
    for email in OUTSIDERS:
        assert (await kg.list_cases(email))["total"] == 0
        assert (await kg.list_cases(email, q=ref))["total"] == 0
        r = await kg.client.post("/api/v1/officer/cases/search", json={"personnummer": PNR}, headers=kg.auth(email))
        assert (await r.json())["total"] == 0
        for path in ("/api/v1/stats/categories", "/api/v1/stats/summary"):
            r = await kg.client.get(path, headers=kg.auth(email))
            assert (await r.json())["total"] == 0
        b = kg.logged_in(email)
        assert ref not in await (await b.get("/officer")).text()
        page = await (await b.get(f"/officer?q={ref}")).text()   # (the search box echoes the text)
        assert f"/officer/arenden/{ref}" not in page and not leaks(page, ref)
        csv = await (await b.get("/officer/statistik.csv")).text()
        assert "totalt;;;0;" in csv
    r = await kg.client.get("/api/v1/officer/export/tagged", params={"tag": "cancer"},
                            headers=kg.auth("admin@regionjh.example"))
    assert [c["reference"] for c in (await r.json())["cases"]] == [ref]
    # the owner's list does show it
    assert (await kg.list_cases(JH_HANDLER))["total"] == 1
    r = await kg.client.post("/api/v1/officer/cases/search", json={"personnummer": PNR}, headers=kg.auth(JH_HANDLER))
    assert [c["reference"] for c in (await r.json())["items"]] == [ref]


async def test_statement_organisation_loses_nothing_it_should_not_get(kg):
    """A patient board case with a statement requested from Region JH: Region Uppsala still sees nothing."""
    c = await kg.new_case(recipient="patient_board")
    await kg.ok(PN_HANDLER, c["reference"], "request-statement", {"organisation_id": REGION_JH})
    assert (await kg.officer_get(JH_HANDLER, c["reference"])).status == 200
    assert (await kg.officer_get(UPPSALA_HANDLER, c["reference"])).status == 404
    assert (await kg.act(UPPSALA_HANDLER, c["reference"], "statement", {"body": "x"})).status == 404


async def test_a_former_statement_organisation_loses_the_case_when_it_moves_on(kg):
    """Region JH gave a statement on the Jämtland board's case; the board then sends the case to the
    Uppsala board (the right region). Region JH has no business with it there."""
    c = await kg.new_case(recipient="patient_board")
    ref = c["reference"]
    await kg.ok(PN_HANDLER, ref, "request-statement", {"organisation_id": REGION_JH})
    await kg.ok(JH_HANDLER, ref, "statement", {"body": "Yttrande"})
    case = await kg.ok(PN_HANDLER, ref, "reassign", {"organisation_id": "SE2321000024-PN01"})
    assert case["statement_organisation"] is None and case["statement_due"] is None
    assert (await kg.officer_get(JH_HANDLER, ref)).status == 404
    assert ref not in [i["reference"] for i in (await kg.list_cases(JH_HANDLER))["items"]]
    assert (await kg.officer_get(PN_UPPSALA_HANDLER, ref)).status == 200
    assert (await kg.reporter_view(ref, c["access_code"]))["statement_due"] is None


async def test_the_statement_organisation_follows_the_case_until_it_is_closed(kg):
    """Region JH gave its statement on the board's case: it may still read it while the board works on,
    and no longer once the board has closed it (nor find it in its list)."""
    c = await kg.new_case(recipient="patient_board")
    ref = c["reference"]
    await kg.ok(PN_HANDLER, ref, "request-statement", {"organisation_id": REGION_JH})
    await kg.ok(JH_HANDLER, ref, "statement", {"body": "Yttrande"})
    assert (await kg.officer_get(JH_HANDLER, ref)).status == 200
    assert ref in [i["reference"] for i in (await kg.list_cases(JH_HANDLER))["items"]]
    await kg.ok(PN_HANDLER, ref, "answer", {"body": "Svar"})
    assert (await kg.officer_get(JH_HANDLER, ref)).status == 200
    await kg.ok(PN_HANDLER, ref, "categorise", {"subs": ["bemotande"]})
    await kg.ok(PN_HANDLER, ref, "close")
    assert (await kg.officer_get(JH_HANDLER, ref)).status == 404
    assert ref not in [i["reference"] for i in (await kg.list_cases(JH_HANDLER))["items"]]
    assert ref not in [i["reference"] for i in (await kg.list_cases(JH_HANDLER, status="closed"))["items"]]
    assert (await kg.officer_get(PN_HANDLER, ref)).status == 200
    # the web page says the same
    b = kg.logged_in(JH_HANDLER)
    assert (await b.get(f"/officer/arenden/{ref}")).status == 404
    # a reporter message reopens the case: it is the board's again, not Region JH's
    r = await kg.reporter_post(ref, c["access_code"], "Jag har en fråga till.")
    assert r.status == 201
    assert (await kg.case_row(ref)).status == "in_progress"
    assert (await kg.officer_get(JH_HANDLER, ref)).status == 404
    view = await (await kg.officer_get(PN_HANDLER, ref)).json()
    assert [m["kind"] for m in view["thread"]].count("statement") == 1   # the statement itself stays
