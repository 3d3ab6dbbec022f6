"""The officer workspace: log in/out, the case list, the case page and its actions."""
from __future__ import annotations

import logging
from datetime import date
from typing import Any, get_origin

from aiohttp import web
from pydantic import BaseModel, ValidationError

from ..appkeys import LOGIN_LIMITER
from .. import catalogue, lifecycle
from ..errors import ApiError, from_pydantic
from ..i18n import gettext as _
from ..schemas import AssignIn, CategoriseIn
from ..services import actions, auth, cases, totp
from ..services.attachments import path_of
from ..api.common import client_ip, settings_of
from . import lookups, security
from .common import (db, error_page, first, form_and_files, form_data, forbidden_csrf, officer_page, redirect,
                     render, safe_next, url_with)

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

PER_PAGE_CHOICES = (10, 25, 50, 100)
# the three messages to the reporter share one form ("message", with a `kind`); every other action of the
# registry (services.actions) has a form of its own, posted to /officer/arenden/{reference}/{action}
MESSAGE_ACTIONS = ("answer", "partial-answer", "counter-question")
ACTIONS = ("message", *(a for a in actions.REGISTRY if a not in MESSAGE_ACTIONS))


def done_messages() -> dict[str, str]:
    return {
        "take": _("Du har tagit ärendet. Det är nu ditt och har status Under handläggning."),
        "assign": _("Ärendet är tilldelat."),
        "note": _("Anteckningen är sparad. Bara din organisation ser den."),
        "answer": _("Svaret är skickat till anmälaren. Ärendet har status Besvarat."),
        "partial-answer": _("Delsvaret är skickat till anmälaren."),
        "counter-question": _("Motfrågan är skickad. Ärendet väntar nu på svar från anmälaren."),
        "statement": _("Yttrandet är skickat."),
        "reassign": _("Ärendet är omfördelat."),
        "request-statement": _("Yttrande är begärt från vårdgivaren."),
        "extend-statement": _("Tiden för yttrandet är förlängd."),
        "request-extension": _("Ni har fått längre tid för yttrandet."),
        "move-answer-date": _("Svarsdatumet är ändrat. Anmälaren har fått ett delsvar med det nya datumet."),
        "categorise": _("Kategoriseringen är sparad."),
        "tags": _("Taggarna är sparade."),
        "set-unit": _("Mottagningen är sparad."),
        "close": _("Ärendet är avslutat."),
    }


# --- log in / log out ------------------------------------------------------------------------------

@routes.get("/officer/login", name="officer_login")
async def login_page(request: web.Request) -> web.Response:
    async with db(request) as session:
        if await security.current_officer(request, session):
            return redirect(safe_next(request.query.get("next")))
    notice = None
    if request.query.get("utgangen") == "1":
        notice = _("Din inloggning har gått ut. Logga in igen.")
    elif request.query.get("utloggad") == "1":
        notice = _("Du är utloggad.")
    return render(request, "officer/login.html", {"errors": {}, "values": {}, "notice": notice,
                                                  "next": safe_next(request.query.get("next"))})


@routes.post("/officer/login")
async def login_submit(request: web.Request) -> web.Response:
    form = await form_data(request)
    if not security.csrf_valid(request, first(form, security.CSRF_FIELD)):
        return forbidden_csrf(request)
    email = first(form, "email").strip()[:254]
    password = first(form, "password")[:200]
    nxt = safe_next(first(form, "next"))
    values = {"email": email}
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = _("Skriv din e-postadress.")
    if not password:
        errors["password"] = _("Skriv ditt lösenord.")
    if errors:
        return render(request, "officer/login.html", {"errors": errors, "values": values, "next": nxt}, status=422)
    limiter = request.app[LOGIN_LIMITER]
    keys = ("login:" + email.lower(), client_ip(request))
    if await limiter.blocked(*keys):
        return render(request, "officer/login.html", {
            "errors": {"form": _("För många felaktiga försök. Vänta en stund och försök igen.")},
            "values": values, "next": nxt}, status=429)
    async with db(request) as session:
        officer = await auth.authenticate(session, email, password)
        if officer is None:
            await limiter.fail(*keys)
            return render(request, "officer/login.html", {
                "errors": {"form": _("Fel e-postadress eller lösenord.")}, "values": values, "next": nxt},
                status=401)
        factor = totp.second_factor(settings_of(request).env, officer)
        if factor == "missing":
            return render(request, "officer/login.html", {
                "errors": {"form": totp.missing_text()}, "values": values, "next": nxt}, status=403)
        if factor == "code":
            resp = redirect(url_with("/officer/login/kod", next=nxt if nxt != "/officer" else None))
            security.start_login_step(request, officer, resp)
            return resp
        resp = redirect(nxt)
        await security.start_officer_session(request, session, officer, resp)
    return resp


@routes.get("/officer/login/kod", name="officer_login_code")
async def login_code_page(request: web.Request) -> web.Response:
    async with db(request) as session:
        if await security.login_step_officer(request, session) is None:
            expired = "1" if request.cookies.get(security.COOKIE_LOGIN_STEP) else None
            return redirect(url_with("/officer/login", utgangen=expired))
    return render(request, "officer/login_code.html", {"errors": {}, "next": safe_next(request.query.get("next"))})


@routes.post("/officer/login/kod")
async def login_code_submit(request: web.Request) -> web.Response:
    form = await form_data(request)
    if not security.csrf_valid(request, first(form, security.CSRF_FIELD)):
        return forbidden_csrf(request)
    nxt = safe_next(first(form, "next"))
    code = first(form, "code")[:20]
    async with db(request) as session:
        officer = await security.login_step_officer(request, session)
        if officer is None:
            resp = redirect(url_with("/officer/login", utgangen="1"))
            security.end_login_step(resp)
            return resp
        if not code.strip():
            return render(request, "officer/login_code.html", {
                "errors": {"code": _("Skriv koden från autentiseringsappen.")}, "next": nxt}, status=422)
        limiter = request.app[LOGIN_LIMITER]
        keys = ("login:" + officer.email, client_ip(request))
        if await limiter.blocked(*keys):
            return render(request, "officer/login_code.html", {
                "errors": {"form": _("För många felaktiga försök. Vänta en stund och försök igen.")},
                "next": nxt}, status=429)
        if not await totp.verify(session, settings_of(request).secret_key, officer, code):
            await limiter.fail(*keys)
            return render(request, "officer/login_code.html", {
                "errors": {"code": totp.wrong_code_text()}, "next": nxt}, status=401)
        resp = redirect(nxt)
        security.end_login_step(resp)
        await security.start_officer_session(request, session, officer, resp)
    return resp


@routes.post("/officer/logout", name="officer_logout")
async def logout(request: web.Request) -> web.Response:
    form = await form_data(request)
    async with db(request) as session:
        await security.current_officer(request, session)  # binds the CSRF token to the session
        if not security.csrf_valid(request, first(form, security.CSRF_FIELD)):
            return forbidden_csrf(request)
        resp = redirect("/officer/login?utloggad=1")
        await security.end_officer_session(request, session, resp)
    return resp


# --- the case list ------------------------------------------------------------------------------------

def _parse_list_query(request: web.Request) -> tuple[cases.ListFilters, dict[str, Any], dict[str, str]]:
    q = request.query
    errors: dict[str, str] = {}
    raw = {k: q.get(k, "").strip()[:40] for k in ("status", "overdue", "category", "unit", "from", "to", "q",
                                                  "sort", "page", "per_page", "assigned")}
    if raw["assigned"] not in ("me", "none"):
        raw["assigned"] = ""
    status = raw["status"]
    statuses: list[str] = []
    if status == "open":
        statuses = sorted(lifecycle.OPEN_STATUSES)
    elif status in lifecycle.STATUSES:
        statuses = [status]
    elif status:
        errors["status"] = _("Okänd status.")
        raw["status"] = ""
    overdue = {"true": True, "false": False}.get(raw["overdue"])
    category = raw["category"] if raw["category"] in catalogue.sub_to_main() or raw["category"] in catalogue.main_codes() else None
    dates: dict[str, date | None] = {}
    for k in ("from", "to"):
        try:
            dates[k] = date.fromisoformat(raw[k]) if raw[k] else None
        except ValueError:
            errors[k] = _("Ange ett datum som ÅÅÅÅ-MM-DD.")
            dates[k] = None
    sort = raw["sort"] if raw["sort"] in cases.SORTS else "-received_at"
    try:
        page = max(1, min(100000, int(raw["page"] or 1)))
    except ValueError:
        page = 1
    try:
        per_page = int(raw["per_page"] or 25)
    except ValueError:
        per_page = 25
    if per_page not in PER_PAGE_CHOICES:
        per_page = 25
    raw.update(sort=sort, page=page, per_page=per_page)
    if cases.looks_like_personnummer(raw["q"]):  # never searched from a URL (history, proxy logs)
        errors["q"] = _("Sök inte på personnummer här: numret hamnar då i adressfältet. Öppna ärendet "
                        "med ärendenumret i stället.")
        raw["q"] = ""
    f = cases.ListFilters(status=statuses, overdue=overdue, category=category, unit=raw["unit"] or None,
                          date_from=dates["from"], date_to=dates["to"], q=raw["q"] or None, sort=sort,
                          page=page, per_page=per_page, assigned=raw["assigned"] or None)
    return f, raw, errors


@routes.get("/officer", name="officer_home")
@officer_page
async def case_list(request: web.Request, session, ctx: security.OfficerContext) -> web.Response:
    f, raw, errors = _parse_list_query(request)
    result = await cases.list_cases(session, ctx.officer, f)
    total = result["total"]
    pages = max(1, (total + f.per_page - 1) // f.per_page)
    if f.page > pages and total:
        return redirect(url_with("/officer", **{**_filter_params(raw), "page": pages}))
    # a search that finds exactly one case by its full reference opens it
    if f.q and total == 1 and result["items"][0]["reference"] == f.q.strip().upper():
        return redirect(f"/officer/arenden/{result['items'][0]['reference']}")
    return render(request, "officer/list.html", {
        "result": result, "filters": raw, "errors": errors, "pages": pages,
        "statuses": catalogue.translated_taxonomy()["statuses"],
        "categories": lookups.category_groups(),
        "units": await lookups.units_for_officer(session, ctx.view["organisation"]),
        "per_page_choices": PER_PAGE_CHOICES,
        "params": _filter_params(raw),
        "url_with": url_with,
        "notice": done_messages().get(request.query.get("klart", "")),
        "sorts": [("-received_at", _("Senast mottagna först")), ("received_at", _("Äldst först")),
                  ("answer_due", _("Svar senast, tidigast först")), ("-answer_due", _("Svar senast, senast först")),
                  ("status", _("Status")), ("reference", _("Ärendenummer"))],
    })


def _filter_params(raw: dict[str, Any]) -> dict[str, Any]:
    params = {k: raw.get(k) for k in ("status", "overdue", "category", "unit", "from", "to", "q", "assigned")}
    if raw.get("sort") and raw["sort"] != "-received_at":
        params["sort"] = raw["sort"]
    if raw.get("per_page") and raw["per_page"] != 25:
        params["per_page"] = raw["per_page"]
    return params


# --- the case page --------------------------------------------------------------------------------------

async def _case_context(request: web.Request, session, ctx: security.OfficerContext,
                        case: dict[str, Any]) -> dict[str, Any]:
    org = ctx.view["organisation"]
    role = ctx.officer.role
    is_statement_org = (case.get("statement_organisation") or {}).get("id") == org["id"] \
        and case["recipient_organisation"]["id"] != org["id"]
    officer_ids = {e["officer_id"] for e in case.get("events", []) if e.get("officer_id")}
    officer_ids |= {e["data"].get(k) for e in case.get("events", []) if e["kind"] == "assigned"
                    for k in ("from", "to") if isinstance(e["data"].get(k), int)}
    all_orgs = await lookups.organisations(session)
    allowed = set(case["allowed_actions"])  # services.actions.refusal decides; the page only shows
    can = {a: a in allowed for a in actions.REGISTRY}
    can["message"] = bool(allowed & set(MESSAGE_ACTIONS))
    # "close" stays visible with a hint while only the categorisation is missing
    can["close"] = "close" in allowed or ("categorise" in allowed and not case["officer_categories"]
                                          and lifecycle.can(case["status"], lifecycle.CLOSED))
    unit_region = case.get("region_code")
    return {
        "case": case,
        "role": role,
        "role_label": {"receiver": _("ärendemottagare"), "handler": _("ärendehanterare"),
                       "admin": _("administratör")}.get(role, role),
        "is_statement_org": is_statement_org,
        "can": can,
        "categories": lookups.category_groups(),
        "focus_tags": catalogue.translated_taxonomy()["focus_tags"],
        "organisations": [o for o in all_orgs if o["id"] != case["recipient_organisation"]["id"]],
        "providers": [o for o in all_orgs if o["kind"] == "care_provider" and o["region_code"] == unit_region]
        or [o for o in all_orgs if o["kind"] == "care_provider"],
        "units": await lookups.units(session, region_code=unit_region),
        "colleagues": [o for o in await lookups.officers(session, org["id"]) if o["active"]],
        "officer_names": await lookups.officer_names(session, officer_ids),
        "org_names": {o["id"]: o["name"] for o in all_orgs},
        "statement_weeks": request.app["settings"].statement_weeks,
        "extension_weeks": request.app["settings"].extension_weeks,
        "event_labels": event_labels(),
        "roles_label": role_labels(),
        "consent_labels": {c["code"]: c["label"] for c in catalogue.translated_taxonomy()["consent_values"]},
        "reporter_roles": {c["code"]: c["label"] for c in catalogue.translated_taxonomy()["reporter_roles"]},
        "contact_labels": {"email": _("E-post"), "phone": _("Telefon"), "none": _("Vill inte bli kontaktad")},
        "gender_labels": {"female": _("Kvinna"), "male": _("Man")},
        "audit_labels": audit_labels(),
    }


def role_labels() -> dict[str, str]:
    return {"receiver": _("Ärendemottagare"), "handler": _("Ärendehanterare"), "admin": _("Administratör")}


def event_labels() -> dict[str, str]:
    return {
        "created": _("Ärendet kom in"),
        "status_changed": _("Status ändrad"),
        "reassigned": _("Omfördelat"),
        "statement_requested": _("Yttrande begärt"),
        "statement_extended": _("Tiden för yttrande förlängd"),
        "assigned": _("Tilldelat"),
        "answer_date_moved": _("Svarsdatum ändrat"),
        "categorised": _("Kategoriserat"),
        "tagged": _("Taggar ändrade"),
        "unit_set": _("Mottagning vald"),
        "deadline_passed": _("Tidsfrist passerad"),
        "anonymised": _("Avidentifierat"),
    }


def audit_labels() -> dict[str, str]:
    return {
        "read": _("Läste ärendet"), "list": _("Listade ärenden"), "take": _("Tog ärendet"),
        "assign": _("Tilldelade ärendet"), "note": _("Skrev en intern anteckning"),
        "answer": _("Besvarade"), "partial_answer": _("Skickade delsvar"), "counter_question": _("Ställde motfråga"),
        "statement": _("Lämnade yttrande"), "reassign": _("Omfördelade"), "request_statement": _("Begärde yttrande"),
        "extend_statement": _("Förlängde tid för yttrande"), "request_extension": _("Begärde förlängd tid för yttrande"),
        "move_answer_date": _("Ändrade svarsdatum"), "categorise": _("Kategoriserade"),
        "tags": _("Ändrade taggar"), "set_unit": _("Valde mottagning"), "close": _("Avslutade"),
        "read_attachment": _("Öppnade bilaga"), "export": _("Exporterade"),
        "set_diary_number": _("Diariesystemet satte diarienummer"),
    }


@routes.get("/officer/arenden/{reference}", name="officer_case")
@officer_page
async def case_page(request: web.Request, session, ctx: security.OfficerContext) -> web.Response:
    reference = request.match_info["reference"].strip().upper()[:20]
    try:
        case = await cases.open_case(session, ctx.officer, reference)
    except ApiError as exc:
        if exc.status == 404:
            return error_page(request, 404, _("Ärendet finns inte"),
                              _("Det finns inget ärende med det numret hos din organisation."))
        raise
    context = await _case_context(request, session, ctx, case)
    context.update(errors={}, values={}, failed_action=None,
                   notice=done_messages().get(request.query.get("klart", "")))
    return render(request, "officer/case.html", context)


@routes.post("/officer/arenden/{reference}/{action}", name="officer_case_action")
@officer_page
async def case_action(request: web.Request, session, ctx: security.OfficerContext) -> web.Response:
    reference = request.match_info["reference"].strip().upper()[:20]
    action = request.match_info["action"]
    if action not in ACTIONS:
        raise web.HTTPNotFound()
    form, uploads = await form_and_files(request)
    if not security.csrf_valid(request, first(form, security.CSRF_FIELD)):
        return forbidden_csrf(request)
    values = {k: (v if len(v) > 1 else v[0]) for k, v in form.items() if k != security.CSRF_FIELD}
    real_action = action
    try:
        if action == "message":
            real_action = first(form, "kind")
            if real_action not in MESSAGE_ACTIONS:
                raise ApiError(422, "validation_error", _("Några uppgifter behöver rättas."),
                               {"kind": _("Välj vilken sorts meddelande du skickar.")})
        payload = _payload(real_action, form)
        await actions.perform(session, request.app["deps"], ctx.officer, reference, real_action, payload, uploads)
    except ApiError as exc:
        await session.rollback()  # nothing half-done is shown or kept
        await session.refresh(ctx.officer)
        if exc.status == 404:
            return error_page(request, 404, _("Ärendet finns inte"),
                              _("Det finns inget ärende med det numret hos din organisation."))
        return await _rerender_with_error(request, session, ctx, reference, action, exc, values)
    if real_action == "reassign":
        # the case now belongs to another organisation and may no longer be visible here
        return redirect(url_with("/officer", klart="reassign"))
    return redirect(url_with(f"/officer/arenden/{reference}", klart=real_action) + "#meddelande-status")


async def _rerender_with_error(request, session, ctx, reference: str, action: str, exc: ApiError,
                               values: dict[str, Any]) -> web.Response:
    case = await cases.officer_view(session, await cases.case_for_officer(session, ctx.officer, reference), ctx.officer)
    context = await _case_context(request, session, ctx, case)
    errors = {f"{action}.{k}": v for k, v in (exc.fields or {}).items()}
    errors[f"{action}.form"] = exc.message if exc.status != 422 or not exc.fields else _("Några uppgifter behöver rättas.")
    context.update(errors=errors, values={action: values}, failed_action=action, notice=None)
    return render(request, "officer/case.html", context, status=exc.status)


def _payload(action: str, form: dict[str, list[str]]) -> BaseModel:
    """The action's payload model (from the registry) filled from the form: a list field takes every value of
    its name, any other field the first; an empty optional field is left out, so its default applies."""
    model = actions.REGISTRY[action].payload
    data: dict[str, Any] = {}
    for name, f in model.model_fields.items():
        if get_origin(f.annotation) is list:
            data[name] = form.get(name, [])
        elif first(form, name) or f.is_required():
            data[name] = first(form, name)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = from_pydantic(exc)
        if model is CategoriseIn and "subs" in err.fields:
            err.fields["subs"] = _("Välj minst ett delproblem.")
        if model is AssignIn and "officer_id" in err.fields:
            err.fields["officer_id"] = _("Välj en handläggare.")
        raise err from None


@routes.get(r"/officer/arenden/{reference}/bilagor/{attachment_id:\d+}", name="officer_attachment")
@officer_page
async def attachment(request: web.Request, session, ctx: security.OfficerContext) -> web.StreamResponse:
    try:
        a = await cases.attachment_for_officer(session, ctx.officer, request.match_info["reference"],
                                               int(request.match_info["attachment_id"]))
    except ApiError:
        return error_page(request, 404, _("Bilagan finns inte"), _("Vi hittar inte den bilagan i ärendet."))
    return web.FileResponse(path_of(request.app["settings"].attachments_dir, a.storage_key), headers={
        "Content-Type": a.content_type, "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="{a.filename}"'})
