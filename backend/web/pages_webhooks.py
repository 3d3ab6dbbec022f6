"""The admin's webhook pages: the organisation's subscriptions and the delivery log (with re-send)."""
from __future__ import annotations

from aiohttp import web

from ..errors import ApiError
from ..i18n import gettext as _
from ..services import webhooks
from . import security
from .common import error_page, first, forbidden_csrf, form_data, officer_page, redirect, render, url_with

routes = web.RouteTableDef()
STATUSES = (webhooks.PENDING, webhooks.DELIVERED, webhooks.DEAD)


def status_labels() -> dict[str, str]:
    return {webhooks.PENDING: _("Väntar"), webhooks.DELIVERED: _("Levererad"), webhooks.DEAD: _("Gav upp")}


def notices() -> dict[str, str]:
    return {"pausad": _("Prenumerationen är pausad. Händelserna sparas och skickas när du återupptar den."),
            "aterupptagen": _("Prenumerationen är återupptagen."),
            "borttagen": _("Prenumerationen är borttagen."),
            "skickas": _("Händelsen skickas igen inom kort.")}


def _admin_only(request: web.Request, ctx: security.OfficerContext) -> web.Response | None:
    if ctx.officer.role != "admin":
        return error_page(request, 403, _("Bara för administratörer"),
                          _("Webhooks till diariesystemet hanteras av organisationens administratör."))
    return None


async def _admin_form(request: web.Request, ctx: security.OfficerContext):
    """An admin's posted form with a valid CSRF token: ``(None, form)``, or ``(refusal, None)``."""
    if (refused := _admin_only(request, ctx)) is not None:
        return refused, None
    form = await form_data(request)
    if not security.csrf_valid(request, first(form, security.CSRF_FIELD)):
        return forbidden_csrf(request), None
    return None, form


async def _subscriptions_page(request: web.Request, session, ctx, errors: dict[str, str] | None = None,
                              values: dict[str, str] | None = None, new_secret: str | None = None,
                              status: int = 200) -> web.Response:
    return render(request, "officer/webhooks.html", {
        "subscriptions": await webhooks.subscriptions(session, ctx.officer.organisation_id),
        "errors": errors or {}, "values": values or {}, "new_secret": new_secret,
        "notice": notices().get(request.query.get("klart", "")), "event_types": webhooks.EVENT_TYPES,
    }, status=status)


@routes.get("/officer/webhooks", name="officer_webhooks")
@officer_page
async def subscriptions_page(request: web.Request, session, ctx: security.OfficerContext) -> web.Response:
    return _admin_only(request, ctx) or await _subscriptions_page(request, session, ctx)


@routes.post("/officer/webhooks")
@officer_page
async def create_subscription(request: web.Request, session, ctx: security.OfficerContext) -> web.Response:
    refused, form = await _admin_form(request, ctx)
    if refused is not None:
        return refused
    values = {"url": first(form, "url")[:600], "description": first(form, "description")[:300]}
    try:
        _sub, secret = await webhooks.create_subscription(session, ctx.officer, values["url"], values["description"])
    except ApiError as exc:
        await session.rollback()
        await session.refresh(ctx.officer)
        return await _subscriptions_page(request, session, ctx, errors=dict(exc.fields), values=values, status=422)
    # the secret is shown this once, on the answer to the form (not in a URL)
    return await _subscriptions_page(request, session, ctx, new_secret=secret)


@routes.post(r"/officer/webhooks/{sub_id:\d+}/{action}")
@officer_page
async def subscription_action(request: web.Request, session, ctx: security.OfficerContext) -> web.Response:
    action = request.match_info["action"]
    if action not in ("pausa", "ateruppta", "ta-bort"):
        raise web.HTTPNotFound()
    refused, form = await _admin_form(request, ctx)
    if refused is not None:
        return refused
    sub_id = int(request.match_info["sub_id"][:9])
    try:
        if action == "ta-bort":
            await webhooks.delete_subscription(session, ctx.officer, sub_id)
        else:
            await webhooks.set_active(session, ctx.officer, sub_id, action == "ateruppta")
    except ApiError:
        raise web.HTTPNotFound() from None
    done = {"pausa": "pausad", "ateruppta": "aterupptagen", "ta-bort": "borttagen"}[action]
    return redirect(url_with("/officer/webhooks", klart=done))


@routes.get("/officer/webhooks/leveranser", name="officer_webhook_log")
@officer_page
async def delivery_log(request: web.Request, session, ctx: security.OfficerContext) -> web.Response:
    if (refused := _admin_only(request, ctx)) is not None:
        return refused
    status = request.query.get("status", "")
    status = status if status in STATUSES else ""
    return render(request, "officer/webhook_log.html", {
        "deliveries": await webhooks.delivery_log(session, ctx.officer.organisation_id, status or None),
        "status": status, "statuses": STATUSES, "status_labels": status_labels(),
        "notice": notices().get(request.query.get("klart", "")), "errors": {},
    })


@routes.post(r"/officer/webhooks/leveranser/{delivery_id:\d+}/skicka-igen")
@officer_page
async def resend(request: web.Request, session, ctx: security.OfficerContext) -> web.Response:
    refused, form = await _admin_form(request, ctx)
    if refused is not None:
        return refused
    try:
        await webhooks.resend(session, ctx.officer, int(request.match_info["delivery_id"][:9]))
    except ApiError as exc:
        await session.rollback()
        await session.refresh(ctx.officer)
        if exc.status == 404:
            raise web.HTTPNotFound() from None
        return render(request, "officer/webhook_log.html", {
            "deliveries": await webhooks.delivery_log(session, ctx.officer.organisation_id),
            "status": "", "statuses": STATUSES, "status_labels": status_labels(), "notice": None,
            "errors": {"form": exc.message}}, status=exc.status)
    return redirect(url_with("/officer/webhooks/leveranser", klart="skickas"))
