"""Officer routes decide who is asking before anyone reads the request body.

Without this, a stranger could make the server read (and spool to disk) up to ``MAX_REQUEST_BYTES`` on an
officer route before the handler found out there was no session. Here, before the handler runs:

- the log-in and log-out forms (open to everyone) must say how long they are, and be small;
- every other POST to an officer route needs a valid session: API routes answer 401, pages send the
  browser to the log-in page. Nothing of the body has been read at that point.
"""
from __future__ import annotations

from aiohttp import web

from ..errors import ApiError
from ..i18n import gettext as _
from ..services import auth
from .common import bearer, db

SMALL_FORM_BYTES = 64 * 1024
OPEN_POSTS = {"/api/v1/officer/login", "/officer/login", "/officer/login/kod", "/officer/logout"}
SESSION_COOKIE = "kg_session"  # backend.web.security.COOKIE_OFFICER (the API must not import the pages)


def _is_api(path: str) -> bool:
    return path.startswith("/api/v1/officer/")


def _is_officer_page(path: str) -> bool:
    return path == "/officer" or path.startswith("/officer/")


async def _has_session(request: web.Request, api: bool) -> bool:
    token = bearer(request) if api else request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 200:
        return False
    async with db(request) as session:
        found = await auth.officer_for_token(session, token,
                                             idle_minutes=request.app["settings"].officer_idle_minutes)
    return found is not None and (api or found[1].kind == "web")


@web.middleware
async def officer_body_guard(request: web.Request, handler):
    path = request.path
    api = _is_api(path)
    if request.method in ("GET", "HEAD", "OPTIONS") or not (api or _is_officer_page(path)):
        return await handler(request)
    if path in OPEN_POSTS:
        length = request.content_length
        # JSON is read in bounded pieces (api.common.read_json); a form needs its length up front
        if (length is not None and length > SMALL_FORM_BYTES) or (length is None and not api):
            if api:
                raise ApiError(413, "too_large", _("Förfrågan är för stor."))
            return web.Response(status=413, text=_("Förfrågan är för stor."), content_type="text/plain")
        return await handler(request)
    if await _has_session(request, api):
        return await handler(request)
    if api:
        raise ApiError(401, "unauthorized", _("Du behöver logga in."), headers={"WWW-Authenticate": "Bearer"})
    expired = "?utgangen=1" if request.cookies.get(SESSION_COOKIE) else ""
    return web.Response(status=303, headers={"Location": "/officer/login" + expired})
