"""Officer accounts: the TOTP second factor (real pyotp codes), idle expiry, password change and deactivation
ending sessions, and the command line that does them."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pyotp
from sqlmodel import select
from conftest import ROOT, in_thread
from kg_testkit import DEMO_PASSWORD, JH_ADMIN, JH_HANDLER, JH_RECEIVER, SECRET_KEY, SERVICE_TOKEN, error_of

from backend.models import AuditEntry, Officer, OfficerSession
from backend.services import totp
from backend.swedish_time import utcnow


def cli(kg, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": kg.db_url, "KG_SECRET_KEY": SECRET_KEY,
           "KG_SERVICE_TOKEN": SERVICE_TOKEN, "RASA_TELEMETRY_ENABLED": "false"}
    return in_thread(lambda: subprocess.run([sys.executable, "-m", "backend", *args], cwd=ROOT, env=env,
                                            capture_output=True, text=True, timeout=120))


def enrol_cli(kg, email: str) -> pyotp.TOTP:
    """`enrol-totp` as an administrator runs it; the authenticator app made from the printed link."""
    out = cli(kg, "enrol-totp", "--email", email)
    assert out.returncode == 0, out.stderr
    uri = next(line.split("länk:", 1)[1].strip() for line in out.stdout.splitlines() if "länk:" in line)
    key = next(line.split("nyckel:", 1)[1].strip() for line in out.stdout.splitlines() if "nyckel:" in line)
    parsed = urlparse(uri)
    assert parsed.scheme == "otpauth" and parsed.netloc == "totp"
    secret = parse_qs(parsed.query)["secret"][0]
    assert key.replace(" ", "") == secret
    assert parse_qs(parsed.query)["issuer"] == ["Klagomålsguiden"]
    return pyotp.TOTP(secret)


def wrong_code(app: pyotp.TOTP) -> str:
    valid = {app.at(utcnow() + timedelta(seconds=s)) for s in (-60, -30, 0, 30, 60)}
    return next(c for c in ("123456", "654321", "111111", "222222", "333333", "444444") if c not in valid)


async def api_login(kg, email: str, password: str = DEMO_PASSWORD, code: str | None = None):
    body = {"email": email, "password": password}
    if code is not None:
        body["code"] = code
    return await kg.client.post("/api/v1/officer/login", json=body)


async def officer_row(kg, email: str) -> Officer:
    return (await kg.rows(Officer, Officer.email == email))[0]


async def audit_actions(kg, email: str) -> list[AuditEntry]:
    return await kg.rows(AuditEntry, AuditEntry.officer_email == email)


# --- enrolment and the API log-in --------------------------------------------------------------------------

async def test_enrolment_stores_the_secret_encrypted_and_is_audited(kg):
    app = enrol_cli(kg, JH_HANDLER)
    row = await officer_row(kg, JH_HANDLER)
    assert row.totp_secret and app.secret not in row.totp_secret
    assert totp.decrypt_secret(SECRET_KEY, row.totp_secret) == app.secret
    entries = [e for e in await audit_actions(kg, JH_HANDLER) if e.action == "totp_enrolled"]
    assert len(entries) == 1 and app.secret not in (entries[0].detail or "")
    assert "visas inte igen" in cli(kg, "enrol-totp", "--email", JH_RECEIVER).stderr


async def test_enrol_unknown_email_fails_clearly(kg):
    out = cli(kg, "enrol-totp", "--email", "ingen@example.se")
    assert out.returncode == 2 and "no officer" in out.stderr


async def test_api_login_asks_for_the_code_and_accepts_it_once(kg):
    app = enrol_cli(kg, JH_HANDLER)
    r = await api_login(kg, JH_HANDLER)
    assert r.status == 401
    assert (await error_of(r))["code"] == "second_factor_required"
    code = app.now()
    r = await api_login(kg, JH_HANDLER, code=code)
    assert r.status == 200, await r.text()
    token = (await r.json())["token"]
    assert (await kg.client.get("/api/v1/officer/me", headers={"Authorization": f"Bearer {token}"})).status == 200
    # the same code again (someone who saw it over the shoulder) is refused
    r = await api_login(kg, JH_HANDLER, code=code)
    assert r.status == 401
    assert (await error_of(r))["code"] == "invalid_code"
    failed = [e for e in await audit_actions(kg, JH_HANDLER) if e.action == "totp_failed"]
    assert len(failed) == 1 and code not in (failed[0].detail or "")


async def test_a_wrong_code_is_refused_audited_and_rate_limited(kg):
    app = enrol_cli(kg, JH_HANDLER)
    bad = wrong_code(app)
    r = await api_login(kg, JH_HANDLER, code=bad)
    assert r.status == 401
    err = await error_of(r)
    assert err["code"] == "invalid_code" and err["message"].startswith("Koden stämmer inte.")
    for _ in range(9):
        assert (await api_login(kg, JH_HANDLER, code=bad)).status == 401
    # ten failures: now even the right code waits
    r = await api_login(kg, JH_HANDLER, code=app.now())
    assert r.status == 429
    failed = [e for e in await audit_actions(kg, JH_HANDLER) if e.action == "totp_failed"]
    assert len(failed) == 10 and all(bad not in (e.detail or "") for e in failed)
    assert await kg.count(OfficerSession) == len(kg.tokens)  # no session was made


async def test_codes_one_step_off_are_accepted_two_are_not(kg):
    app = enrol_cli(kg, JH_HANDLER)
    now = utcnow()
    async with kg.session() as s:
        officer = (await s.exec(select(Officer).where(Officer.email == JH_HANDLER))).one()
        assert not await totp.verify(s, SECRET_KEY, officer, app.at(now - timedelta(seconds=60)), now=now)
        assert not await totp.verify(s, SECRET_KEY, officer, app.at(now + timedelta(seconds=60)), now=now)
        assert not await totp.verify(s, SECRET_KEY, officer, "12345", now=now)
        assert not await totp.verify(s, SECRET_KEY, officer, "١٢٣٤٥٦", now=now)
        assert await totp.verify(s, SECRET_KEY, officer, app.at(now - timedelta(seconds=30)), now=now)
        spaced = app.at(now)
        assert await totp.verify(s, SECRET_KEY, officer, spaced[:3] + " " + spaced[3:], now=now)
        # an older code after a newer one was used: refused (the step only moves forward)
        assert not await totp.verify(s, SECRET_KEY, officer, app.at(now - timedelta(seconds=30)), now=now)


async def test_without_enrolment_dev_logs_in_with_the_password(kg):
    assert kg.app["settings"].env == "dev"
    assert (await api_login(kg, JH_RECEIVER)).status == 200


# --- outside development ------------------------------------------------------------------------------

async def test_production_refuses_an_officer_without_a_second_factor(make_kg):
    kg = await make_kg(env="production")
    before = await kg.count(OfficerSession)
    r = await api_login(kg, JH_RECEIVER)
    assert r.status == 403
    err = await error_of(r)
    assert err["code"] == "second_factor_missing" and "Kontakta" in err["message"]
    b = kg.browser()
    r = await b.login(JH_RECEIVER)
    assert r.status == 403
    assert "Kontakta den som administrerar" in await r.text()
    assert b.cookie("kg_session") is None and b.cookie("kg_login2") is None
    assert await kg.count(OfficerSession) == before
    # enrolled, the same officer gets in with a code
    app = enrol_cli(kg, JH_RECEIVER)
    assert (await api_login(kg, JH_RECEIVER, code=app.now())).status == 200


# --- the web log-in's second step ---------------------------------------------------------------------------

async def test_web_login_takes_the_code_as_a_second_step(make_kg):
    kg = await make_kg(env="production")
    app = enrol_cli(kg, JH_HANDLER)
    b = kg.browser()
    r = await b.login(JH_HANDLER)
    assert r.status == 303 and r.headers["Location"] == "/officer/login/kod"
    assert b.cookie("kg_session") is None and b.cookie("kg_login2")
    # half logged in is not logged in: not on the pages, and the cookie is no bearer token
    assert (await b.get("/officer")).status == 303
    r = await kg.client.get("/api/v1/officer/me", headers={"Authorization": f"Bearer {b.cookie('kg_login2')}"})
    assert r.status == 401
    page = await b.get("/officer/login/kod")
    assert page.status == 200 and 'autocomplete="one-time-code"' in await page.text()
    csrf = await b.csrf("/officer/login/kod")
    r = await b.post("/officer/login/kod", {"csrf_token": csrf, "code": "", "next": "/officer"})
    assert r.status == 422 and "Skriv koden från autentiseringsappen." in await r.text()
    r = await b.post("/officer/login/kod", {"csrf_token": csrf, "code": wrong_code(app), "next": "/officer"})
    assert r.status == 401 and "Koden stämmer inte." in await r.text()
    r = await b.post("/officer/login/kod", {"csrf_token": csrf, "code": app.now(), "next": "/officer"})
    assert r.status == 303 and r.headers["Location"] == "/officer"
    assert b.cookie("kg_session")
    assert (await b.get("/officer")).status == 200


async def test_the_code_step_needs_the_password_step(kg):
    b = kg.browser()
    r = await b.get("/officer/login/kod")
    assert r.status == 303 and r.headers["Location"] == "/officer/login"
    # a forged step cookie (someone else's officer id) is refused
    b.http.cookie_jar.update_cookies({"kg_login2": "1.9999999999.abc"})
    r = await b.get("/officer/login/kod")
    assert r.status == 303 and r.headers["Location"] == "/officer/login?utgangen=1"
    csrf = await b.csrf("/officer/login")
    r = await b.post("/officer/login/kod", {"csrf_token": csrf, "code": "123456"})
    assert r.status == 303 and r.headers["Location"].startswith("/officer/login")
    assert await kg.count(OfficerSession) == len(kg.tokens)


async def test_a_new_password_ends_a_half_finished_login(kg):
    enrol_cli(kg, JH_HANDLER)
    b = kg.browser()
    assert (await b.login(JH_HANDLER)).status == 303
    assert (await b.get("/officer/login/kod")).status == 200
    assert cli(kg, "set-password", "--email", JH_HANDLER, "--password", "nytt-losen-2").returncode == 0
    assert (await b.get("/officer/login/kod")).status == 303


# --- idle expiry ------------------------------------------------------------------------------------------------

async def _set_last_seen(kg, token: str, minutes_ago: float) -> None:
    async with kg.session() as s:
        row = await s.get(OfficerSession, hashlib.sha256(token.encode()).hexdigest())
        row.last_seen_at = utcnow() - timedelta(minutes=minutes_ago)
        s.add(row)
        await s.commit()


async def test_a_session_ends_after_idle_time_and_use_keeps_it_alive(make_kg):
    kg = await make_kg(officer_idle_minutes=30)
    token = (await (await api_login(kg, JH_HANDLER)).json())["token"]
    h = {"Authorization": f"Bearer {token}"}
    await _set_last_seen(kg, token, 25)
    assert (await kg.client.get("/api/v1/officer/me", headers=h)).status == 200
    # the use just now restarted the idle clock: 25 more minutes are fine
    row = (await kg.rows(OfficerSession, OfficerSession.token_hash == hashlib.sha256(token.encode()).hexdigest()))[0]
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)
    await _set_last_seen(kg, token, 31)
    assert (await kg.client.get("/api/v1/officer/me", headers=h)).status == 401
    assert not await kg.rows(OfficerSession, OfficerSession.token_hash == hashlib.sha256(token.encode()).hexdigest())


async def test_an_idle_web_session_goes_back_to_the_login_page(make_kg):
    kg = await make_kg(officer_idle_minutes=30)
    b = kg.browser()
    assert (await b.login(JH_HANDLER)).status == 303
    assert (await b.get("/officer")).status == 200
    await _set_last_seen(kg, b.cookie("kg_session"), 45)
    r = await b.get("/officer")
    assert r.status == 303 and "utgangen=1" in r.headers["Location"]
    page = await b.get("/officer/login")
    assert "30 minuter" in await page.text()


async def test_idle_sessions_are_purged(make_kg):
    from backend.services import auth
    kg = await make_kg(officer_idle_minutes=30)
    token = (await (await api_login(kg, JH_HANDLER)).json())["token"]
    await _set_last_seen(kg, token, 40)
    async with kg.session() as s:
        assert await auth.purge_expired_sessions(s, idle_minutes=30) >= 1
    assert not await kg.rows(OfficerSession, OfficerSession.token_hash == hashlib.sha256(token.encode()).hexdigest())


# --- password change and deactivation -------------------------------------------------------------------------------

async def test_a_password_change_ends_all_the_officers_sessions(kg):
    web = kg.logged_in(JH_HANDLER)
    assert (await web.get("/officer")).status == 200
    assert (await kg.client.get("/api/v1/officer/me", headers=kg.auth(JH_HANDLER))).status == 200
    out = cli(kg, "set-password", "--email", JH_HANDLER, "--password", "nytt-losen-2")
    assert out.returncode == 0 and "sessions ended" in out.stdout
    assert (await kg.client.get("/api/v1/officer/me", headers=kg.auth(JH_HANDLER))).status == 401
    assert (await web.get("/officer")).status == 303
    # someone else's session is untouched; the old password no longer works, the new one does
    assert (await kg.client.get("/api/v1/officer/me", headers=kg.auth(JH_ADMIN))).status == 200
    assert (await api_login(kg, JH_HANDLER)).status == 401
    assert (await api_login(kg, JH_HANDLER, "nytt-losen-2")).status == 200
    entries = [e for e in await audit_actions(kg, JH_HANDLER) if e.action == "password_changed"]
    assert len(entries) == 1 and "nytt-losen-2" not in (entries[0].detail or "")


async def test_deactivation_ends_sessions_and_refuses_login(kg):
    web = kg.logged_in(JH_HANDLER)
    out = cli(kg, "deactivate-officer", "--email", JH_HANDLER)
    assert out.returncode == 0, out.stderr
    assert "2 sessions ended" in out.stdout  # the API token and the web session made for the suite
    assert not await kg.rows(OfficerSession, OfficerSession.officer_id == (await officer_row(kg, JH_HANDLER)).id)
    assert (await kg.client.get("/api/v1/officer/me", headers=kg.auth(JH_HANDLER))).status == 401
    assert (await web.get("/officer")).status == 303
    r = await api_login(kg, JH_HANDLER)
    assert r.status == 401 and (await error_of(r))["code"] == "invalid_credentials"
    assert (await kg.browser().login(JH_HANDLER)).status == 401
    assert [e.action for e in await audit_actions(kg, JH_HANDLER)] == ["officer_deactivated"]
    out = cli(kg, "deactivate-officer", "--email", "ingen@example.se")
    assert out.returncode == 2 and "no officer" in out.stderr
