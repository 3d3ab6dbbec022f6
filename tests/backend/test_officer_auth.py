"""Officer log-in: argon2 passwords, bearer tokens for the API, a session cookie for the web pages."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from kg_testkit import DEMO_PASSWORD, JH_HANDLER, JH_RECEIVER, PN_HANDLER, REGION_JH, error_of

from backend.models import Officer, OfficerSession
from backend.swedish_time import utcnow


async def login(kg, email: str, password: str = DEMO_PASSWORD):
    return await kg.client.post("/api/v1/officer/login", json={"email": email, "password": password})


async def test_login_gives_a_bearer_token(kg):
    r = await login(kg, JH_HANDLER)
    assert r.status == 200
    data = await r.json()
    assert data["officer"]["email"] == JH_HANDLER
    assert data["officer"]["role"] == "handler"
    assert data["officer"]["organisation"]["id"] == REGION_JH
    assert data["officer"]["organisation"]["kind"] == "care_provider"
    assert data["expires_at"].endswith("Z")
    me = await kg.client.get("/api/v1/officer/me", headers={"Authorization": f"Bearer {data['token']}"})
    assert me.status == 200
    assert (await me.json())["email"] == JH_HANDLER
    # only a hash of the token is kept
    rows = await kg.rows(OfficerSession, OfficerSession.token_hash == hashlib.sha256(data["token"].encode()).hexdigest())
    assert len(rows) == 1 and rows[0].kind == "api"
    for s in await kg.rows(OfficerSession):
        assert data["token"] not in s.model_dump_json()


async def test_passwords_are_argon2_hashes(kg):
    for o in await kg.rows(Officer):
        assert o.password_hash.startswith("$argon2id$")
        assert DEMO_PASSWORD not in o.password_hash


async def test_login_email_is_case_insensitive(kg):
    assert (await login(kg, JH_HANDLER.upper())).status == 200


@pytest.mark.parametrize("email,password", [(JH_HANDLER, "fel-losen"), (JH_HANDLER, DEMO_PASSWORD + " "),
                                            ("ingen@example.se", DEMO_PASSWORD), (JH_HANDLER, "")])
async def test_wrong_credentials(kg, email, password):
    r = await login(kg, email, password)
    assert r.status in (401, 422)
    if password:
        assert r.status == 401
        err = await error_of(r)
        assert err["code"] == "invalid_credentials"
        assert err["message"] == "Fel e-postadress eller lösenord."


async def test_unknown_email_and_wrong_password_look_the_same(kg):
    a = await login(kg, JH_HANDLER, "fel")
    b = await login(kg, "ingen@example.se", "fel")
    assert a.status == b.status == 401
    assert await a.json() == await b.json()


async def test_login_failures_are_rate_limited(kg):
    for _ in range(10):
        assert (await login(kg, JH_HANDLER, "fel")).status == 401
    r = await login(kg, JH_HANDLER, DEMO_PASSWORD)
    assert r.status == 429
    assert (await error_of(r))["code"] == "too_many_attempts"


async def test_logout_ends_the_session(kg):
    token = (await (await login(kg, JH_HANDLER)).json())["token"]
    h = {"Authorization": f"Bearer {token}"}
    assert (await kg.client.post("/api/v1/officer/logout", headers=h)).status == 200
    assert (await kg.client.get("/api/v1/officer/me", headers=h)).status == 401
    # other sessions of the same officer are unaffected
    assert (await kg.client.get("/api/v1/officer/me", headers=kg.auth(JH_HANDLER))).status == 200


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nonsense", "Basic aGVqOmhlag==", "bearer  "])
async def test_officer_routes_need_a_valid_token(kg, header):
    headers = {"Authorization": header} if header else {}
    for method, path in [("GET", "/api/v1/officer/me"), ("GET", "/api/v1/officer/cases"),
                         ("GET", "/api/v1/officer/cases/KG-2026-000001"),
                         ("POST", "/api/v1/officer/cases/KG-2026-000001/take"),
                         ("GET", "/api/v1/officer/export/tagged?tag=cancer"),
                         ("POST", "/api/v1/officer/logout")]:
        r = await kg.client.request(method, path, headers=headers, json={} if method == "POST" else None)
        assert r.status == 401, (method, path, r.status)
        assert (await error_of(r))["code"] == "unauthorized"


async def test_the_service_token_is_not_an_officer_token(kg):
    from kg_testkit import SERVICE_TOKEN
    r = await kg.client.get("/api/v1/officer/cases", headers={"Authorization": f"Bearer {SERVICE_TOKEN}"})
    assert r.status == 401


async def test_expired_session_is_refused(kg):
    token = (await (await login(kg, JH_HANDLER)).json())["token"]
    h = hashlib.sha256(token.encode()).hexdigest()
    async with kg.session() as s:
        row = await s.get(OfficerSession, h)
        row.expires_at = utcnow() - timedelta(minutes=1)
        s.add(row)
        await s.commit()
    assert (await kg.client.get("/api/v1/officer/me", headers={"Authorization": f"Bearer {token}"})).status == 401


async def test_deactivated_officer_is_refused(kg):
    async with kg.session() as s:
        from sqlmodel import select
        o = (await s.exec(select(Officer).where(Officer.email == JH_RECEIVER))).one()
        o.active = False
        s.add(o)
        await s.commit()
    assert (await kg.client.get("/api/v1/officer/me", headers=kg.auth(JH_RECEIVER))).status == 401
    assert (await login(kg, JH_RECEIVER)).status == 401


# --- the web session cookie ------------------------------------------------------------------------------

async def test_web_login_sets_a_session_cookie(kg):
    c = await kg.new_case()
    b = kg.browser()
    assert (await b.get("/officer")).status in (302, 303)  # not logged in: to the log-in page
    r = await b.login(JH_HANDLER)
    assert r.status == 303
    assert r.headers["Location"] == "/officer"
    cookie = r.cookies["kg_session"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    page = await b.get("/officer")
    assert page.status == 200
    html = await page.text()
    assert c["reference"] in html
    rows = await kg.rows(OfficerSession, OfficerSession.token_hash == hashlib.sha256(cookie.value.encode()).hexdigest())
    assert len(rows) == 1 and rows[0].kind == "web"


async def test_web_login_wrong_password(kg):
    b = kg.browser()
    r = await b.login(JH_HANDLER, "fel-losen")
    assert r.status == 401
    assert "kg_session" not in r.cookies
    assert "Fel e-postadress eller lösenord." in await r.text()
    assert (await b.get("/officer")).status in (302, 303)


async def test_web_login_needs_the_csrf_token(kg):
    b = kg.browser()
    await b.get("/officer/login")
    r = await b.post("/officer/login", {"email": JH_HANDLER, "password": DEMO_PASSWORD})
    assert r.status == 403
    assert "kg_session" not in r.cookies


async def test_api_token_is_not_a_web_session_and_cookie_is_not_an_api_token(kg):
    b = kg.browser()
    b.http.cookie_jar.update_cookies({"kg_session": kg.tokens[JH_HANDLER]})
    assert (await b.get("/officer")).status in (302, 303)
    b2 = kg.browser()
    await b2.login(JH_HANDLER)
    # the cookie alone does not open the JSON API (bearer tokens only: no CSRF there)
    r = await b2.get("/api/v1/officer/me")
    assert r.status == 401


async def test_web_logout(kg):
    b = kg.browser()
    await b.login(PN_HANDLER)
    token = await b.csrf("/officer")
    r = await b.post("/officer/logout", {"csrf_token": token})
    assert r.status == 303
    assert (await b.get("/officer")).status in (302, 303)


async def test_expired_sessions_are_deleted(kg):
    """The deadline loop also deletes expired sessions; live ones stay and keep working."""
    from backend.services import auth
    live = (await (await login(kg, JH_HANDLER)).json())["token"]
    dead = (await (await login(kg, PN_HANDLER)).json())["token"]
    async with kg.session() as s:
        row = await s.get(OfficerSession, hashlib.sha256(dead.encode()).hexdigest())
        assert row is not None, "token_hash is no longer sha256: adjust this test"
        row.expires_at = utcnow() - timedelta(minutes=1)
        s.add(row)
        await s.commit()
    before = await kg.count(OfficerSession)
    async with kg.session() as s:
        assert await auth.purge_expired_sessions(s) == 1
    assert await kg.count(OfficerSession) == before - 1
    assert (await kg.client.get("/api/v1/officer/me", headers={"Authorization": f"Bearer {live}"})).status == 200
    assert (await kg.client.get("/api/v1/officer/me", headers={"Authorization": f"Bearer {dead}"})).status == 401
