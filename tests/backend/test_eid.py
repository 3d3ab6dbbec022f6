"""e-ID for reporters against a real OpenID provider (tests/oidc: panva/oidc-provider 8 on Node.js, test
identities with the Swedish OIDC profile's personnummer claim): the reporter page's "Mina ärenden", the
chat's identity ticket, the officer's view — and every way a log-in can go wrong, each with a clear Swedish
message and nothing else changed."""
from __future__ import annotations

import logging
import socket
from datetime import timedelta

import pytest
from kg_testkit import JH_HANDLER, PNR, case_body, error_of, service_headers
from oidc_harness import (ANNA_PNR, CHILD_PNR, KARL_PNR, callback_path, log_in_at_provider, query_of,
                          rp_settings, start_provider)

from backend.models import Case, IdentityToken, OidcLogin, VerifiedIdentity
from backend.swedish_time import local_date, utcnow


@pytest.fixture(scope="module")
def provider():
    p = start_provider()
    yield p
    p.stop()


@pytest.fixture
def own_provider():
    """Factory for a provider of the test's own (another clock, another issuer, one to stop)."""
    started = []

    def start(**kw):
        started.append(start_provider(**kw))
        return started[-1]

    yield start
    for p in started:
        p.stop()


async def begin(browser, purpose: str = "arende") -> str:
    r = await browser.get(f"/e-legitimation/logga-in?for={purpose}")
    assert r.status == 303, await r.text()
    assert browser.cookie("kg_eid_login")
    return r.headers["Location"]


async def eid_login(kg, account: str = "anna", purpose: str = "arende", browser=None):
    b = browser or kg.browser()
    back = await log_in_at_provider(await begin(b, purpose), account)
    return b, await b.get(callback_path(back))


async def exchange(kg, ticket: str):
    return await kg.client.post("/api/v1/identity/tickets/exchange", json={"ticket": ticket},
                                headers=service_headers())


async def chat_identity(kg, account: str = "anna") -> dict:
    """The chat's path: log in in the window, the page's ticket, the assistant's exchange."""
    _b, r = await eid_login(kg, account, "chat")
    page = await r.text()
    assert r.status == 200, page
    ticket = page.split('data-ticket="', 1)[1].split('"', 1)[0]
    got = await exchange(kg, ticket)
    data = await got.json()
    assert got.status == 200, data
    return {**data, "ticket": ticket}


def intake_body(identity_token: str | None = None, **over):
    body = case_body(**over)
    if identity_token:
        body["identity_token"] = identity_token
    return body


# --- without configuration --------------------------------------------------------------------------------

async def test_without_configuration_everything_is_as_before(kg):
    assert (await kg.client.get("/e-legitimation/logga-in")).status == 404
    page = await (await kg.client.get("/arende")).text()
    assert "e-legitimation" not in page and "Ärendenummer" in page
    c = await kg.new_case()
    assert c["identity_verified"] is False
    view = await (await kg.officer_get(JH_HANDLER, c["reference"])).json()
    assert view["reporter"]["verified"] is False


# --- the reporter page ----------------------------------------------------------------------------------------

async def test_mina_arenden_lists_the_cases_of_the_logged_in_person_without_a_code(make_kg, provider, caplog):
    caplog.set_level(logging.DEBUG)
    kg = await make_kg(**rp_settings(provider))
    about_anna = await kg.new_case(patient={"name": "Anna Andersson", "personnummer": ANNA_PNR},
                                   reporter={"role": "relative", "name": "Bo Andersson"})
    someone_else = await kg.new_case()  # Karl, reported by an unverified relative
    ident = await chat_identity(kg, "anna")
    filed_by_anna = (await kg.intake(intake_body(ident["identity_token"]))).status
    assert filed_by_anna == 201

    b, r = await eid_login(kg, "anna", "arende")
    assert r.status == 303 and r.headers["Location"] == "/arende"
    assert r.cookies["kg_eid"]["httponly"]
    page = await (await b.get("/arende")).text()
    assert "Mina ärenden" in page and "Anna Andersson" in page
    assert about_anna["reference"] in page
    assert someone_else["reference"] not in page
    refs = [row.reference for row in await kg.rows(Case)]
    filed_ref = [x for x in refs if x not in (about_anna["reference"], someone_else["reference"])][0]
    assert filed_ref in page and "du skickade in det" in page and "du är patienten" in page

    # open one: the case page, without the access code; another person's case cannot be opened this way
    token = await b.csrf("/arende")
    r = await b.post("/arende/mina", {"csrf_token": token, "reference": someone_else["reference"]})
    assert r.status == 303 and not b.cookie("kg_reporter")
    r = await b.post("/arende/mina", {"csrf_token": token, "reference": about_anna["reference"]})
    assert r.status == 303 and b.cookie("kg_reporter")
    page = await (await b.get("/arende")).text()
    assert "Ditt ärende" in page and about_anna["reference"] in page and "Mina ärenden" in page

    # back to the list, then log out of everything
    r = await b.post("/arende/mina/lista", {"csrf_token": await b.csrf("/arende")})
    assert r.status == 303
    assert "Mina ärenden" in await (await b.get("/arende")).text()
    r = await b.post("/arende/logga-ut", {"csrf_token": await b.csrf("/arende")})
    page = await (await b.get("/arende")).text()
    assert "Mina ärenden" not in page and "Logga in med e-legitimation" in page
    assert await kg.rows(IdentityToken, IdentityToken.kind == "web") == []

    # the personnummer and the name never reach the log
    assert ANNA_PNR not in caplog.text and "19811228" not in caplog.text and "Anna" not in caplog.text


async def test_the_identity_is_kept_a_few_hours_and_then_purged(make_kg, provider):
    from backend.services import identities
    kg = await make_kg(**rp_settings(provider))
    await eid_login(kg, "karl", "arende")
    rows = await kg.rows(VerifiedIdentity)
    assert len(rows) == 1 and rows[0].personnummer == KARL_PNR
    assert rows[0].expires_at - rows[0].verified_at <= timedelta(hours=4)
    assert await kg.rows(OidcLogin) == []  # the log-in is used up by its callback
    async with kg.session() as s:
        await identities.purge_expired(s, now=utcnow() + timedelta(hours=5))
    assert await kg.rows(VerifiedIdentity) == [] and await kg.rows(IdentityToken) == []


# --- the chat's ticket and the intake ------------------------------------------------------------------------

async def test_the_ticket_gives_the_verified_identity_once_and_marks_the_case(make_kg, provider):
    kg = await make_kg(**rp_settings(provider))
    ident = await chat_identity(kg, "karl")
    assert ident["personnummer"] == KARL_PNR
    assert (ident["given_name"], ident["family_name"]) == ("Karl", "Andersson")
    again = await exchange(kg, ident["ticket"])
    assert again.status == 404 and "Logga in igen" in (await error_of(again))["message"]
    assert (await kg.client.post("/api/v1/identity/tickets/exchange", json={"ticket": "x"})).status == 401

    body = intake_body(ident["identity_token"], reporter={"role": "patient", "name": "Kalle"},
                       patient={"name": "Kalle", "personnummer": KARL_PNR}, patient_consent="not_needed")
    r = await kg.intake(body)
    created = await r.json()
    assert r.status == 201 and created["identity_verified"] is True
    row = await kg.case_row(created["reference"])
    assert row.reporter_verified_at is not None and row.reporter_name == "Karl Andersson"
    view = await (await kg.officer_get(JH_HANDLER, created["reference"])).json()
    assert view["reporter"]["verified"] is True

    # the officer's page: verified, and no warning before answering the patient themselves
    officer = kg.logged_in(JH_HANDLER)
    page = await (await officer.get(f"/officer/arenden/{created['reference']}")).text()
    assert "Identitet styrkt med e-legitimation" in page and 'data-testid="unverified-warning"' not in page

    # the intake token is used once: a second case with it is filed, but not as verified
    r = await kg.intake(body)
    assert r.status == 201 and (await r.json())["identity_verified"] is False


async def test_a_verified_patient_must_be_the_patient(make_kg, provider):
    kg = await make_kg(**rp_settings(provider))
    ident = await chat_identity(kg, "anna")
    r = await kg.intake(intake_body(ident["identity_token"], reporter={"role": "patient"},
                                    patient={"name": "Karl", "personnummer": PNR}, patient_consent="not_needed"))
    assert r.status == 422
    assert "patient.personnummer" in (await error_of(r))["fields"]
    # nothing written, and the token is still good for the corrected intake
    r = await kg.intake(intake_body(ident["identity_token"], reporter={"role": "relative", "name": "Anna"}))
    assert r.status == 201 and (await r.json())["identity_verified"] is True


async def test_officer_sees_unverified_and_is_warned_before_answering(make_kg, provider):
    kg = await make_kg(**rp_settings(provider))
    unverified = await kg.new_case()  # a relative, not verified, about Karl
    officer = kg.logged_in(JH_HANDLER)
    await kg.ok(JH_HANDLER, unverified["reference"], "take")
    page = await (await officer.get(f"/officer/arenden/{unverified['reference']}")).text()
    assert "Identitet ej styrkt" in page
    assert 'data-testid="unverified-warning"' in page and "omfattas av sekretess" in page
    assert "Har du kontrollerat att anmälaren får ta del av svaret?" in page

    # a verified guardian: no warning about identity, but custody is left to the officer, and the age is checked
    ident = await chat_identity(kg, "anna")
    child = await kg.intake(intake_body(ident["identity_token"], reporter={"role": "guardian", "name": "Anna"},
                                        patient={"name": "Elsa", "personnummer": CHILD_PNR}, child_age=3,
                                        patient_consent="not_needed",
                                        event_date=(local_date() - timedelta(days=3)).isoformat()))
    ref = (await child.json())["reference"]
    await kg.ok(JH_HANDLER, ref, "take")
    page = await (await officer.get(f"/officer/arenden/{ref}")).text()
    assert "Identitet styrkt med e-legitimation" in page
    assert 'data-testid="unverified-warning"' not in page
    assert "Vårdnaden är inte kontrollerad" in page
    assert 'data-testid="child-age-mismatch"' in page


# --- what can go wrong -----------------------------------------------------------------------------------------

async def signed_in_with_code(kg, c):
    b = kg.browser()
    r = await b.post("/arende", {"csrf_token": await b.csrf("/arende"), "reference": c["reference"],
                                 "access_code": c["access_code"]})
    assert r.status == 303
    return b


async def still_signed_in(b, c) -> None:
    page = await (await b.get("/arende")).text()
    assert "Ditt ärende" in page and c["reference"] in page


async def test_wrong_state_is_refused(make_kg, provider):
    kg = await make_kg(**rp_settings(provider))
    c = await kg.new_case()
    b = await signed_in_with_code(kg, c)
    back = await log_in_at_provider(await begin(b), "anna")

    # the callback in another browser (no binding cookie): refused, and the log-in is used up
    stranger = kg.browser()
    r = await stranger.get(callback_path(back))
    assert r.status == 400
    assert "hörde inte ihop med den här webbläsaren" in await r.text()
    r = await b.get(callback_path(back))
    assert r.status == 400 and not b.cookie("kg_eid")

    # a made-up state
    r = await b.get("/e-legitimation/callback?code=abc&state=made-up")
    assert r.status == 400 and "Börja om och logga in igen" in await r.text()
    await still_signed_in(b, c)
    assert await kg.rows(VerifiedIdentity) == []


async def test_wrong_nonce_is_refused(make_kg, provider):
    kg = await make_kg(**rp_settings(provider))
    b = kg.browser()
    url = await begin(b)
    nonce = query_of(url)["nonce"]
    back = await log_in_at_provider(url.replace(f"nonce={nonce}", "nonce=someone-elses-nonce"), "anna")
    r = await b.get(callback_path(back))
    assert r.status == 400
    assert "hörde inte till den här inloggningen" in await r.text()
    assert not b.cookie("kg_eid") and await kg.rows(VerifiedIdentity) == []


async def test_an_expired_id_token_is_refused(make_kg, own_provider):
    # the provider's clock is two hours behind: its ID token (five minutes long) expired long ago
    p = own_provider(clock_offset_s=-7200)
    kg = await make_kg(**rp_settings(p))
    b, r = await eid_login(kg, "anna")
    assert r.status == 400
    assert "hade gått ut, eller var inte giltigt ännu" in await r.text()
    assert await kg.rows(VerifiedIdentity) == []


async def test_a_provider_clock_beyond_the_leeway_is_refused(make_kg, own_provider):
    ahead = own_provider(clock_offset_s=600)  # ten minutes ahead: the token is issued "in the future"
    kg = await make_kg(**rp_settings(ahead, oidc_leeway_s=60))
    _b, r = await eid_login(kg, "anna")
    assert r.status == 400 and "inte giltigt ännu" in await r.text()


async def test_a_provider_clock_within_the_leeway_is_accepted(make_kg, own_provider):
    slightly = own_provider(clock_offset_s=30)
    kg = await make_kg(**rp_settings(slightly, oidc_leeway_s=60))
    _b, r = await eid_login(kg, "anna")
    assert r.status == 303, await r.text()


async def test_a_wrong_issuer_is_refused(make_kg, provider, own_provider):
    # mix-up: the log-in is begun with our provider but answered by another (which knows the same client)
    other = own_provider()
    kg = await make_kg(**rp_settings(provider))
    b = kg.browser()
    url = await begin(b)
    back = await log_in_at_provider(url.replace(provider.url, other.url), "anna")
    assert query_of(back)["iss"] == other.issuer
    r = await b.get(callback_path(back))
    assert r.status == 400
    assert "inte från den tjänst för e-legitimation som vi använder" in await r.text()
    assert await kg.rows(VerifiedIdentity) == []


async def test_a_provider_that_calls_itself_another_issuer_is_refused(make_kg, own_provider):
    # the discovery document at the configured address names another issuer
    p = own_provider(issuer="http://idp.other.example")
    kg = await make_kg(**rp_settings(issuer=p.url))
    r = await kg.browser().get("/e-legitimation/logga-in?for=chat")
    page = await r.text()
    assert r.status == 400 and "inte från den tjänst för e-legitimation som vi använder" in page
    assert "Det du har skrivit i chatten finns kvar" in page


async def test_the_provider_down_at_the_start(make_kg):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    kg = await make_kg(**rp_settings(issuer=f"http://127.0.0.1:{dead_port}"))
    c = await kg.new_case()
    b = await signed_in_with_code(kg, c)
    r = await b.get("/e-legitimation/logga-in?for=arende")
    page = await r.text()
    assert r.status == 503 and "svarar inte just nu" in page
    assert "Ingenting i dina ärenden har ändrats" in page
    await still_signed_in(b, c)


async def test_the_provider_going_down_after_the_log_in(make_kg, own_provider):
    p = own_provider()
    kg = await make_kg(**rp_settings(p))
    c = await kg.new_case()
    b = await signed_in_with_code(kg, c)
    back = await log_in_at_provider(await begin(b, "chat"), "anna")
    p.stop()
    r = await b.get(callback_path(back))
    page = await r.text()
    assert r.status == 503 and "svarar inte just nu" in page
    assert "Det du har skrivit i chatten finns kvar" in page
    await still_signed_in(b, c)
    assert await kg.rows(VerifiedIdentity) == []


async def test_the_person_cancels_at_the_provider(make_kg, provider):
    kg = await make_kg(**rp_settings(provider))
    b = kg.browser()
    url = await begin(b)
    state = query_of(url)["state"]
    r = await b.get(f"/e-legitimation/callback?error=access_denied&state={state}&iss={provider.issuer}")
    assert r.status == 400 and "Inloggningen avbröts" in await r.text()
