"""Public pages: the chat page (/), the privacy page, and the reporter page (/arende)."""
from __future__ import annotations

import logging

from aiohttp import web

from .. import i18n
from ..errors import ApiError
from ..i18n import gettext as _
from ..schemas import MAX_MESSAGE
from ..services import cases, reporter_sessions
from ..services.attachments import path_of
from ..appkeys import REPORTER_LIMITER
from . import pages_eid, security
from .common import db, error_page, first, forbidden_csrf, form_and_files, form_data, local_path, redirect, render

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

MAX_REFERENCE = 20
MAX_CODE = 20


@routes.get("/", name="chat")
async def chat_page(request: web.Request) -> web.Response:
    s = request.app["settings"]
    return render(request, "public/chat.html", {
        "socket_url": s.rasa_socket_url.rstrip("/"),
        "backend_url": s.public_url.rstrip("/"),
    })


@routes.get("/om-personuppgifter", name="privacy")
async def privacy_page(request: web.Request) -> web.Response:
    s = request.app["settings"]
    years = max(1, round(s.retention_days / 365))
    return render(request, "public/privacy.html", {"retention_years": years})


@routes.get("/sprak/{lang}", name="language")
async def set_language(request: web.Request) -> web.Response:
    lang = request.match_info["lang"]
    if lang not in i18n.SUPPORTED:
        raise web.HTTPNotFound()
    resp = redirect(local_path(request.query.get("next")) or "/")
    resp.set_cookie(security.COOKIE_LANG, lang, **{**security.cookie_options(request.app["settings"],
                                                                                 security.LANG_MAX_AGE),
                                                    "httponly": False})
    return resp


# --- the reporter page -----------------------------------------------------------------------------

def _limiter(request: web.Request):
    return request.app[REPORTER_LIMITER]


async def _reporter_case(request: web.Request, session):
    """The case of the page's sign-in cookie, or None."""
    return await reporter_sessions.case_for_token(session, request.cookies.get(security.COOKIE_REPORTER),
                                                  security.REPORTER_TTL_S)


@routes.get("/arende", name="reporter")
async def reporter_page(request: web.Request) -> web.Response:
    async with db(request) as session:
        case = await _reporter_case(request, session)
        identity = await pages_eid.current_identity(request, session)
        if case is None:
            mine = await pages_eid.my_cases_view(session, identity) if identity else None
            resp = render(request, "public/arende_login.html", {
                **_eid_context(request, identity), "mine": mine,
                "errors": {}, "values": {},
                "expired": bool(request.cookies.get(security.COOKIE_REPORTER)),
                "eid_expired": bool(request.cookies.get(pages_eid.COOKIE_EID)) and identity is None,
                "logged_out": request.query.get("utloggad") == "1",
            })
            if request.cookies.get(security.COOKIE_REPORTER):
                resp.del_cookie(security.COOKIE_REPORTER, path="/")
            if request.cookies.get(pages_eid.COOKIE_EID) and identity is None:
                resp.del_cookie(pages_eid.COOKIE_EID, path="/")
            return resp
        view = await cases.reporter_view(session, case)
    return render(request, "public/arende_case.html", {
        **_eid_context(request, identity),
        "case": view, "errors": {}, "values": {},
        "sent": request.query.get("skickat") == "1",
        "max_files": request.app["settings"].max_reporter_files,
    })


def _eid_context(request: web.Request, identity) -> dict:
    """What the reporter pages need to know about e-ID: offered at all, and who is signed in with it."""
    return {"eid_enabled": pages_eid.enabled(request),
            "eid_name": f"{identity.given_name} {identity.family_name}".strip() if identity else None}


@routes.post("/arende", name="reporter_login")
async def reporter_login(request: web.Request) -> web.Response:
    form = await form_data(request)
    if not security.csrf_valid(request, first(form, security.CSRF_FIELD)):
        return forbidden_csrf(request)
    reference = first(form, "reference").strip().upper()[:MAX_REFERENCE]
    code = first(form, "access_code").strip()[:MAX_CODE]
    values = {"reference": reference}
    errors: dict[str, str] = {}
    if not reference:
        errors["reference"] = _("Skriv ärendenumret, till exempel KG-2026-000123.")
    if not code:
        errors["access_code"] = _("Skriv koden du fick när du skickade in ärendet.")
    if errors:
        return render(request, "public/arende_login.html", {"errors": errors, "values": values}, status=422)

    limiter = _limiter(request)
    keys = ("ref:" + reference, security.client_key(request))
    if await limiter.blocked(*keys):
        return render(request, "public/arende_login.html", {
            "errors": {"form": _("Du har försökt för många gånger. Vänta en kvart och försök sedan igen.")},
            "values": values}, status=429)
    async with db(request) as session:
        case = await cases.case_by_code(session, request.app["settings"], reference, code)
        token = await reporter_sessions.start(session, case, security.REPORTER_TTL_S) if case else None
    if case is None:
        await limiter.fail(*keys)
        # the same message whether the reference exists or not
        return render(request, "public/arende_login.html", {
            "errors": {"form": _("Vi hittade inget ärende med det ärendenumret och den koden. "
                                 "Kontrollera uppgifterna och försök igen.")},
            "values": values}, status=404)
    resp = redirect("/arende")
    resp.set_cookie(security.COOKIE_REPORTER, token,
                    **security.cookie_options(request.app["settings"], security.REPORTER_TTL_S))
    return resp


@routes.post("/arende/svar", name="reporter_reply")
async def reporter_reply(request: web.Request) -> web.Response:
    try:
        form, uploads = await form_and_files(request)
    except ApiError as exc:
        return await _reporter_error(request, exc, {})
    if not security.csrf_valid(request, first(form, security.CSRF_FIELD)):
        return forbidden_csrf(request)
    body = first(form, "body").strip()
    async with db(request) as session:
        case = await _reporter_case(request, session)
        if case is None:
            return redirect("/arende")
        errors: dict[str, str] = {}
        if not body:
            errors["body"] = _("Skriv ditt meddelande innan du skickar.")
        elif len(body) > MAX_MESSAGE:
            errors["body"] = _("Meddelandet är för långt (högst {n} tecken).").format(n=MAX_MESSAGE)
        if errors:
            view = await cases.reporter_view(session, case)
            return render(request, "public/arende_case.html", {
                "case": view, "errors": errors, "values": {"body": body}, "sent": False,
                "max_files": request.app["settings"].max_reporter_files}, status=422)
        try:
            await cases.reporter_post(session, request.app["deps"], case, body, uploads)
        except ApiError as exc:
            await session.rollback()
            return await _reporter_error(request, exc, {"body": body})
    return redirect("/arende?skickat=1#svar-skickat")


async def _reporter_error(request: web.Request, exc: ApiError, values: dict) -> web.Response:
    async with db(request) as session:
        case = await _reporter_case(request, session)
        if case is None:
            return redirect("/arende")
        view = await cases.reporter_view(session, case)
    errors = {"form": exc.message}
    for k, v in (exc.fields or {}).items():
        errors["files" if k.startswith("file") else ("body" if k == "body" else "form")] = v
    return render(request, "public/arende_case.html", {
        "case": view, "errors": errors, "values": values, "sent": False,
        "max_files": request.app["settings"].max_reporter_files}, status=exc.status)


@routes.post("/arende/logga-ut", name="reporter_logout")
async def reporter_logout(request: web.Request) -> web.Response:
    form = await form_data(request)
    if not security.csrf_valid(request, first(form, security.CSRF_FIELD)):
        return forbidden_csrf(request)
    resp = redirect("/arende?utloggad=1")
    async with db(request) as session:
        await reporter_sessions.end(session, request.cookies.get(security.COOKIE_REPORTER))
        await pages_eid.end_eid(request, session, resp)  # "Logga ut" ends the e-ID sign-in too
    resp.del_cookie(security.COOKIE_REPORTER, path="/")
    return resp


@routes.get(r"/arende/bilagor/{attachment_id:\d+}", name="reporter_attachment")
async def reporter_attachment(request: web.Request) -> web.StreamResponse:
    async with db(request) as session:
        case = await _reporter_case(request, session)
        if case is None:
            return redirect("/arende")
        try:
            a = await cases.attachment_for_reporter(session, case, int(request.match_info["attachment_id"]))
        except ApiError:
            return error_page(request, 404, _("Bilagan finns inte"), _("Vi hittar inte den bilagan i ditt ärende."))
    return web.FileResponse(path_of(request.app["settings"].attachments_dir, a.storage_key), headers={
        "Content-Type": a.content_type, "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="{a.filename}"', "X-Content-Type-Options": "nosniff"})
