"""Server-rendered pages: the chat page, the reporter page, the officer workspace and the statistics.

`setup_web(app)` is called by `backend.app.create_app`. Pages call the service layer in-process
(`backend.services.*`), never the JSON API over HTTP.
"""
from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from .. import i18n
from . import filters, security

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


def setup_web(app: web.Application) -> None:
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "xml", "svg"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined if app["settings"].extra.get("strict_templates") else jinja2.Undefined,
        context_processors=[filters.context_processor],
    )
    make_env_globals(env)
    app["web_reporter_sessions"] = security.ReporterSessions()
    app.middlewares.append(page_locale)
    app.middlewares.append(security.page_headers)
    (STATIC / "dist").mkdir(parents=True, exist_ok=True)
    app.router.add_static("/static", str(STATIC), name="static", append_version=False)

    from . import pages_officer, pages_public, pages_stats

    app.add_routes(pages_public.routes)
    app.add_routes(pages_officer.routes)
    app.add_routes(pages_stats.routes)
