"""Helpers shared by the page modules: rendering, redirects, the DB session, officer login guard, forms."""
from __future__ import annotations

import functools
import logging
from typing import Any, Awaitable, Callable
from urllib.parse import urlencode, urlsplit

import aiohttp_jinja2
from aiohttp import web
from aiohttp.web_request import FileField
from sqlmodel.ext.asyncio.session import AsyncSession

from .. import i18n
from ..errors import ApiError
from ..services.attachments import Upload, UploadWriter
from . import security

log = logging.getLogger(__name__)
Handler = Callable[..., Awaitable[web.StreamResponse]]


def db(request: web.Request) -> AsyncSession:
    return request.app["sessionmaker"]()


def render(request: web.Request, template: str, context: dict[str, Any] | None = None,
           status: int = 200) -> web.Response:
    from .filters import page_context

    return aiohttp_jinja2.render_template(template, request, {**page_context(request), **(context or {})},
                                          status=status)


def redirect(location: str, status: int = 303) -> web.Response:
    return web.Response(status=status, headers={"Location": location})


def url_with(path: str, **params: Any) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "", False)}
    return f"{path}?{urlencode(clean, doseq=True)}" if clean else path


def error_page(request: web.Request, status: int, title: str, message: str) -> web.Response:
    return render(request, "error.html", {"status": status, "title": title, "message": message}, status=status)


def forbidden_csrf(request: web.Request) -> web.Response:
    return error_page(request, 403, i18n.gettext("Sidan hade hunnit bli för gammal"),
                      i18n.gettext("Av säkerhetsskäl kunde vi inte ta emot formuläret. Gå tillbaka, "
                                   "ladda om sidan och försök igen."))


def field_errors(exc: ApiError) -> dict[str, str]:
    return dict(exc.fields or {})


async def form_data(request: web.Request, max_fields: int = 200) -> dict[str, list[str]]:
    """The posted form as {name: [values]} (checkbox groups give several values)."""
    form, _files = await form_and_files(request, max_fields)
    return form


async def form_and_files(request: web.Request, max_fields: int = 200) -> tuple[dict[str, list[str]], list[Upload]]:
    """The posted form and its uploaded files (multipart). Files are checked later by the service layer."""
    max_bytes = request.app["settings"].max_attachment_bytes
    post = await request.post()
    out: dict[str, list[str]] = {}
    uploads: list[Upload] = []
    for i, (k, v) in enumerate(post.items()):
        if i >= max_fields:
            break
        if isinstance(v, str):
            out.setdefault(k, []).append(v)
        elif isinstance(v, FileField) and v.filename:
            # aiohttp has already spooled the part to a temporary file: copy at most max_bytes + 1 of it
            sink = UploadWriter(v.filename)
            while sink.size <= max_bytes and (chunk := v.file.read(min(1 << 16, max_bytes + 1 - sink.size))):
                sink.write(chunk)
            if sink.size:
                uploads.append(sink.finish())
    return out, uploads


def first(form: dict[str, list[str]], name: str, default: str = "") -> str:
    values = form.get(name) or [default]
    return values[0]


def officer_page(handler: Handler) -> Handler:
    """Requires a logged-in officer (web session). Passes (request, db_session, officer_context)."""

    @functools.wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        async with db(request) as session:
            ctx = await security.current_officer(request, session)
            if ctx is None:
                if request.cookies.get(security.COOKIE_OFFICER):
                    resp = redirect(url_with("/officer/login", utgangen="1", next=_safe_next(request.path)))
                    resp.del_cookie(security.COOKIE_OFFICER, path="/")
                    return resp
                return redirect(url_with("/officer/login", next=_safe_next(request.path)))
            request["kg_officer_view"] = ctx.view
            return await handler(request, session, ctx)

    return wrapper


def _safe_next(path: str) -> str | None:
    return path if path.startswith("/officer") and path not in ("/officer/login", "/officer/logout") else None


def local_path(value: str | None, max_length: int = 300) -> str | None:
    r"""``value`` if it is a path on this site ("/arende?x=1"), else None. Browsers drop tabs and line
    breaks and read a backslash as a slash, so "/\t/evil.example" or "/\evil.example" would leave the site."""
    if not value or len(value) > max_length or not value.startswith("/") or value.startswith("//"):
        return None
    if "\\" in value or any((ch.isspace() and ch != " ") or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return None
    parts = urlsplit(value)
    return value if not parts.scheme and not parts.netloc else None


def safe_next(value: str | None) -> str:
    path = local_path(value, 200)
    if path and path.startswith("/officer") and "//" not in path:
        return path
    return "/officer"
