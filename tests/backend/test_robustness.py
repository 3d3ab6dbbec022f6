"""Odd values in paths, query strings and headers: always a 4xx (or an empty result), never a 500 —
on SQLite and on PostgreSQL (which, unlike SQLite, refuses NUL characters in text)."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from kg_testkit import JH_ADMIN, JH_HANDLER, SERVICE_TOKEN

from backend.appkeys import REPORTER_LIMITER

WEIRD = ["\x00", "a\x00b", "%", "_", "'; DROP TABLE \"case\"; --", "\\", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\u202e", " ", "x" * 300,
         "KG-2026-000001\x00", "../../etc/passwd"]


def q(v: str) -> str:
    return quote(v, safe="")


def targets(v: str) -> list[tuple[str, str, dict]]:
    officer = {"Authorization": "officer"}
    return [
        ("GET", f"/api/v1/units?q={q(v)}", {}),
        ("GET", f"/api/v1/units?q=akuten&region={q(v)}", {}),
        ("GET", f"/api/v1/units/{q(v)}", {}),
        ("GET", f"/api/v1/reporter/cases/{q(v)}", {"X-Access-Code": "AAAA-BBBB-CCCC"}),
        ("POST", f"/api/v1/reporter/cases/{q(v)}/messages", {"X-Access-Code": "AAAA-BBBB-CCCC"}),
        ("GET", f"/api/v1/officer/cases/{q(v)}", officer),
        ("POST", f"/api/v1/officer/cases/{q(v)}/take", officer),
        ("POST", f"/api/v1/officer/cases/{q(v)}/set-unit", officer),
        ("GET", f"/api/v1/officer/cases/{q(v)}/attachments/1", officer),
        ("GET", f"/api/v1/officer/cases?q={q(v)}", officer),
        ("GET", f"/api/v1/officer/cases?unit={q(v)}", officer),
        ("GET", f"/api/v1/officer/cases?category={q(v)}", officer),
        ("GET", f"/api/v1/officer/cases?status={q(v)}", officer),
        ("GET", f"/api/v1/officer/export/tagged?tag={q(v)}", {"Authorization": "admin"}),
        ("GET", f"/api/v1/stats/categories?unit={q(v)}", {}),
        ("GET", f"/api/v1/stats/summary?region={q(v)}", officer),
        ("GET", f"/api/v1/stats/categories?category={q(v)}", {}),
        ("GET", f"/api/v1/units?{q(v)}=1", {}),
    ]


@pytest.mark.parametrize("value", WEIRD, ids=[repr(v)[:20] for v in WEIRD])
async def test_no_500_on_odd_values(kg, value):
    await kg.new_case()
    for method, path, headers in targets(value):
        h = dict(headers)
        if h.get("Authorization") == "officer":
            h.update(kg.auth(JH_HANDLER))
        elif h.get("Authorization") == "admin":
            h.update(kg.auth(JH_ADMIN))
        r = await kg.client.request(method, path, headers=h, json={"hsa_id": value} if "set-unit" in path else
                                    ({"body": "x"} if method == "POST" else None))
        assert r.status < 500, (method, path, r.status, await r.text())
    await kg.app[REPORTER_LIMITER].reset()


@pytest.mark.parametrize("value", WEIRD, ids=[repr(v)[:20] for v in WEIRD])
async def test_no_500_on_odd_json_values(kg, value):
    c = await kg.new_case()
    ref = c["reference"]
    bodies = [
        ("/api/v1/officer/login", {}, {"email": value, "password": value}),
        (f"/api/v1/officer/cases/{ref}/reassign", kg.auth(JH_HANDLER), {"organisation_id": value[:40]}),
        (f"/api/v1/officer/cases/{ref}/set-unit", kg.auth(JH_HANDLER), {"hsa_id": value[:40]}),
        (f"/api/v1/officer/cases/{ref}/request-statement", kg.auth(JH_HANDLER), {"organisation_id": value[:40]}),
        (f"/api/v1/officer/cases/{ref}/tags", kg.auth(JH_HANDLER), {"tags": [value]}),
        (f"/api/v1/officer/cases/{ref}/categorise", kg.auth(JH_HANDLER), {"subs": [value]}),
        (f"/api/v1/officer/cases/{ref}/partial-answer", kg.auth(JH_HANDLER), {"body": value}),
        (f"/api/v1/reporter/cases/{ref}/messages", {"X-Access-Code": c["access_code"]}, {"body": value}),
    ]
    for path, headers, body in bodies:
        r = await kg.client.post(path, json=body, headers=headers)
        assert r.status < 500, (path, r.status, await r.text())


async def test_odd_headers(kg):
    c = await kg.new_case()
    for code in ["", " ", "x" * 5000, "ÅÄÖ-ÅÄÖ", c["access_code"] + "X"]:
        r = await kg.reporter_get(c["reference"], code, **{"Authorization": f"Bearer {SERVICE_TOKEN}",
                                                           "X-Client-Id": "c" + str(len(code))})
        assert r.status == 404
    for auth in ["Bearer " + "x" * 5000, "Bearer ÅÄÖ", "Bearer \t"]:
        r = await kg.client.get("/api/v1/officer/me", headers={"Authorization": auth})
        assert r.status == 401
    r = await kg.client.get("/api/v1/units", params={"q": "akuten"}, headers={"Accept-Language": "x" * 3000})
    assert r.status == 200


async def test_web_pages_survive_odd_values(kg):
    b = kg.logged_in(JH_HANDLER)
    for v in WEIRD:
        for path in (f"/officer?q={q(v)}", f"/officer?unit={q(v)}", f"/officer/arenden/{q(v)}",
                     f"/officer/statistik?unit={q(v)}&region={q(v)}"):
            r = await b.get(path)
            assert r.status < 500, (path, r.status)


async def test_nul_in_the_path_or_query_is_refused_up_front(kg):
    r = await kg.client.get("/api/v1/officer/cases?q=%00", headers=kg.auth(JH_HANDLER))
    assert r.status == 422 and (await r.json())["error"]["fields"] == {"q": "Ogiltigt värde."}
    r = await kg.client.get("/api/v1/officer/cases/KG-2026-000001%00", headers=kg.auth(JH_HANDLER))
    assert r.status == 404 and (await r.json())["error"]["code"] == "not_found"
    b = kg.logged_in(JH_HANDLER)
    assert (await b.get("/officer/arenden/KG%00")).status == 404
    assert (await b.get("/officer?q=%00")).status == 400


async def test_web_forms_survive_nul(kg):
    """The pages read forms themselves (not through the JSON schemas): the same care is needed there."""
    c = await kg.new_case()
    officer = kg.browser()
    r = await officer.post("/officer/login", {"csrf_token": await officer.csrf("/officer/login"),
                                              "email": "handlaggare@regionjh.example\x00", "password": "x\x00"})
    assert r.status in (401, 422), r.status
    reporter = kg.browser()
    r = await reporter.post("/arende", {"csrf_token": await reporter.csrf("/arende"), "reference": "KG\x00-1",
                                        "access_code": "AAAA\x00"})
    assert r.status in (404, 422), r.status
    r = await reporter.post("/arende", {"csrf_token": await reporter.csrf("/arende"), "reference": c["reference"],
                                        "access_code": c["access_code"]})
    assert r.status == 303
    r = await reporter.post("/arende/svar", {"csrf_token": await reporter.csrf("/arende"), "body": "hej\x00då"})
    assert r.status in (303, 422), r.status
    handler = kg.logged_in(JH_HANDLER)
    token = await handler.csrf(f"/officer/arenden/{c['reference']}")
    for action, form in [("message", {"kind": "partial-answer", "body": "a\x00b"}), ("tags", {"tags": "a\x00"}),
                         ("reassign", {"organisation_id": "x\x00"}), ("set-unit", {"hsa_id": "SE\x00"}),
                         ("categorise", {"subs": "\x00"})]:
        r = await handler.post(f"/officer/arenden/{c['reference']}/{action}", {"csrf_token": token, **form})
        assert r.status < 500, (action, r.status)
    row = await kg.case_row(c["reference"])
    assert "\x00" not in (row.description or "")
