"""Server-rendered pages: the chat page, the reporter page, the officer workspace and the statistics.

`setup_web(app)` is called by `backend.app.create_app`. Pages call the service layer in-process
(`backend.services.*`), never the JSON API over HTTP.
"""
from __future__ import annotations

import logging
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from .. import i18n
from . import common, filters, security

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


def make_env_globals(env: jinja2.Environment) -> None:
    # gettext through backend.i18n: the locale is a context variable set per request
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(get_locale=i18n.get_locale)
    env.filters.update(filters.FILTERS)


@web.middleware
async def page_locale(request: web.Request, handler):
    """Pages are Swedish unless the visitor chose English (the language link sets the kg_lang cookie,
    or ?lang=en); the JSON API keeps negotiating Accept-Language."""
    if request.path.startswith(("/api/", "/static/")):
        return await handler(request)
    chosen = request.query.get("lang")
    if chosen not in i18n.SUPPORTED:
        chosen = request.cookies.get(security.COOKIE_LANG)
    token = i18n.set_locale(chosen if chosen in i18n.SUPPORTED else i18n.DEFAULT)
    try:
        return await handler(request)
    finally:
        i18n._current.reset(token)


def _is_page(request: web.Request) -> bool:
    return not request.path.startswith(("/api/", "/static/")) and request.path != "/health"


@web.middleware
async def page_errors(request: web.Request, handler):
    """HTML error pages for the pages (the JSON API keeps its JSON errors)."""
    if not _is_page(request):
        return await handler(request)
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return common.error_page(request, 404, i18n.gettext("Sidan finns inte"),
                                 i18n.gettext("Vi hittar inte sidan. Kontrollera adressen, eller börja om från startsidan."))
    except web.HTTPMethodNotAllowed:
        return common.error_page(request, 405, i18n.gettext("Det gick inte"),
                                 i18n.gettext("Sidan kan inte användas på det sättet."))
    except web.HTTPException:
        raise
    except Exception:
        log.exception("page error on %s %s", request.method, request.path)
        return common.error_page(request, 500, i18n.gettext("Något gick fel"),
                                 i18n.gettext("Något gick fel hos oss. Försök igen om en stund. "
                                              "Det du skrev i chatten finns kvar."))


def setup_web(app: web.Application) -> None:
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "xml", "svg"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined if app["settings"].extra.get("strict_templates") else jinja2.Undefined,
    )
    make_env_globals(env)
    app.middlewares.append(page_locale)
    app.middlewares.append(security.page_headers)
    app.middlewares.append(page_errors)
    (STATIC / "dist").mkdir(parents=True, exist_ok=True)
    app.router.add_static("/static", str(STATIC), name="static", append_version=False)

    from . import pages_eid, pages_officer, pages_public, pages_stats, pages_webhooks

    app.add_routes(pages_public.routes)
    app.add_routes(pages_eid.routes)
    app.add_routes(pages_officer.routes)
    app.add_routes(pages_stats.routes)
    app.add_routes(pages_webhooks.routes)
