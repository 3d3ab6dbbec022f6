"""Intake: POST /api/v1/cases — creation, access codes, idempotency, routing, the service token."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from kg_testkit import (AKUTEN_OSD, AKUTEN_UPPSALA, DESCRIPTION, HC_BRUNFLO, NOT_CONNECTED_UNIT, PATIENT_NAME,
                        PN_JAMTLAND, PN_UPPSALA, PNR, REGION_JH, REGION_UPPSALA, REPORTER_EMAIL, SAMORDNINGSNUMMER,
                        SECRET_KEY, case_body, error_of, new_key, service_headers)

from backend.models import Case, CaseEvent
from backend.swedish_time import local_date

REF_RE = re.compile(r"^KG-(\d{4})-(\d{6})$")
CODE_RE = re.compile(r"^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")  # no 0/O/1/I


async def test_create_case_with_personnummer(kg):
    before = datetime.now(timezone.utc)
    r = await kg.intake(case_body())
    assert r.status == 201
    data = await r.json()
    m = REF_RE.match(data["reference"])
    assert m, data["reference"]
    assert int(m.group(1)) == before.year
    assert CODE_RE.match(data["access_code"]), data["access_code"]
    assert data["status"] == "received"
    assert data["status_label"] == "Mottaget"
    assert data["recipient_organisation"] == {"id": REGION_JH, "name": "Region Jämtland Härjedalen",
                                              "kind": "care_provider"}
    received = datetime.fromisoformat(data["received_at"].replace("Z", "+00:00"))
    assert abs((received - before).total_seconds()) < 60
    assert data["answer_due"] == (local_date(received) + timedelta(weeks=4)).isoformat()

    row = await kg.case_row(data["reference"])
    assert row.status == "received"
    assert row.care_unit_hsa_id == AKUTEN_OSD
    assert row.recipient_org_id == REGION_JH and row.recipient_kind == "care_provider"
    assert row.patient_pnr == "191212121212"
    assert row.patient_gender == "male"
    assert row.age_band == "80+"
    assert row.reporter_category == "bemotande"
    assert row.officer_categories == []
    assert row.description == DESCRIPTION
    events = await kg.rows(CaseEvent, CaseEvent.case_id == row.id)
    assert [e.kind for e in events] == ["created"]


async def test_create_case_with_samordningsnummer(kg):
    r = await kg.intake(case_body(patient={"personnummer": SAMORDNINGSNUMMER}))
    assert r.status == 201, await r.json()
    row = await kg.case_row((await r.json())["reference"])
    assert row.patient_pnr == "197010632391"       # 12 digits, century added, day kept as 63
    assert row.patient_gender == "male"
    assert row.age_band in {"45-64", "65-79"}
    event = local_date() - timedelta(days=10)           # case_body's event date: age at the event
    assert row.patient_age == event.year - 1970 - ((event.month, event.day) < (10, 3))


@pytest.mark.parametrize("pnr,normalised", [
    ("191212121212", "191212121212"), ("19121212-1212", "191212121212"), (" 19121212-1212 ", "191212121212"),
    # ten digits: '-' (or nothing) means younger than 100, '+' means 100 or older
    ("1212121212", "201212121212"), ("121212-1212", "201212121212"), ("121212+1212", "191212121212"),
])
async def test_personnummer_formats_are_normalised(kg, pnr, normalised):
    r = await kg.intake(case_body(patient={"personnummer": pnr}))
    assert r.status == 201, await r.json()
    assert (await kg.case_row((await r.json())["reference"])).patient_pnr == normalised


async def test_only_the_hash_of_the_access_code_is_stored(kg):
    data = await kg.new_case()
    code = data["access_code"]
    row = await kg.case_row(data["reference"])
    plain = code.replace("-", "")
    expected = hmac.new(SECRET_KEY.encode(), ("code:" + plain).encode(), hashlib.sha256).hexdigest()
    assert row.access_code_hash == expected
    for name, value in row.model_dump().items():
        text = str(value)
        assert code not in text and plain not in text, f"the access code is readable in case.{name}"
    # neither the reporter's nor the officer's view ever shows it again
    view = await kg.reporter_view(data["reference"], code)
    assert plain not in str(view).replace("-", "")
    r = await kg.officer_get("handlaggare@regionjh.example", data["reference"])
    assert plain not in (await r.text()).replace("-", "")


async def test_codes_differ_between_cases(kg):
    a, b = await kg.new_case(), await kg.new_case()
    assert a["reference"] != b["reference"]
    assert a["access_code"] != b["access_code"]
    # one case's code does not open the other
    assert (await kg.reporter_get(b["reference"], a["access_code"])).status == 404


async def test_access_code_is_case_and_separator_insensitive(kg):
    data = await kg.new_case()
    code = data["access_code"]
    assert (await kg.reporter_get(data["reference"], code.lower())).status == 200
    assert (await kg.reporter_get(data["reference"], code.replace("-", " "))).status == 200
    assert (await kg.reporter_get(data["reference"].lower(), code)).status == 200


# --- idempotency ---------------------------------------------------------------------------------------

async def test_replay_returns_the_same_case(kg):
    key, body = new_key(), case_body()
    r1 = await kg.intake(body, key=key)
    r2 = await kg.intake(body, key=key)
    assert r1.status == 201 and r2.status == 200
    assert await r1.json() == await r2.json()
    # key order and whitespace do not matter: the same JSON object is the same request
    reordered = dict(reversed(list(body.items())))
    r3 = await kg.client.post("/api/v1/cases", data=__import__("json").dumps(reordered, indent=2),
                              headers={**service_headers(key), "Content-Type": "application/json"})
    assert r3.status == 200
    assert (await r3.json())["reference"] == (await r1.json())["reference"]
    assert await kg.count(Case) == 1


async def test_same_key_different_body_is_a_clear_conflict(kg):
    key = new_key()
    r1 = await kg.intake(case_body(), key=key)
    assert r1.status == 201
    r2 = await kg.intake(case_body(description="Något helt annat hände."), key=key)
    assert r2.status == 409
    err = await error_of(r2)
    assert err["code"] == "conflict"
    assert "idempotensnyckeln" in err["message"]
    assert await kg.count(Case) == 1
    assert (await kg.case_row((await r1.json())["reference"])).description == DESCRIPTION


async def test_concurrent_retries_never_make_a_duplicate(kg):
    key, body = new_key(), case_body()
    responses = await asyncio.gather(*[kg.intake(body, key=key) for _ in range(8)])
    statuses = sorted(r.status for r in responses)
    bodies = [await r.json() for r in responses]
    assert statuses.count(201) == 1 and statuses.count(200) == 7, (statuses, bodies)
    assert len({b["reference"] for b in bodies}) == 1
    assert len({b["access_code"] for b in bodies}) == 1
    assert await kg.count(Case) == 1
    assert await kg.count(CaseEvent) == 1


async def test_concurrent_different_keys_make_distinct_cases(kg):
    responses = await asyncio.gather(*[kg.intake(case_body()) for _ in range(6)])
    assert [r.status for r in responses] == [201] * 6
    refs = {(await r.json())["reference"] for r in responses}
    assert len(refs) == 6
    assert await kg.count(Case) == 6


@pytest.mark.parametrize("key", [None, "", "short", "x" * 129, "has space in it", "åäö-åäö-åäö"])
async def test_idempotency_key_is_required_and_checked(kg, key):
    headers = service_headers()
    if key is not None:
        headers["Idempotency-Key"] = key
    r = await kg.client.post("/api/v1/cases", json=case_body(), headers=headers)
    assert r.status == 422
    err = await error_of(r)
    assert "Idempotency-Key" in err["fields"]
    assert await kg.count(Case) == 0


# --- the service token ------------------------------------------------------------------------------------

@pytest.mark.parametrize("auth", [None, "Bearer wrong-token", "Basic dGVzdDp0ZXN0", "Bearer ", "test-service-token"])
async def test_intake_needs_the_service_token(kg, auth):
    headers = {"Idempotency-Key": new_key()}
    if auth is not None:
        headers["Authorization"] = auth
    r = await kg.client.post("/api/v1/cases", json=case_body(), headers=headers)
    assert r.status == 401
    assert (await error_of(r))["code"] == "unauthorized"
    assert r.headers.get("WWW-Authenticate", "").startswith("Bearer")
    assert await kg.count(Case) == 0


async def test_an_officer_token_is_not_a_service_token(kg):
    r = await kg.client.post("/api/v1/cases", json=case_body(),
                             headers={**kg.auth("admin@regionjh.example"), "Idempotency-Key": new_key()})
    assert r.status == 401
    assert await kg.count(Case) == 0


# --- routing ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("over,org,kind", [
    ({}, REGION_JH, "care_provider"),
    ({"care_unit_hsa_id": AKUTEN_UPPSALA}, REGION_UPPSALA, "care_provider"),
    # a unit that does not take complaints itself → the region's patient board
    ({"care_unit_hsa_id": NOT_CONNECTED_UNIT}, PN_JAMTLAND, "patient_board"),
    # the reporter chose the patient board
    ({"recipient": "patient_board"}, PN_JAMTLAND, "patient_board"),
    ({"recipient": "patient_board", "care_unit_hsa_id": AKUTEN_UPPSALA}, PN_UPPSALA, "patient_board"),
    # the reporter could not find the unit: own words + region → that region's patient board
    ({"care_unit_hsa_id": None, "care_unit_text": "vårdcentralen vid torget", "region_code": "jamtland"},
     PN_JAMTLAND, "patient_board"),
    ({"care_unit_hsa_id": None, "care_unit_text": "akuten i Uppsala tror jag", "region_code": "uppsala"},
     PN_UPPSALA, "patient_board"),
    # a care_provider recipient without a unit still goes to the patient board
    ({"recipient": "care_provider", "care_unit_hsa_id": None, "care_unit_text": "någon mottagning",
      "region_code": "jamtland"}, PN_JAMTLAND, "patient_board"),
])
async def test_routing(kg, over, org, kind):
    data = await kg.new_case(**over)
    assert data["recipient_organisation"]["id"] == org
    assert data["recipient_organisation"]["kind"] == kind
    row = await kg.case_row(data["reference"])
    assert row.recipient_org_id == org
    if over.get("care_unit_hsa_id", AKUTEN_OSD) is None:
        assert row.care_unit_hsa_id is None
        assert row.care_unit_text == over["care_unit_text"]


async def test_unit_the_reporter_could_not_find_is_shown_in_own_words(kg):
    data = await kg.new_case(care_unit_hsa_id=None, care_unit_text="mottagningen bakom apoteket",
                             region_code="jamtland")
    view = await kg.reporter_view(data["reference"], data["access_code"])
    assert view["care_unit"] == {"name": "mottagningen bakom apoteket"}
    r = await kg.officer_get("handlaggare@pn.jamtland.example", data["reference"])
    case = await r.json()
    assert case["care_unit"] is None and case["care_unit_text"] == "mottagningen bakom apoteket"


async def test_primary_care_cases_get_the_ivo_focus_tag(kg):
    data = await kg.new_case(care_unit_hsa_id=HC_BRUNFLO, tags=["cancer"])
    row = await kg.case_row(data["reference"])
    assert row.tags == ["cancer", "primarvard"]
    plain = await kg.new_case()
    assert (await kg.case_row(plain["reference"])).tags == []


@pytest.mark.parametrize("role,extra,consent", [
    ("patient", {"name": None}, "not_needed"),
    ("guardian", {"child_age": 9}, "not_needed"),
    ("representative", {}, "not_needed"),
    ("relative", {"patient_consent": "no", "consent_note": "Patienten är avliden."}, "no"),
])
async def test_reporter_roles(kg, role, extra, consent):
    body = case_body(reporter={"role": role})
    if "name" in extra:
        body["reporter"]["name"] = extra.pop("name")
    body.update(extra)
    r = await kg.intake(body)
    assert r.status == 201, await r.json()
    row = await kg.case_row((await r.json())["reference"])
    assert row.reporter_role == role
    assert row.patient_consent == consent
    if role == "patient":
        assert row.reporter_name == PATIENT_NAME   # the patient is the reporter
    if role == "guardian":
        assert row.child_age == 9


async def test_reporter_e_mail_is_kept_for_notifications(kg):
    data = await kg.new_case()
    assert (await kg.case_row(data["reference"])).reporter_email == REPORTER_EMAIL


async def test_references_count_up(kg):
    refs = [(await kg.new_case())["reference"] for _ in range(3)]
    numbers = [int(REF_RE.match(r).group(2)) for r in refs]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3


async def test_replay_after_the_case_moved_on_still_returns_the_original_answer(kg):
    """A retry that arrives after an officer already acted (taken, even reassigned) gets the same body as
    the first answer — the contract's "identical body" — not a view of the case today."""
    key, body = new_key(), case_body()
    first = await (await kg.intake(body, key=key)).json()
    await kg.ok("handlaggare@regionjh.example", first["reference"], "take")
    await kg.ok("handlaggare@regionjh.example", first["reference"], "reassign", {"organisation_id": PN_JAMTLAND})
    again = await kg.intake(body, key=key)
    assert again.status == 200
    assert await again.json() == first


def test_the_calendar_date_is_swedish():
    """Timestamps are UTC; dates (today, answer due, event not in the future) follow Sweden's calendar."""
    from datetime import date, datetime, timezone

    from backend.swedish_time import local_date
    assert local_date(datetime(2026, 6, 30, 22, 30, tzinfo=timezone.utc)) == date(2026, 7, 1)   # 00:30 CEST
    assert local_date(datetime(2026, 12, 31, 22, 59, tzinfo=timezone.utc)) == date(2026, 12, 31)  # 23:59 CET
    assert local_date(datetime(2026, 12, 31, 23, 0)) == date(2027, 1, 1)  # naive (SQLite) is UTC
