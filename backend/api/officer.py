"""Officer routes: login, own organisation's cases, actions, export. Bearer token only (no cookies: no CSRF)."""
from __future__ import annotations

from aiohttp import web

from ..appkeys import LOGIN_LIMITER
from .. import lifecycle, pnr
from ..errors import ApiError, not_found, validation_error
from ..i18n import gettext as _
from ..schemas import LoginIn, PnrSearchIn
from ..services import actions, auth, cases, exports, totp
from ..services.attachments import path_of
from .common import (bearer, check_query, client_ip, db, deps_of, json_response, parse, q_date, q_int, q_str, read_body_and_files,
                     read_json, require_officer, settings_of)

routes = web.RouteTableDef()


@routes.post("/api/v1/officer/login")
async def login(request: web.Request) -> web.Response:
    body = parse(LoginIn, await read_json(request))
    limiter = request.app[LOGIN_LIMITER]
    keys = ("login:" + body.email.lower(), client_ip(request))
    if await limiter.blocked(*keys):
        raise ApiError(429, "too_many_attempts", _("För många felaktiga försök. Vänta en stund och försök igen."))
    async with db(request) as session:
        officer = await auth.authenticate(session, body.email, body.password)
        if officer is None:
            await limiter.fail(*keys)
            raise ApiError(401, "invalid_credentials", _("Fel e-postadress eller lösenord."))
        settings = settings_of(request)
        factor = totp.second_factor(settings.env, officer)
        if factor == "missing":
            raise ApiError(403, "second_factor_missing", totp.missing_text())
        if factor == "code":
            if not body.code:
                raise ApiError(401, "second_factor_required",
                               _("Skriv koden från autentiseringsappen i fältet code."))
            if not await totp.verify(session, settings.secret_key, officer, body.code):
                await limiter.fail(*keys)
                raise ApiError(401, "invalid_code", totp.wrong_code_text())
        token, s = await auth.start_session(session, officer, settings_of(request).session_hours)
        return json_response({"token": token, "expires_at": cases.iso(s.expires_at),
                              "officer": await auth.officer_view(session, officer)})


@routes.post("/api/v1/officer/logout")
async def logout(request: web.Request) -> web.Response:
    async with db(request) as session:
        await require_officer(request, session)
        await auth.end_session(session, bearer(request) or "")
    return json_response({"status": "ok"})


@routes.get("/api/v1/officer/me")
async def me(request: web.Request) -> web.Response:
    async with db(request) as session:
        officer = await require_officer(request, session)
        return json_response(await auth.officer_view(session, officer))


@routes.get("/api/v1/officer/cases")
async def list_cases(request: web.Request) -> web.Response:
    check_query(request, {"status", "overdue", "category", "unit", "from", "to", "q", "sort", "page", "per_page",
                          "assigned"})
    statuses = [s for s in (q_str(request, "status", 200) or "").split(",") if s]
    bad = [s for s in statuses if s not in lifecycle.STATUSES]
    if bad:
        raise validation_error({"status": _("Okänd status.")})
    overdue_raw = request.query.get("overdue")
    if overdue_raw not in (None, "", "true", "false", "1", "0"):
        raise validation_error({"overdue": _("Ska vara true eller false.")})
    assigned = q_str(request, "assigned", 10)
    if assigned not in (None, "me", "none"):
        raise validation_error({"assigned": _("Ogiltigt värde. Tillåtna värden: me, none.")})
    sort = q_str(request, "sort", 20) or "-received_at"
    if sort not in cases.SORTS:
        raise validation_error({"sort": _("Okänd sortering.")})
    if cases.looks_like_personnummer(request.query.get("q")):
        raise validation_error({"q": _("Sök på personnummer med POST /api/v1/officer/cases/search, "
                                       "så att numret inte hamnar i en adress.")})
    f = cases.ListFilters(
        status=statuses, overdue=None if overdue_raw in (None, "") else overdue_raw in ("true", "1"),
        category=q_str(request, "category", 40), unit=q_str(request, "unit", 40),
        date_from=q_date(request, "from"), date_to=q_date(request, "to"), q=q_str(request, "q", 20), sort=sort, assigned=assigned,
        page=q_int(request, "page", 1, 100000, 1), per_page=q_int(request, "per_page", 1, 100, 25))
    async with db(request) as session:
        officer = await require_officer(request, session)
        return json_response(await cases.list_cases(session, officer, f))


@routes.post("/api/v1/officer/cases/search")
async def search_personnummer(request: web.Request) -> web.Response:
    """Cases of one patient, by personnummer in the body (never in the URL); audit-logged."""
    async with db(request) as session:
        officer = await require_officer(request, session)
        body = parse(PnrSearchIn, await read_json(request))
        try:
            normalised = pnr.parse(body.personnummer).normalised
        except ValueError:
            raise validation_error({"personnummer": _("Personnumret är inte giltigt. Skriv det med tolv siffror, "
                                                      "till exempel 19121212-1212.")}) from None
        f = cases.ListFilters(personnummer=normalised, page=body.page, per_page=body.per_page)
        return json_response(await cases.list_cases(session, officer, f))


@routes.get("/api/v1/officer/cases/{reference}")
async def get_case(request: web.Request) -> web.Response:
    async with db(request) as session:
        officer = await require_officer(request, session)
        return json_response(await cases.open_case(session, officer, request.match_info["reference"]))


@routes.post("/api/v1/officer/cases/{reference}/{action}")
async def case_action(request: web.Request) -> web.Response:
    act = actions.REGISTRY.get(request.match_info["action"])
    async with db(request) as session:
        officer = await require_officer(request, session)
        if act is None:
            raise not_found()
        if act.files:
            payload, files = await read_body_and_files(request, act.payload)
        else:
            payload, files = parse(act.payload, await read_json(request)), []
        result = await actions.perform(session, deps_of(request), officer, request.match_info["reference"],
                                       act.name, payload, files)
    return json_response(result)


@routes.get("/api/v1/officer/cases/{reference}/attachments/{attachment_id:\\d+}")
async def attachment(request: web.Request) -> web.StreamResponse:
    async with db(request) as session:
        officer = await require_officer(request, session)
        a = await cases.attachment_for_officer(session, officer, request.match_info["reference"],
                                               int(request.match_info["attachment_id"]))
    return web.FileResponse(path_of(settings_of(request).attachments_dir, a.storage_key),
                            headers={"Content-Type": a.content_type,
                                     "Content-Disposition": f'attachment; filename="{a.filename}"'})


@routes.get("/api/v1/officer/export/tagged")
async def export_tagged(request: web.Request) -> web.Response:
    check_query(request, {"tag", "format"})
    tag = q_str(request, "tag", 40)
    if not tag:
        raise validation_error({"tag": _("Fältet måste fyllas i.")})
    fmt = request.query.get("format", "json")
    if fmt not in ("json", "csv"):
        raise validation_error({"format": _("Ogiltigt värde. Tillåtna värden: json, csv.")})
    async with db(request) as session:
        officer = await require_officer(request, session)
        if officer.role != "admin":
            raise ApiError(403, "forbidden", _("Du har inte behörighet att göra det här."))
        rows = await exports.tagged(session, officer, tag)
    if fmt == "csv":
        return web.Response(text=exports.tagged_csv(rows), content_type="text/csv", charset="utf-8")
    return json_response({"tag": tag, "cases": rows})
