"""The region's diary system writes back: its diary number on a case. Bearer integration token per organisation
(`python -m backend create-integration-token`); the token's organisation sees only its own cases."""
from __future__ import annotations

from aiohttp import web

from ..errors import ApiError
from ..i18n import gettext as _
from ..models import IntegrationToken
from ..schemas import DiaryNumberIn
from ..services import integration
from .common import bearer, db, json_response, parse, read_json

routes = web.RouteTableDef()


async def require_integration(request: web.Request, session) -> IntegrationToken:
    token = bearer(request)
    found = await integration.token_for(session, token) if token else None
    if found is None:
        raise ApiError(401, "unauthorized", _("Integrationsnyckel saknas eller är fel."),
                       headers={"WWW-Authenticate": "Bearer"})
    return found


@routes.put("/api/v1/integration/cases/{reference}/diary-number")
async def set_diary_number(request: web.Request) -> web.Response:
    async with db(request) as session:
        token = await require_integration(request, session)
        body = parse(DiaryNumberIn, await read_json(request))
        case = await integration.set_diary_number(session, token, request.match_info["reference"], body.diary_number)
        return json_response({"reference": case.reference, "diary_number": case.diary_number})
