"""Intake: the assistant (or another channel) hands over a case. Idempotent by Idempotency-Key."""
import re

from aiohttp import web

from ..errors import validation_error
from ..i18n import gettext as _
from ..schemas import CaseIn
from ..services import cases
from .common import db, deps_of, json_response, parse, read_json, require_service

routes = web.RouteTableDef()
KEY_RE = re.compile(r"^[A-Za-z0-9_\-:.]{8,128}$")


@routes.post("/api/v1/cases")
async def create_case(request: web.Request) -> web.Response:
    require_service(request)
    key = request.headers.get("Idempotency-Key", "")
    if not KEY_RE.match(key):
        raise validation_error({"Idempotency-Key": _("Rubriken Idempotency-Key saknas eller har fel format (8–128 tecken).")})
    raw = await read_json(request)
    body = parse(CaseIn, raw)
    async with db(request) as session:
        result, created = await cases.create_case(session, deps_of(request), body, raw, key)
    return json_response(result, status=201 if created else 200)
