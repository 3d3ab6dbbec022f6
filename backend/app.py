"""Application factory."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from typing import AsyncIterator

import aiohttp
from aiohttp import web

from . import i18n
from .api import setup_routes
from .api.body_guard import officer_body_guard
from .api.common import MAX_REQUEST_BYTES, json_response
from .db import make_engine, make_sessionmaker
from .errors import ApiError, not_found, validation_error
from .appkeys import LOGIN_LIMITER, OIDC_RP, REPORTER_LIMITER
from .services import auth, cases, identities, lease, reporter_sessions, webhooks
from .services.oidc import RelyingParty
from .services.notify import Notifier
from .services.ratelimit import DatabaseFailures, FailureLimiter, purge_failures
from .settings import Settings, require_safe_secrets
from .swedish_time import utcnow

log = logging.getLogger(__name__)


@web.middleware
async def locale_middleware(request: web.Request, handler):
    lang = request.query.get("lang") if request.query.get("lang") in i18n.SUPPORTED else None
    token = i18n.set_locale(lang or request.cookies.get("kg_lang") or i18n.negotiate(request.headers.get("Accept-Language")))
    try:
        resp = await handler(request)
        resp.headers.setdefault("Content-Language", i18n.get_locale())
        return resp
    finally:
        i18n._current.reset(token)


@web.middleware
async def error_middleware(request: web.Request, handler):
    try:
        return await handler(request)
    except ApiError as exc:
        return json_response(exc.body(), status=exc.status, headers=exc.headers)
    except web.HTTPException as exc:
        if not request.path.startswith("/api/") or exc.status < 400:
            raise
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(exc.status, "http_error")
        msg = {404: i18n._("Det finns inget sådant."), 405: i18n._("Metoden stöds inte här."),
               413: i18n._("Förfrågan är för stor.")}.get(exc.status, exc.reason)
        return json_response({"error": {"code": code, "message": msg}}, status=exc.status,
                             headers={k: v for k, v in exc.headers.items() if k.lower() == "allow"})
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.rel_url.path)
        return json_response({"error": {"code": "internal_error",
                                        "message": i18n._("Något gick fel hos oss. Försök igen om en stund.")}},
                             status=500)


@web.middleware
async def reject_nul(request: web.Request, handler):
    """A NUL character in the path or query string is never valid input, and PostgreSQL cannot even compare
    text with it: answer 404/422 here instead of letting the database fail with a 500."""
    if "\x00" in request.path:
        if request.path.startswith("/api/"):
            raise not_found()
        raise web.HTTPNotFound()
    bad = {k: i18n._("Ogiltigt värde.") for k, v in request.query.items() if "\x00" in k or "\x00" in v}
    if bad:
        if request.path.startswith("/api/"):
            raise validation_error({k.replace("\x00", ""): v for k, v in bad.items()})
        raise web.HTTPBadRequest()
    return await handler(request)


@web.middleware
async def security_headers(request: web.Request, handler):
    resp = await handler(request)
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", "no-referrer")
    if request.path.startswith("/api/"):
        resp.headers.setdefault("Cache-Control", "no-store")
    return resp


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app["settings"]
    engine = make_engine(settings.database_url)
    app["engine"] = engine
    app["sessionmaker"] = sessions = make_sessionmaker(engine)
    # the failed attempts are in the database: every backend process counts the same attempts
    app[REPORTER_LIMITER] = FailureLimiter(settings.rate_limit_failures, settings.rate_limit_window_s,
                                           store=DatabaseFailures(sessions, "reporter", settings.secret_key))
    # ten wrong passwords lock one account for a while; a whole hospital behind one address gets more
    app[LOGIN_LIMITER] = FailureLimiter(10, settings.rate_limit_window_s, caps={"ip:": 50},
                                        store=DatabaseFailures(sessions, "login", settings.secret_key))
    yield
    await app["notifier"].drain()
    await engine.dispose()


PERIODIC_JOB = "deadlines"


async def periodic_work(app: web.Application) -> None:
    """Deadline events, then expired sessions and failed attempts cleared away."""
    settings = app["settings"]
    async with app["sessionmaker"]() as session:
        await cases.check_deadlines(session)
        await auth.purge_expired_sessions(session, idle_minutes=settings.officer_idle_minutes)
        await reporter_sessions.purge_expired(session)
        await identities.purge_expired(session)
        await purge_failures(session, settings.rate_limit_window_s)


async def deadline_ctx(app: web.Application) -> AsyncIterator[None]:
    """Runs periodic_work every deadline_check_interval_s — once per period across all backend processes
    (services.lease): each process asks at most every minute, and the one that claims the period runs it."""
    interval = app["settings"].deadline_check_interval_s

    async def loop() -> None:
        while True:
            try:
                now = utcnow()
                async with app["sessionmaker"]() as session:
                    claimed = await lease.claim(session, PERIODIC_JOB, interval, now=now)
                if claimed:
                    await periodic_work(app)
                    log.info("periodic work %s done (claimed at %s)", PERIODIC_JOB, now.isoformat())
            except Exception:  # noqa: BLE001 — keep checking; the database may be back next time
                log.warning("deadline check failed", exc_info=True)
            await asyncio.sleep(min(interval, 60))

    task = asyncio.create_task(loop()) if interval > 0 else None
    yield
    if task:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def webhook_ctx(app: web.Application) -> AsyncIterator[None]:
    """The webhook worker (services.webhooks): every webhook_poll_s, new events are fanned out and due
    deliveries claimed and sent. Every process runs it; the claims in the database keep them apart. It is a
    task of its own, so a slow receiver never holds up a request."""
    settings = app["settings"]
    poll = settings.webhook_poll_s

    async def loop() -> None:
        async with aiohttp.ClientSession() as http:
            while True:
                try:
                    sent = await webhooks.run_once(app["sessionmaker"], settings, http)
                except Exception:  # noqa: BLE001 — keep going; the database may be back next time
                    log.warning("webhook worker round failed", exc_info=True)
                    sent = 0
                if not sent:
                    await asyncio.sleep(poll)

    task = asyncio.create_task(loop()) if poll > 0 else None
    yield
    if task:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def create_app(settings: Settings | None = None) -> web.Application:
    settings = settings or Settings.from_env()
    require_safe_secrets(settings)  # never serve with the development secrets outside KG_ENV=dev
    app = web.Application(middlewares=[security_headers, locale_middleware, error_middleware, reject_nul,
                                       officer_body_guard],
                          client_max_size=MAX_REQUEST_BYTES)
    app["settings"] = settings
    notifier = Notifier(settings)
    app["notifier"] = notifier
    app["deps"] = cases.Deps(settings=settings, notify=notifier)
    if settings.oidc_enabled:
        app[OIDC_RP] = RelyingParty(settings)
    elif settings.oidc_issuer:
        log.warning("KG_OIDC_ISSUER is set but KG_OIDC_CLIENT_ID or KG_OIDC_CLIENT_SECRET is not: e-ID is off")
    app.cleanup_ctx.append(database_ctx)
    app.cleanup_ctx.append(deadline_ctx)
    app.cleanup_ctx.append(webhook_ctx)
    setup_routes(app)
    if os.environ.get("KG_WEB", "1") != "0":  # KG_WEB=0: the JSON API only
        try:
            from .web import setup_web
        except ModuleNotFoundError as exc:
            if exc.name != "backend.web":
                raise
        else:
            setup_web(app)
    return app
