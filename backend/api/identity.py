"""e-ID for the assistant: it exchanges the widget's one-time identity ticket for who logged in."""
from __future__ import annotations

from aiohttp import web

from ..errors import ApiError
from ..i18n import gettext as _
from ..schemas import TicketIn
from ..services import identities
from .common import db, json_response, parse, read_json, require_service

routes = web.RouteTableDef()


@routes.post("/api/v1/identity/tickets/exchange")
async def exchange_ticket(request: web.Request) -> web.Response:
    require_service(request)
    body = parse(TicketIn, await read_json(request))
    async with db(request) as session:
        found = await identities.exchange_ticket(session, body.ticket)
    if found is None:
        raise ApiError(404, "ticket_invalid", _("Inloggningen med e-legitimation har gått ut eller är redan använd. "
                                                "Logga in igen, eller fortsätt utan e-legitimation."))
    identity, intake_token = found
    return json_response({"personnummer": identity.personnummer, "given_name": identity.given_name,
                          "family_name": identity.family_name, "identity_token": intake_token})
