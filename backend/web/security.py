"""Cookies, CSRF and officer/reporter web sessions for the server-rendered pages.

- The officer session cookie holds only an opaque token; the server keeps its hash (services.auth) with an
  expiry (settings.session_hours). HttpOnly, SameSite=Lax, Secure when KG_COOKIE_SECURE=1 (plain http on
  localhost needs it off).
- Every POST form carries a CSRF token: an HMAC of a random per-browser cookie (double submit, signed), bound
  to the officer session when there is one. The Origin header, when the browser sends it, must be ours.
- The reporter signs in with reference + access code; the page then keeps a random token in a cookie and the
  case server-side (services.reporter_sessions, in the shared database, 30 minutes sliding), so nothing about
  the case is ever in a URL or a cookie.
- Nothing here lives in one process's memory: the CSRF token is an HMAC with KG_SECRET_KEY and every session is
  in the database, so any backend process behind the proxy can serve the next request.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from ..models import Officer, OfficerSession
from ..api.common import client_ip
from ..services import auth
from ..settings import Settings
from ..swedish_time import utcnow

COOKIE_OFFICER = "kg_session"
COOKIE_CSRF = "kg_csrf"
COOKIE_REPORTER = "kg_reporter"
COOKIE_LANG = "kg_lang"
COOKIE_LOGIN_STEP = "kg_login2"   # the password was right; the code from the app is next
LOGIN_STEP_TTL_S = 5 * 60
CSRF_FIELD = "csrf_token"
REPORTER_TTL_S = 30 * 60
LANG_MAX_AGE = 365 * 24 * 3600


def settings_of(request: web.Request) -> Settings:
    return request.app["settings"]


def cookie_options(settings: Settings, max_age: int | None = None) -> dict[str, Any]:
    opts: dict[str, Any] = {"httponly": True, "samesite": "Lax", "secure": bool(settings.cookie_secure), "path": "/"}
    if max_age is not None:
        opts["max_age"] = max_age
    return opts


def _hmac(settings: Settings, purpose: str, value: str) -> str:
    return hmac.new(settings.secret_key.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


# --- CSRF -------------------------------------------------------------------------------------------

def _csrf_seed(request: web.Request) -> str:
    seed = request.get("kg_csrf_seed")
    if seed:
        return seed
    seed = request.cookies.get(COOKIE_CSRF, "")
    if not (16 <= len(seed) <= 100) or not seed.replace("-", "").replace("_", "").isalnum():
        seed = secrets.token_urlsafe(24)
        request["kg_csrf_new"] = True
    request["kg_csrf_seed"] = seed
    return seed


def csrf_token(request: web.Request) -> str:
    """The token to put in a hidden field of every POST form on the page being rendered."""
    bound = request.get("kg_officer_session_csrf", "")
    return _hmac(settings_of(request), "csrf", _csrf_seed(request) + "|" + bound)


def csrf_valid(request: web.Request, submitted: str | None) -> bool:
    if not submitted or COOKIE_CSRF not in request.cookies:
        return False
    if not same_origin(request):
        return False
    return hmac.compare_digest(csrf_token(request), submitted)


def same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        # old browsers and some privacy settings send no Origin; the token alone must then do
        return origin != "null"
    expected = f"{request.scheme}://{request.host}"
    forwarded = request.headers.get("X-Forwarded-Host")
    public = settings_of(request).public_url.rstrip("/")
    return origin in {expected, public} or (forwarded is not None and origin.endswith("//" + forwarded))


def finish_response(request: web.Request, resp: web.StreamResponse) -> web.StreamResponse:
    """Sets the CSRF seed cookie when this request created one."""
    if request.get("kg_csrf_new") and not resp.prepared:
        resp.set_cookie(COOKIE_CSRF, request["kg_csrf_seed"], **cookie_options(settings_of(request)))
    return resp


# --- officer sessions ---------------------------------------------------------------------------------

@dataclass
class OfficerContext:
    officer: Officer
    session: OfficerSession
    view: dict[str, Any]   # services.auth.officer_view: name, role, organisation


async def current_officer(request: web.Request, db) -> OfficerContext | None:
    token = request.cookies.get(COOKIE_OFFICER)
    if not token or len(token) > 200:
        return None
    found = await auth.officer_for_token(db, token, idle_minutes=settings_of(request).officer_idle_minutes)
    if found is None:
        return None
    officer, sess = found
    if sess.kind != "web":
        return None  # an API bearer token is not a web session
    request["kg_officer_session_csrf"] = sess.csrf_token
    return OfficerContext(officer=officer, session=sess, view=await auth.officer_view(db, officer))


async def start_officer_session(request: web.Request, db, officer: Officer, resp: web.StreamResponse) -> None:
    settings = settings_of(request)
    token, sess = await auth.start_session(db, officer, settings.session_hours, kind="web")
    resp.set_cookie(COOKIE_OFFICER, token, **cookie_options(settings, max_age=settings.session_hours * 3600))
    # a new session gets a new CSRF seed too (no fixation across log-ins)
    request["kg_csrf_seed"] = secrets.token_urlsafe(24)
    request["kg_csrf_new"] = True


async def end_officer_session(request: web.Request, db, resp: web.StreamResponse) -> None:
    token = request.cookies.get(COOKIE_OFFICER)
    if token:
        await auth.end_session(db, token)
    resp.del_cookie(COOKIE_OFFICER, path="/")


# --- the second log-in step ----------------------------------------------------------------------------

def _login_step_mac(settings: Settings, officer: Officer, expires: int) -> str:
    # bound to the password hash: a new password also ends a half-finished log-in
    return _hmac(settings, "login-step", f"{officer.id}.{expires}.{officer.password_hash}")


def start_login_step(request: web.Request, officer: Officer, resp: web.StreamResponse) -> None:
    """After the right password, a short-lived signed cookie says whose code the next form asks for. It is
    not a session: nothing else accepts it."""
    settings = settings_of(request)
    expires = int(utcnow().timestamp()) + LOGIN_STEP_TTL_S
    resp.set_cookie(COOKIE_LOGIN_STEP, f"{officer.id}.{expires}.{_login_step_mac(settings, officer, expires)}",
                    **cookie_options(settings, max_age=LOGIN_STEP_TTL_S))


async def login_step_officer(request: web.Request, db) -> Officer | None:
    """The officer whose password was just accepted, while the cookie is valid and the officer active."""
    parts = request.cookies.get(COOKIE_LOGIN_STEP, "").split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or len(parts[0]) > 12:
        return None
    expires = int(parts[1])
    if expires < utcnow().timestamp():
        return None
    officer = await db.get(Officer, int(parts[0]))
    if officer is None or not officer.active:
        return None
    if not hmac.compare_digest(_login_step_mac(settings_of(request), officer, expires), parts[2]):
        return None
    return officer


def end_login_step(resp: web.StreamResponse) -> None:
    resp.del_cookie(COOKIE_LOGIN_STEP, path="/")


# --- reporter sessions (services.reporter_sessions keeps them in the database) ---------------------------

def client_key(request: web.Request) -> str:
    # the same key shape as the JSON API's reporter routes, so a failure on one counts on the other
    return client_ip(request)


# --- response headers --------------------------------------------------------------------------------------

def csp(settings: Settings) -> str:
    rasa = settings.rasa_socket_url.rstrip("/")
    ws = rasa.replace("https://", "wss://").replace("http://", "ws://")
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        f"connect-src 'self' {rasa} {ws}",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


@web.middleware
async def page_headers(request: web.Request, handler):
    resp = await handler(request)
    finish_response(request, resp)
    if request.path.startswith("/api/") or request.path.startswith("/static/"):
        if request.path.startswith("/static/"):
            # the widget is embedded on other sites: let them load it (never the pages themselves)
            resp.headers.setdefault("Access-Control-Allow-Origin", "*")
            resp.headers.setdefault("Cross-Origin-Resource-Policy", "cross-origin")
        return resp
    ctype = resp.headers.get("Content-Type", "") if resp.prepared else (resp.content_type or "")
    if "html" in ctype:
        s = settings_of(request)
        resp.headers.setdefault("Content-Security-Policy", csp(s))
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        resp.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.path.startswith("/officer") or request.path.startswith("/arende"):
            resp.headers["Cache-Control"] = "no-store"  # pages with personal data never go to a cache
    return resp
