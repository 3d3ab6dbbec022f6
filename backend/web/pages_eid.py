"""e-ID pages: the log-in at the region's identity provider and its callback, and "Mina ärenden" on /arende.

/e-legitimation/logga-in?for=chat opens in a window of its own from the chat: when it is done, the page
hands a one-time identity ticket to the chat (window.opener.postMessage, to our own origin only), which gives
it to the assistant. ?for=arende signs the reporter page in. A failure at any step shows a Swedish message and
changes nothing else: the chat, a signed-in case, an earlier e-ID sign-in all stay as they were.
"""
from __future__ import annotations

import logging
import secrets

from aiohttp import web

from ..appkeys import OIDC_RP
from ..i18n import gettext as _
from ..services import identities, oidc, reporter_sessions
from . import security
from .common import db, first, forbidden_csrf, form_data, redirect, render

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

COOKIE_EID = "kg_eid"              # the reporter page's e-ID sign-in (an opaque token; identities keeps its hash)
COOKIE_EID_LOGIN = "kg_eid_login"  # binds a log-in at the identity provider to the browser that began it
PURPOSES = ("chat", "arende")


def reasons() -> dict[str, str]:
    return {
        oidc.PROVIDER_DOWN: _("Tjänsten för e-legitimation svarar inte just nu. Försök igen om en stund."),
        oidc.WRONG_ISSUER: _("Svaret kom inte från den tjänst för e-legitimation som vi använder, så vi kan inte "
                             "lita på det. Försök igen."),
        oidc.WRONG_STATE: _("Inloggningen hörde inte ihop med den här webbläsaren, eller hade hunnit gå ut. "
                            "Börja om och logga in igen."),
        oidc.WRONG_NONCE: _("Svaret från e-legitimationen hörde inte till den här inloggningen, så vi kan inte "
                            "lita på det. Börja om och logga in igen."),
        oidc.EXPIRED: _("Svaret från e-legitimationen hade gått ut, eller var inte giltigt ännu. Börja om och logga "
                        "in igen."),
        oidc.INVALID_TOKEN: _("Vi kunde inte kontrollera svaret från e-legitimationen. Börja om och logga in igen."),
        oidc.CANCELLED: _("Inloggningen avbröts."),
        oidc.NO_PERSONNUMMER: _("E-legitimationen skickade inget personnummer, så vi kan inte veta vem du är."),
    }


def enabled(request: web.Request) -> bool:
    return OIDC_RP in request.app


def _failure(request: web.Request, purpose: str, exc: oidc.OidcError) -> web.Response:
    # the detail says which check failed; it never holds a code, a token, a name or a personnummer
    log.warning("e-ID log-in failed (%s): %s", purpose, exc)
    status = 503 if exc.reason == oidc.PROVIDER_DOWN else 400
    return render(request, "public/eid_result.html", {
        "ok": False, "purpose": purpose, "message": reasons().get(exc.reason, reasons()[oidc.INVALID_TOKEN]),
        "reason": exc.reason}, status=status)


@routes.get("/e-legitimation/logga-in", name="eid_login")
async def eid_login(request: web.Request) -> web.Response:
    if not enabled(request):
        raise web.HTTPNotFound()
    purpose = request.query.get("for", "arende")
    purpose = purpose if purpose in PURPOSES else "arende"
    rp = request.app[OIDC_RP]
    try:
        auth = await rp.authorization_request()
    except oidc.OidcError as exc:
        return _failure(request, purpose, exc)
    browser = secrets.token_urlsafe(24)
    async with db(request) as session:
        await identities.begin_login(session, state=auth.state, nonce=auth.nonce, code_verifier=auth.code_verifier,
                                     purpose=purpose, browser=browser)
    resp = redirect(auth.url, status=303)
    resp.set_cookie(COOKIE_EID_LOGIN, browser,
                    **security.cookie_options(request.app["settings"], identities.LOGIN_TTL_S))
    return resp


@routes.get("/e-legitimation/callback", name="eid_callback")
async def eid_callback(request: web.Request) -> web.Response:
    if not enabled(request):
        raise web.HTTPNotFound()
    rp = request.app[OIDC_RP]
    q = request.query
    async with db(request) as session:
        pending = await identities.take_login(session, q.get("state"), request.cookies.get(COOKIE_EID_LOGIN))
    if pending is None:
        return _failure(request, "arende", oidc.OidcError(oidc.WRONG_STATE, "unknown, expired or another browser's state"))
    purpose = pending.purpose
    try:
        if q.get("error"):
            reason = oidc.CANCELLED if q.get("error") == "access_denied" else oidc.PROVIDER_DOWN
            raise oidc.OidcError(reason, f"the provider answered error={q.get('error', '')[:40]}")
        await rp.check_response_issuer(q.get("iss"))
        code = q.get("code", "")
        if not code or len(code) > 2000:
            raise oidc.OidcError(oidc.WRONG_STATE, "no code in the callback")
        who = await rp.finish(code, pending.nonce, pending.code_verifier)
    except oidc.OidcError as exc:
        resp = _failure(request, purpose, exc)
        resp.del_cookie(COOKIE_EID_LOGIN, path="/")
        return resp
    settings = request.app["settings"]
    async with db(request) as session:
        identity = await identities.record(session, settings.secret_key, who)
        token = await identities.issue(session, identity, identities.WEB if purpose == "arende" else identities.TICKET)
    log.info("e-ID log-in done (%s)", purpose)
    if purpose == "arende":
        resp = redirect("/arende")
        resp.set_cookie(COOKIE_EID, token, **security.cookie_options(settings, identities.WEB_TTL_S))
    else:
        resp = render(request, "public/eid_result.html", {
            "ok": True, "purpose": purpose, "ticket": token, "given_name": who.given_name,
            "family_name": who.family_name, "target_origin": settings.public_url.rstrip("/")})
        resp.headers["Cache-Control"] = "no-store"
    resp.del_cookie(COOKIE_EID_LOGIN, path="/")
    return resp


# --- "Mina ärenden" on the reporter page ---------------------------------------------------------------------

async def current_identity(request: web.Request, session):
    return await identities.for_web(session, request.cookies.get(COOKIE_EID)) if enabled(request) else None


async def my_cases_view(session, identity) -> list[dict]:
    from .. import catalogue
    out = []
    for c in await identities.my_cases(session, identity):
        out.append({"reference": c.reference, "status": c.status,
                    "status_label": catalogue.label("statuses", c.status), "received_at": c.received_at,
                    "as_reporter": c.reporter_pseudonym == identity.pnr_pseudonym,
                    "as_patient": c.patient_pseudonym == identity.pnr_pseudonym})
    return out


@routes.post("/arende/mina", name="reporter_open_mine")
async def open_my_case(request: web.Request) -> web.Response:
    """Opens one of "Mina ärenden": the same sign-in as with reference and code, without the code."""
    form = await form_data(request)
    if not security.csrf_valid(request, first(form, security.CSRF_FIELD)):
        return forbidden_csrf(request)
    reference = first(form, "reference").strip().upper()[:20]
    async with db(request) as session:
        identity = await current_identity(request, session)
        if identity is None:
            return redirect("/arende")
        case = await identities.my_case(session, identity, reference)
        if case is None:
            return redirect("/arende")
        token = await reporter_sessions.start(session, case, security.REPORTER_TTL_S)
    resp = redirect("/arende")
    resp.set_cookie(security.COOKIE_REPORTER, token,
                    **security.cookie_options(request.app["settings"], security.REPORTER_TTL_S))
    return resp


@routes.post("/arende/mina/lista", name="reporter_back_to_mine")
async def back_to_my_cases(request: web.Request) -> web.Response:
    """From a case back to the list: the case's sign-in ends, the e-ID sign-in stays."""
    form = await form_data(request)
    if not security.csrf_valid(request, first(form, security.CSRF_FIELD)):
        return forbidden_csrf(request)
    async with db(request) as session:
        await reporter_sessions.end(session, request.cookies.get(security.COOKIE_REPORTER))
    resp = redirect("/arende")
    resp.del_cookie(security.COOKIE_REPORTER, path="/")
    return resp


async def end_eid(request: web.Request, session, resp: web.StreamResponse) -> None:
    if request.cookies.get(COOKIE_EID):
        await identities.end_web(session, request.cookies.get(COOKIE_EID))
        resp.del_cookie(COOKIE_EID, path="/")
