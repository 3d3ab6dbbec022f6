"""Localisation: Swedish by default, English with Accept-Language: en — errors, labels, statistics."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from kg_testkit import JH_HANDLER, JH_RECEIVER, case_body, error_of, new_key, service_headers

ROOT = Path(__file__).resolve().parents[2]


def catalog(lang: str) -> dict[str, str]:
    with open(ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return {m.id: m.string for m in read_po(fh, locale=lang) if m.id and isinstance(m.id, str)}


EN = catalog("en")


async def errors(kg, lang_headers: dict[str, str]) -> list[tuple[int, dict]]:
    """The same set of bad requests, in one language."""
    c = await kg.new_case()
    out = []
    reqs = [
        ("GET", "/api/v1/no-such-thing", {}, None),
        ("GET", "/api/v1/officer/cases", {}, None),                                       # 401
        ("POST", "/api/v1/cases", service_headers(new_key()), case_body(patient={"personnummer": "1"})),  # 422
        ("POST", f"/api/v1/officer/cases/{c['reference']}/close", kg.auth(JH_HANDLER), {}),          # 409
        ("POST", f"/api/v1/officer/cases/{c['reference']}/answer", kg.auth(JH_RECEIVER), {"body": "x"}),  # 403
        ("GET", f"/api/v1/reporter/cases/{c['reference']}", {"X-Access-Code": "AAAA-AAAA-AAAA"}, None),  # 404
        ("DELETE", "/api/v1/cases", {}, None),                                            # 405
    ]
    for method, path, headers, body in reqs:
        r = await kg.client.request(method, path, headers={**headers, **lang_headers}, json=body)
        out.append((r.status, await error_of(r), r.headers.get("Content-Language")))
    r = await kg.client.post("/api/v1/cases", data=b"{", headers={**service_headers(new_key()), **lang_headers,
                                                                   "Content-Type": "application/json"})
    out.append((r.status, await error_of(r), r.headers.get("Content-Language")))
    r = await kg.client.post("/api/v1/cases", data=b"x", headers={**service_headers(new_key()), **lang_headers,
                                                                  "Content-Type": "text/plain"})
    out.append((r.status, await error_of(r), r.headers.get("Content-Language")))
    return out


async def test_errors_are_swedish_by_default_and_english_on_request(kg):
    sv = await errors(kg, {})
    en = await errors(kg, {"Accept-Language": "en-GB,en;q=0.9,sv;q=0.5"})
    assert [s for s, _e, _l in sv] == [s for s, _e, _l in en] == [404, 401, 422, 409, 403, 404, 405, 400, 415]
    for (status, e_sv, lang_sv), (_s, e_en, lang_en) in zip(sv, en):
        assert lang_sv == "sv" and lang_en == "en"
        assert e_sv["code"] == e_en["code"]
        assert e_sv["message"] in EN, f"{e_sv['message']!r} is not a catalogued Swedish message"
        assert e_en["message"] == EN[e_sv["message"]], status
        assert e_en["message"] != e_sv["message"]
        for field, msg in e_sv.get("fields", {}).items():
            assert e_en["fields"][field] != msg


async def test_field_messages_in_both_languages(kg):
    body = case_body(patient={"personnummer": "19121212-1213"}, reporter_category="x", extra=1,
                     event_date="2999-01-01", description="")
    r_sv = await kg.intake(body)
    r_en = await kg.client.post("/api/v1/cases", json=body, headers={**service_headers(new_key()),
                                                                      "Accept-Language": "en"})
    f_sv, f_en = (await error_of(r_sv))["fields"], (await error_of(r_en))["fields"]
    assert set(f_sv) == set(f_en) == {"patient.personnummer", "reporter_category", "extra", "event_date", "description"}
    assert f_sv["extra"] == "Okänt fält." and f_en["extra"] == EN["Okänt fält."]
    assert f_sv["event_date"] == "Datumet kan inte vara i framtiden."
    assert f_en["event_date"] == EN["Datumet kan inte vara i framtiden."]
    for k in f_sv:
        assert f_sv[k] != f_en[k]


@pytest.mark.parametrize("header,lang", [(None, "sv"), ("sv-SE", "sv"), ("fr-FR", "sv"), ("de, en;q=0.5", "en"),
                                         ("en-US", "en"), ("sv;q=0.9, en;q=0.1", "sv")])
async def test_language_negotiation(kg, header, lang):
    headers = {"Accept-Language": header} if header else {}
    r = await kg.client.get("/api/v1/units", headers=headers)   # q missing → 422
    assert r.headers["Content-Language"] == lang
    msg = (await error_of(r))["fields"]["q"]
    assert msg == ("Skriv vad mottagningen heter." if lang == "sv" else EN["Skriv vad mottagningen heter."])


async def test_status_labels_follow_the_language(kg):
    r = await kg.client.post("/api/v1/cases", json=case_body(),
                             headers={**service_headers(new_key()), "Accept-Language": "en"})
    data = await r.json()
    assert data["status_label"] == EN["Mottaget"] != "Mottaget"
    view = await (await kg.reporter_get(data["reference"], data["access_code"])).json()
    assert view["status_label"] == "Mottaget"


async def test_statistics_labels_follow_the_language(kg):
    await kg.new_case(care_unit_hsa_id=None, care_unit_text="någonstans", region_code="jamtland")
    s_sv = await (await kg.client.get("/api/v1/stats/summary", headers=kg.auth("handlaggare@pn.jamtland.example"))).json()
    s_en = await (await kg.client.get("/api/v1/stats/summary", headers={
        **kg.auth("handlaggare@pn.jamtland.example"), "Accept-Language": "en"})).json()
    assert s_sv["per_gender"][0]["label"] == "Man"
    assert s_sv["per_unit"][0]["label"] == "Okänd mottagning"
    assert s_en["per_unit"][0]["label"] == EN["Okänd mottagning"]


def test_every_backend_error_message_has_an_english_translation():
    """Every Swedish message the API can answer with is in the catalogs (a missing one would fall back to
    Swedish in English responses)."""
    import ast
    missing = []
    for path in list((ROOT / "backend").glob("*.py")) + list((ROOT / "backend" / "api").glob("*.py")) + \
            list((ROOT / "backend" / "services").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("_", "gettext") and node.args \
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                if not EN.get(node.args[0].value):
                    missing.append((path.name, node.args[0].value))
    assert not missing, missing
