"""The reporter follows the case with reference + access code. Never reveals whether a reference exists."""
from __future__ import annotations

from aiohttp import web

from ..appkeys import REPORTER_LIMITER
from ..errors import ApiError
from ..i18n import gettext as _
from ..models import Case
from ..schemas import MessageIn
from ..services import cases
from ..services.attachments import path_of
from .common import client_ip, db, deps_of, is_service, json_response, read_body_and_files, settings_of

routes = web.RouteTableDef()


def _client_key(request: web.Request) -> str:
    if is_service(request) and request.headers.get("X-Client-Id"):
        return "client:" + request.headers["X-Client-Id"][:100]
    return client_ip(request)


def not_found_generic() -> ApiError:
    return ApiError(404, "not_found", _("Vi hittade inget ärende med det ärendenumret och den koden. "
                                       "Kontrollera uppgifterna och försök igen."))


async def authorise(request: web.Request, session) -> Case:
    limiter = request.app[REPORTER_LIMITER]
    ref = request.match_info["reference"].strip().upper()[:20]
    keys = ("ref:" + ref, _client_key(request))
    if await limiter.blocked(*keys):
        raise ApiError(429, "too_many_attempts", _("För många felaktiga försök. Vänta en stund och försök igen."),
                       headers={"Retry-After": str(settings_of(request).rate_limit_window_s)})
    code = request.headers.get("X-Access-Code", "")
    case = await cases.case_by_code(session, settings_of(request), ref, code) if code else None
    if case is None:
        await limiter.fail(*keys)
        raise not_found_generic()
    return case


@routes.get("/api/v1/reporter/cases/{reference}")
async def read_case(request: web.Request) -> web.Response:
    async with db(request) as session:
        case = await authorise(request, session)
        return json_response(await cases.reporter_view(session, case))


@routes.post("/api/v1/reporter/cases/{reference}/messages")
async def post_message(request: web.Request) -> web.Response:
    async with db(request) as session:
        case = await authorise(request, session)
        body, files = await read_body_and_files(request, MessageIn)
        msg = await cases.reporter_post(session, deps_of(request), case, body.body, files)
    return json_response(msg, status=201)


@routes.get("/api/v1/reporter/cases/{reference}/attachments/{attachment_id:\\d+}")
async def attachment(request: web.Request) -> web.StreamResponse:
    async with db(request) as session:
        case = await authorise(request, session)
        a = await cases.attachment_for_reporter(session, case, int(request.match_info["attachment_id"]))
    return web.FileResponse(path_of(settings_of(request).attachments_dir, a.storage_key),
                            headers={"Content-Type": a.content_type,
                                     "Content-Disposition": f'attachment; filename="{a.filename}"'})
