"""Hypothesis properties over HTTP against the real server (the `server`/`api` fixtures in conftest.py).

* The unit search never fails on arbitrary Unicode: 200 with results that fit the document, or a 422 for `q`.
* Intake with garbage in any field — unknown fields, wrong JSON types, values the validators must refuse —
  answers 4xx with Swedish field-by-field messages and writes no row.
* Every valid personnummer form (12 or 10 digits, with or without separator, samordningsnummer) is accepted
  and stored normalised, with age and gender derived from it.
* The reporter routes never tell whether a reference exists: a wrong code for a real case and any code for
  a made-up reference get the same answer.
"""
from __future__ import annotations

import os
import re
import uuid
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import requests
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from backend import catalogue
from backend.api.openapi import document
from backend.hsa import is_hsa_id
from backend.schemas import EMAIL_RE, PHONE_RE, TAG_RE

from .contract_helpers import luhn_digit, valid_case
from backend.swedish_time import local_date

ROOT = Path(__file__).resolve().parents[2]
# KG_PROPERTY_EXAMPLES raises the budget for a deeper local run
EXAMPLES = int(os.environ.get("KG_PROPERTY_EXAMPLES", "60"))
PROPS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))


@lru_cache(maxsize=None)
def response_validator(name: str) -> jsonschema_rs.Validator:
    doc = document()
    return jsonschema_rs.Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": doc["components"]})


@lru_cache(maxsize=1)
def swedish_templates() -> list[re.Pattern[str]]:
    """The Swedish source messages of the catalog, as patterns ({n} and friends match anything)."""
    from babel.messages.pofile import read_po
    with open(ROOT / "locales" / "sv" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        ids = [m.id for m in read_po(fh, locale="sv") if m.id and isinstance(m.id, str)]
    return [re.compile("^" + re.sub(r"\\\{\w+\\\}", ".*", re.escape(i)) + "$", re.S) for i in ids]


def is_swedish_message(text: str) -> bool:
    return any(p.match(text) for p in swedish_templates())


# --- 1. the unit search ---------------------------------------------------------------------------------

@PROPS
@given(q=st.text(max_size=250), limit=st.one_of(st.none(), st.integers(1, 20)),
       region=st.one_of(st.none(), st.sampled_from(["jamtland", "uppsala", "skane"]), st.text(max_size=40)))
def test_unit_search_never_fails_on_any_text(api, q: str, limit: int | None, region: str | None) -> None:
    params: dict[str, Any] = {"q": q}
    if limit is not None:
        params["limit"] = limit
    if region is not None:
        params["region"] = region
    r = requests.get(api.url + "/api/v1/units", params=params, timeout=30)
    assert r.status_code in (200, 422), r.text
    body = r.json()
    if r.status_code == 422:
        assert body["error"]["code"] == "validation_error"
        assert set(body["error"]["fields"]) <= {"q", "region"}
        assert all(is_swedish_message(m) for m in body["error"]["fields"].values()), body
        return
    response_validator("UnitSearch").validate(body)
    results = body["results"]
    assert len(results) <= (limit or 5)
    scores = [u["score"] for u in results]
    assert scores == sorted(scores, reverse=True)
    if region:
        assert all(u["region"]["code"] == region for u in results)


# --- 2. garbage in intake ------------------------------------------------------------------------------

FLOATS = st.floats(allow_nan=False, allow_infinity=False)
JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(), FLOATS, st.text(max_size=30))
ANY_JSON = st.recursive(JSON_LEAF, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                            st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                        max_leaves=8)
CONTAINERS = st.one_of(st.lists(JSON_LEAF, max_size=3), st.dictionaries(st.text(max_size=8), JSON_LEAF, max_size=3))
NOT_STRING = st.one_of(st.booleans(), st.integers(), FLOATS, CONTAINERS)  # refused by every text field
TRUTHY = {"1", "on", "t", "true", "y", "yes"}


def _text_not(pred) -> st.SearchStrategy[str]:
    return st.text(min_size=1, max_size=60).filter(lambda t: t.strip() != "" and not pred(t.strip()))


def _future_date() -> st.SearchStrategy[str]:
    return st.integers(1, 3000).map(lambda d: (local_date() + timedelta(days=d)).isoformat())


def _valid_pnr(t: str) -> bool:
    from backend import pnr
    try:
        pnr.parse(t)
        return True
    except ValueError:
        return False


SUBS = set(catalogue.sub_codes())
# path -> values that must be refused there (each one invalid whatever the rest of the body says)
GARBAGE: dict[str, st.SearchStrategy[Any]] = {
    "channel": st.one_of(NOT_STRING, _text_not(lambda t: t in {"chat", "web", "phone", "letter", "integration"})),
    "recipient": st.one_of(st.none(), NOT_STRING, _text_not(lambda t: t in {"care_provider", "patient_board"})),
    "care_unit_hsa_id": st.one_of(NOT_STRING, _text_not(is_hsa_id),
                                  st.from_regex(r"\ASE999\d{7}-[A-Z0-9]{1,8}\Z")),  # well-formed but unknown
    "care_unit_text": NOT_STRING,
    "region_code": NOT_STRING,
    "event_date": st.one_of(CONTAINERS, st.booleans(), _future_date(),
                            st.text(min_size=1, max_size=20).filter(lambda t: not re.fullmatch(r"\s*\d[\d\-:T.Z+ ]*", t))),
    "reporter": st.one_of(st.none(), NOT_STRING, st.text(max_size=20)),
    "reporter.role": st.one_of(st.none(), NOT_STRING,
                               _text_not(lambda t: t in {"patient", "relative", "guardian", "representative"})),
    "reporter.name": NOT_STRING,
    "reporter.email": st.one_of(NOT_STRING, _text_not(lambda t: bool(EMAIL_RE.match(t)))),
    "reporter.phone": st.one_of(NOT_STRING, _text_not(lambda t: bool(PHONE_RE.match(t)))),
    "reporter.preferred_contact": st.one_of(st.none(), NOT_STRING, _text_not(lambda t: t in {"email", "phone", "none"})),
    "patient": st.one_of(st.none(), NOT_STRING, st.text(max_size=20)),
    "patient.name": st.one_of(st.none(), NOT_STRING, st.just(""), st.just("   ")),
    "patient.personnummer": st.one_of(st.none(), NOT_STRING, _text_not(_valid_pnr),
                                      st.from_regex(r"\A(19|20)\d{10}\Z").filter(lambda t: not _valid_pnr(t))),
    "patient_consent": st.one_of(st.none(), NOT_STRING,
                                 _text_not(lambda t: t in {"yes", "no", "unknown", "not_needed"})),
    "consent_note": NOT_STRING,
    "child_age": st.one_of(st.integers(max_value=-1), st.integers(min_value=18), st.floats(0.1, 17.9).filter(
        lambda f: not f.is_integer()), CONTAINERS,
        st.text(min_size=1, max_size=10).filter(lambda t: not any(c.isdigit() for c in t))),
    "description": st.one_of(st.none(), NOT_STRING, st.just(""), st.just("  \n "), st.just("x" * 10_001)),
    "reporter_category": st.one_of(NOT_STRING, _text_not(lambda t: t in SUBS or t == "none")),
    "desired_outcome": st.one_of(NOT_STRING, st.just("x" * 2001)),
    "reply_wanted": st.one_of(st.none(), CONTAINERS, st.floats(0.1, 0.9), st.integers(min_value=2),
                              _text_not(lambda t: t.lower() in TRUTHY | {"0", "off", "f", "false", "n", "no"})),
    "tags": st.one_of(st.none(), NOT_STRING.filter(lambda v: not isinstance(v, list)),
                      st.lists(_text_not(lambda t: bool(TAG_RE.match(t))), min_size=1, max_size=3),
                      st.lists(st.just("cancer"), min_size=11, max_size=12)),
    "personal_data_consent": st.one_of(st.none(), st.just(False), CONTAINERS, st.floats(0.1, 0.9),
                                       st.integers(min_value=2), _text_not(lambda t: t.lower() in TRUTHY)),
}
UNKNOWN_AT = ["", "reporter.", "patient."]


@st.composite
def garbage_cases(draw) -> tuple[dict[str, Any], list[str]]:
    body = valid_case()
    paths: list[str] = []
    for path in draw(st.lists(st.sampled_from(sorted(GARBAGE)), min_size=0, max_size=3, unique=True)):
        target, _, key = path.rpartition(".")
        holder = body[target] if target else body
        if not isinstance(holder, dict):  # an earlier mutation replaced the parent object
            continue
        holder[key] = draw(GARBAGE[path])
        paths.append(path)
    if not paths or draw(st.booleans()):
        prefix = draw(st.sampled_from(UNKNOWN_AT))
        holder = body[prefix[:-1]] if prefix else body
        if isinstance(holder, dict):
            name = draw(st.text(min_size=1, max_size=20).filter(lambda k: k not in holder and k.strip() == k))
            holder[name] = draw(ANY_JSON)
            paths.append(prefix + name)
    assume(paths)
    return body, paths


def _relates(field: str, path: str) -> bool:
    return field == path or field.startswith(path + ".") or path.startswith(field + ".")


def _count_rows(api) -> dict[str, int]:
    return {t: api.count(t) for t in ("case", "caseevent", "message", "auditentry")}


def test_garbage_intake_is_refused_field_by_field_and_writes_nothing(api) -> None:
    before = _count_rows(api)

    @settings(max_examples=2 * EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(garbage_cases())
    def prop(mutated: tuple[dict[str, Any], list[str]]) -> None:
        body, paths = mutated
        r = requests.post(api.url + "/api/v1/cases", json=body, timeout=30,
                          headers={**api.service_headers(), "Idempotency-Key": uuid.uuid4().hex})
        assert 400 <= r.status_code < 500, (r.status_code, r.text, paths)
        err = r.json()["error"]
        assert err["code"] == "validation_error", err
        assert is_swedish_message(err["message"])
        fields = err["fields"]
        assert fields and all(isinstance(m, str) and is_swedish_message(m) for m in fields.values()), fields
        assert any(_relates(f, p) for f in fields for p in paths), (fields, paths)

    prop()
    assert _count_rows(api) == before


# --- 3. personnummer forms -----------------------------------------------------------------------------

@st.composite
def personnummer_forms(draw) -> tuple[str, str, date, str]:
    """(as typed, normalised 12 digits, birth date, gender)."""
    today = local_date()
    birth = draw(st.dates(min_value=date(today.year - 110, 1, 1), max_value=today - timedelta(days=1)))
    serial = draw(st.integers(1, 999))  # födelsenummer 000 is never issued
    coordination = draw(st.booleans())
    day = birth.day + (60 if coordination else 0)
    nine = f"{birth:%y%m}{day:02d}{serial:03d}"
    check = luhn_digit(nine)
    normalised = f"{birth:%Y}"[:2] + nine + check
    forms = [normalised, normalised[:8] + "-" + normalised[8:]]
    # the ten-digit form: '-' until the year the person turns 100, then '+' (Skatteverket)
    if today.year - birth.year < 100:
        forms += [nine[:6] + "-" + nine[6:] + check]
    else:
        forms += [nine[:6] + "+" + nine[6:] + check]
    typed = draw(st.sampled_from(forms))
    gender = "female" if serial % 2 == 0 else "male"
    return typed, normalised, birth, gender


@PROPS
@given(form=personnummer_forms())
def test_every_personnummer_form_is_accepted_and_normalised(api, form) -> None:
    typed, normalised, birth, gender = form
    event = local_date() - timedelta(days=1)
    assume(birth <= event)
    r = requests.post(api.url + "/api/v1/cases", timeout=30,
                      json=valid_case(patient={"name": "Test Testsson", "personnummer": typed},
                                      event_date=event.isoformat()),
                      headers={**api.service_headers(), "Idempotency-Key": uuid.uuid4().hex})
    assert r.status_code == 201, (typed, r.text)
    ref = r.json()["reference"]
    case = requests.get(f"{api.url}/api/v1/officer/cases/{ref}", headers=api.officer_headers(), timeout=30).json()
    age = event.year - birth.year - ((event.month, event.day) < (birth.month, birth.day))
    assert case["patient"]["personnummer"] == normalised
    assert case["patient"]["gender"] == gender
    assert case["patient"]["age"] == age


# --- 4. the reporter routes do not reveal which references exist ------------------------------------------

HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
                      max_size=40).filter(lambda c: c == "" or not c[0].isspace())


def test_reporter_answers_do_not_reveal_whether_a_reference_exists(api) -> None:
    """Wrong code for a real case vs any code for a made-up reference: same status, same body. Each real case
    takes at most 4 failures here, so both sides stay below the lock-out; then the lock-out itself is compared."""
    real: list[str] = []
    uses = iter(range(10**6))

    def a_real_reference() -> str:
        if next(uses) % 4 == 0:
            real.append(api.create_case()["reference"])
        return real[-1]

    def ask(ref: str, code: str, path: str) -> tuple[int, Any]:
        headers = {**api.service_headers(), "X-Client-Id": uuid.uuid4().hex, "X-Access-Code": code}
        r = requests.get(f"{api.url}/api/v1/reporter/cases/{ref}{path}", headers=headers, timeout=30)
        return r.status_code, r.json()

    fakes = (f"KG-1999-{n:06d}" for n in range(1, 10**6))  # fresh each time, never near a lock-out either

    @settings(max_examples=max(40, EXAMPLES // 2), deadline=None, suppress_health_check=list(HealthCheck))
    @given(code=HEADER_TEXT, path=st.sampled_from(["", "/attachments/1", "/attachments/999999"]))
    def prop(code: str, path: str) -> None:
        mine, made_up = ask(a_real_reference(), code, path), ask(next(fakes), code, path)
        assert mine[0] == 404, mine
        assert mine == made_up

    prop()
    # the lock-out after 5 failures looks the same too
    ref, fake = api.create_case()["reference"], "KG-1998-000001"
    for _ in range(5):
        assert ask(ref, "FEL-KOD", "")[0] == ask(fake, "FEL-KOD", "")[0] == 404
    locked = ask(ref, "FEL-KOD", ""), ask(fake, "FEL-KOD", "")
    assert locked[0][0] == 429 and locked[0] == locked[1]
