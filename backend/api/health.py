from aiohttp import web
from sqlalchemy import text

from .common import db, json_response

routes = web.RouteTableDef()


@routes.get("/health")
async def health(request: web.Request) -> web.Response:
    try:
        async with db(request) as session:
            await session.exec(text("SELECT 1"))
    except Exception:  # noqa: BLE001 — any database failure means "not healthy"
        return json_response({"status": "unavailable"}, status=503)
    return json_response({"status": "ok"})
