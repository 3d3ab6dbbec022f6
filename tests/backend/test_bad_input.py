"""Bad input to the intake: a clear 4xx with field-by-field Swedish messages, never a 500, never a write."""
from __future__ import annotations

import json
import os
from datetime import date, timedelta

import pytest
from kg_testkit import case_body, error_of, new_key, service_headers

from backend.models import AuditEntry, Case, CaseEvent, Message
from backend.swedish_time import local_date

SWEDISH_SUMMARY = "Några uppgifter behöver rättas."


async def assert_nothing_written(kg) -> None:
    assert await kg.count(Case) == 0
    assert await kg.count(CaseEvent) == 0
    assert await kg.count(Message) == 0


def without(key: str):
    def f(body):
        body.pop(key)
        return body
    return f


def reporter_without(key: str):
    def f(body):
        body["reporter"].pop(key)
        return body
    return f


FIELD_CASES = [
    # (id, override or function, field, a piece of the Swedish message)
    ("invalid personnummer", {"patient": {"personnummer": "19121212-1213"}}, "patient.personnummer",
     "Personnumret stämmer inte"),
    ("personnummer with letters", {"patient": {"personnummer": "19121212-12AB"}}, "patient.personnummer",
     "Personnumret stämmer inte"),
    ("personnummer impossible date", {"patient": {"personnummer": "19121312-1212"}}, "patient.personnummer",
     "Personnumret stämmer inte"),
    ("personnummer in the future", {"patient": {"personnummer": f"{local_date().year + 1}0101-0008"}},
     "patient.personnummer", "Personnumret stämmer inte"),
    ("empty personnummer", {"patient": {"personnummer": ""}}, "patient.personnummer", "Personnumret"),
    ("unknown HSA-ID", {"care_unit_hsa_id": "SE2321000207-X9999"}, "care_unit_hsa_id", "finns inte i vår katalog"),
    ("malformed HSA-ID", {"care_unit_hsa_id": "akuten"}, "care_unit_hsa_id", "HSA-id:t har fel format"),
    ("unknown category code", {"reporter_category": "bemotandet"}, "reporter_category", "Okänd kategori"),
    ("main code is not a sub code", {"reporter_category": "kommunikation"}, "reporter_category", "Okänd kategori"),
    ("event date in the future", {"event_date": (local_date() + timedelta(days=2)).isoformat()}, "event_date",
     "framtiden"),
    ("impossible event date", {"event_date": "2026-02-30"}, "event_date", "ÅÅÅÅ-MM-DD"),
    ("event date as free text", {"event_date": "i tisdags"}, "event_date", "ÅÅÅÅ-MM-DD"),
    ("event date far back", {"event_date": "1850-01-01"}, "event_date", "för långt bak"),
    ("over-long description", {"description": "x" * 10_001}, "description", "för lång"),
    ("over-long reporter name", {"reporter": {"name": "N" * 201}}, "reporter.name", "för lång"),
    ("over-long desired outcome", {"desired_outcome": "y" * 2001}, "desired_outcome", "för lång"),
    ("over-long unit text", {"care_unit_text": "z" * 301}, "care_unit_text", "för lång"),
    ("empty description", {"description": "   "}, "description", "måste fyllas i"),
    ("unknown top-level field", {"favourite_colour": "blå"}, "favourite_colour", "Okänt fält"),
    ("unknown nested field", {"reporter": {"shoe_size": 42}}, "reporter.shoe_size", "Okänt fält"),
    ("unknown patient field", {"patient": {"address": "Storgatan 1"}}, "patient.address", "Okänt fält"),
    ("no personal data consent", {"personal_data_consent": False}, "personal_data_consent", "samtycke"),
    ("missing personal data consent", without("personal_data_consent"), "personal_data_consent", "måste fyllas i"),
    ("consent as a form value", {"personal_data_consent": "on"}, "personal_data_consent", "true eller false"),
    ("consent as a number", {"personal_data_consent": 1}, "personal_data_consent", "true eller false"),
    ("reply wanted as text", {"reply_wanted": "ja"}, "reply_wanted", "true eller false"),
    ("event date as a number", {"event_date": 86400}, "event_date", "ÅÅÅÅ-MM-DD"),
    ("child age as text", {"child_age": "5"}, "child_age", "heltal"),
    ("missing description", without("description"), "description", "måste fyllas i"),
    ("missing patient", without("patient"), "patient", "måste fyllas i"),
    ("invalid e-mail", {"reporter": {"email": "anna-at-example"}}, "reporter.email", "E-postadressen"),
    ("invalid phone", {"reporter": {"phone": "ring mig"}}, "reporter.phone", "Telefonnumret"),
    ("unknown channel", {"channel": "fax"}, "channel", "Ogiltigt värde"),
    ("unknown recipient", {"recipient": "ivo"}, "recipient", "Ogiltigt värde"),
    ("unknown reporter role", {"reporter": {"role": "neighbour"}}, "reporter.role", "Ogiltigt värde"),
    ("relative without own name", {"reporter": {"name": None}}, "reporter.name", "ditt eget namn"),
    ("no way to reach the reporter", {"reporter": {"email": None, "phone": None}}, "reporter.email",
     "e-post eller telefon"),
    ("no unit and no own words", {"care_unit_hsa_id": None, "care_unit_text": None, "region_code": "jamtland"},
     "care_unit_text", "Ange mottagningen"),
    ("no unit and no region", {"care_unit_hsa_id": None, "care_unit_text": "någonstans"}, "region_code",
     "Ange region"),
    ("unknown region", {"care_unit_hsa_id": None, "care_unit_text": "någonstans", "region_code": "gotland"},
     "region_code", "Okänd region"),
    ("guardian without child's age", {"reporter": {"role": "guardian"}}, "child_age", "barnets ålder"),
    ("child age out of range", {"reporter": {"role": "guardian"}, "child_age": 44}, "child_age", "utanför"),
    ("huge integer", {"reporter": {"role": "guardian"}, "child_age": 10 ** 30}, "child_age", ""),
    ("relative without consent answer", {"patient_consent": "not_needed", "consent_note": ""}, "patient_consent",
     "samtycker"),
    ("wrong type for bool", {"reply_wanted": "kanske"}, "reply_wanted", "true eller false"),
    ("wrong type for text", {"description": 12345}, "description", "Ska vara text"),
    ("object instead of text", {"description": {"text": "hej"}}, "description", "Ska vara text"),
    ("reporter is not an object", {"reporter": "Anna"}, "reporter", "objekt"),
    ("bad tag", {"tags": ["Cancer!"]}, "tags", "Taggar"),
    ("too many tags", {"tags": [f"t{i}" for i in range(11)]}, "tags", ""),
]


@pytest.mark.parametrize("over,field,text", [c[1:] for c in FIELD_CASES], ids=[c[0] for c in FIELD_CASES])
async def test_field_errors(kg, over, field, text):
    body = over(case_body()) if callable(over) else case_body(**over)
    r = await kg.intake(body)
    assert r.status == 422, (r.status, await r.text())
    err = await error_of(r)
    assert err["code"] == "validation_error"
    assert err["message"] == SWEDISH_SUMMARY
    assert field in err["fields"], err["fields"]
    assert text in err["fields"][field], err["fields"][field]
    assert r.headers["Content-Language"] == "sv"
    await assert_nothing_written(kg)


async def test_several_problems_are_reported_together(kg):
    body = case_body(patient={"personnummer": "123"}, reporter_category="okänd", description="x" * 20_000,
                     extra_field=1)
    r = await kg.intake(body)
    assert r.status == 422
    fields = (await error_of(r))["fields"]
    assert {"patient.personnummer", "reporter_category", "description", "extra_field"} <= set(fields)
    await assert_nothing_written(kg)


async def test_cross_field_and_catalogue_problems_are_reported_together(kg):
    body = case_body(care_unit_hsa_id="SE2321000207-X9999", reporter={"name": None})
    r = await kg.intake(body)
    assert r.status == 422
    fields = (await error_of(r))["fields"]
    assert {"care_unit_hsa_id", "reporter.name"} <= set(fields)
    await assert_nothing_written(kg)


RAW_CASES = [
    # (id, raw bytes, content type, status, error code)
    ("malformed JSON", b'{"channel": "chat",', "application/json", 400, "malformed_json"),
    ("JSON array", b"[1, 2, 3]", "application/json", 400, "malformed_json"),
    ("JSON string", b'"hej"', "application/json", 400, "malformed_json"),
    ("JSON null", b"null", "application/json", 400, "malformed_json"),
    ("empty body", b"", "application/json", 400, "malformed_json"),
    ("not UTF-8", '{"description": "blå"}'.encode("latin-1"), "application/json", 400, "malformed_json"),
    ("deeply nested JSON", b"[" * 100_000 + b"]" * 100_000, "application/json", 400, "malformed_json"),
    ("deeply nested object", b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "application/json", 400, "malformed_json"),
    ("NaN", b'{"child_age": NaN}', "application/json", 422, "validation_error"),
    ("plain text", b"channel=chat", "text/plain", 415, "unsupported_media_type"),
    ("form post", b"channel=chat&recipient=care_provider", "application/x-www-form-urlencoded", 415,
     "unsupported_media_type"),
    ("XML", b"<case/>", "application/xml", 415, "unsupported_media_type"),
    ("no content type", b"{}", None, 415, "unsupported_media_type"),
]


@pytest.mark.parametrize("raw,ctype,status,code", [c[1:] for c in RAW_CASES], ids=[c[0] for c in RAW_CASES])
async def test_unreadable_bodies(kg, raw, ctype, status, code):
    headers = service_headers(new_key())
    if ctype:
        headers["Content-Type"] = ctype
    r = await kg.client.post("/api/v1/cases", data=raw, headers=headers, skip_auto_headers=["Content-Type"])
    assert r.status == status, (r.status, await r.text())
    err = await error_of(r)
    assert err["code"] == code
    assert err["message"] and not err["message"].isascii() or "JSON" in err["message"]
    await assert_nothing_written(kg)


@pytest.mark.parametrize("text", ["hej\u0000då", "\ud800", "a\udfffb"], ids=["NUL", "lone high surrogate",
                                                                             "lone low surrogate"])
async def test_text_that_no_database_can_store_is_refused(kg, text):
    """A NUL character (PostgreSQL text cannot hold it) or half a UTF-16 pair (not encodable as UTF-8) →
    a 4xx, the same on SQLite and PostgreSQL, never a 500."""
    body = json.dumps(case_body(description=f"Beskrivning {text} slut"), ensure_ascii=True)
    r = await kg.client.post("/api/v1/cases", data=body,
                             headers={**service_headers(new_key()), "Content-Type": "application/json"})
    assert r.status == 422, (r.status, await r.text())
    assert "description" in (await error_of(r))["fields"]
    await assert_nothing_written(kg)


async def test_nul_in_a_nested_field_is_a_field_error(kg):
    r = await kg.intake(case_body(patient={"name": "Karl\u0000Andersson"}))
    assert r.status == 422
    assert (await error_of(r))["fields"]["patient.name"] == "Ogiltigt värde."
    await assert_nothing_written(kg)


async def test_big_body_is_refused(kg):
    body = case_body(description="x" * (1024 * 1024 + 10))
    r = await kg.intake(body)
    assert r.status == 413
    assert (await error_of(r))["code"] == "too_large"
    await assert_nothing_written(kg)


async def test_no_audit_or_event_rows_for_refused_intake(kg):
    for body in (case_body(patient={"personnummer": "1"}), case_body(event_date="2999-01-01")):
        assert (await kg.intake(body)).status == 422
    await assert_nothing_written(kg)
    assert await kg.count(AuditEntry) == 0


async def test_english_errors_with_accept_language(kg):
    r = await kg.client.post("/api/v1/cases", json=case_body(patient={"personnummer": "19121212-1213"},
                                                             extra=1),
                             headers={**service_headers(new_key()), "Accept-Language": "en-GB,en;q=0.9"})
    assert r.status == 422
    assert r.headers["Content-Language"] == "en"
    err = await error_of(r)
    assert err["message"] != SWEDISH_SUMMARY and err["message"].isascii()
    assert "Personnumret" not in err["fields"]["patient.personnummer"]
    assert err["fields"]["extra"] != "Okänt fält."
    await assert_nothing_written(kg)


# --- property: whatever the values, a 201 or a clean 4xx, and nothing written on a 4xx ------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2 ** 70), max_value=2 ** 70) |
    st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30) |
    st.sampled_from(["", "2026-01-01", "19121212-1212", "SE2321000207-E2100", "bemotande", "jamtland", "relative"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6)
FIELDS = list(case_body()) + ["reporter.role", "reporter.name", "reporter.email", "reporter.phone",
                              "reporter.preferred_contact", "patient.name", "patient.personnummer", "surprise"]


@settings(max_examples=int(os.environ.get("KG_HYPOTHESIS_EXAMPLES", "120")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(st.sampled_from(FIELDS), json_values, min_size=1, max_size=4))
async def test_random_values_never_break_intake(kg, changes):
    body = case_body()
    for path, value in changes.items():
        if "." in path:
            outer, inner = path.split(".")
            if isinstance(body.get(outer), dict):
                body[outer][inner] = value
        else:
            body[path] = value
    before = await kg.count(Case)
    r = await kg.intake(body)
    assert r.status in (201, 400, 422), (r.status, await r.text())
    data = await r.json()
    if r.status == 201:
        assert await kg.count(Case) == before + 1
        assert data["reference"].startswith("KG-")
    else:
        assert await kg.count(Case) == before
        assert data["error"]["message"]
        if r.status == 422:
            assert data["error"]["fields"] and all(isinstance(v, str) and v for v in data["error"]["fields"].values())
