"""Statistics: public views suppress cells under 5; an officer sees their own organisation in full."""
from __future__ import annotations

from aiohttp import web

from .. import catalogue
from ..errors import validation_error
from ..i18n import gettext as _
from ..services import auth, stats
from .common import bearer, check_query, db, json_response, q_int, q_str, settings_of

routes = web.RouteTableDef()
FILTERS = {"year", "month", "category", "verksamhetsomrade", "region", "unit", "officer", "format"}


def _filters(request: web.Request) -> stats.StatsFilters:
    check_query(request, FILTERS)
    cat = q_str(request, "category", 40)
    if cat and cat not in catalogue.sub_to_main() and cat not in catalogue.main_codes():
        raise validation_error({"category": _("Okänd kategori.")})
    vo = q_str(request, "verksamhetsomrade", 40)
    if vo and vo not in catalogue.codes("verksamhetsomraden"):
        raise validation_error({"verksamhetsomrade": _("Okänt verksamhetsområde.")})
    fmt = request.query.get("format", "json")
    if fmt not in ("json", "csv"):
        raise validation_error({"format": _("Ogiltigt värde. Tillåtna värden: json, csv.")})
    return stats.StatsFilters(year=q_int(request, "year", 2000, 2100), month=q_int(request, "month", 1, 12),
                              category=cat, verksamhetsomrade=vo, region=q_str(request, "region", 40),
                              unit=q_str(request, "unit", 40), officer=q_int(request, "officer", 1, 2**31 - 1))


async def _scope(request: web.Request, session, f: stats.StatsFilters) -> tuple[str | None, bool]:
    """(organisation filter, suppress). A logged-in officer gets the own organisation, unsuppressed.
    The public may not filter by officer: that would show one person's figures."""
    token = bearer(request)
    idle = settings_of(request).officer_idle_minutes
    found = await auth.officer_for_token(session, token, idle_minutes=idle) if token else None
    if found is None:
        if f.officer is not None:
            raise validation_error({"officer": _("Statistik per handläggare visas bara för inloggade handläggare.")})
        return None, True
    return found[0].organisation_id, False


@routes.get("/api/v1/stats/categories")
async def categories(request: web.Request) -> web.Response:
    f = _filters(request)
    async with db(request) as session:
        org, suppress = await _scope(request, session, f)
        table = await stats.category_table(session, f, org, suppress)
    if request.query.get("format") == "csv":
        return web.Response(text=stats.category_csv(table), content_type="text/csv", charset="utf-8",
                            headers={"Content-Disposition": 'attachment; filename="arenden-per-problemomrade.csv"'})
    return json_response(table)


@routes.get("/api/v1/stats/summary")
async def summary(request: web.Request) -> web.Response:
    f = _filters(request)
    async with db(request) as session:
        org, suppress = await _scope(request, session, f)
        data = await stats.summary(session, f, org, suppress)
    if request.query.get("format") == "csv":
        return web.Response(text=stats.summary_csv(data), content_type="text/csv", charset="utf-8",
                            headers={"Content-Disposition": 'attachment; filename="arenden-sammanfattning.csv"'})
    return json_response(data)
