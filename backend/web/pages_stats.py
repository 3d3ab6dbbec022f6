"""The statistics dashboard for officers: "antal ärenden per problemområde" and charts, with CSV export.

An officer sees their own organisation's cases without suppression (the service decides what is suppressed
for people outside the organisation).
"""
from __future__ import annotations

from typing import Any

from aiohttp import web

from .. import catalogue
from ..i18n import gettext as _
from ..services import stats
from ..swedish_time import local_date
from . import charts, lookups, security
from .common import officer_page, render, url_with

routes = web.RouteTableDef()
FILTER_KEYS = ("year", "month", "category", "verksamhetsomrade", "region", "unit", "officer")


def _int_or_none(v: str, lo: int, hi: int) -> int | None:
    try:
        n = int(v)
    except (TypeError, ValueError):
        return None
    return n if lo <= n <= hi else None


def _filters(request: web.Request) -> tuple[stats.StatsFilters, dict[str, Any]]:
    q = request.query
    raw = {k: q.get(k, "").strip()[:40] for k in FILTER_KEYS}
    f = stats.StatsFilters(
        year=_int_or_none(raw["year"], 2000, 2100),
        month=_int_or_none(raw["month"], 1, 12),
        category=raw["category"] if raw["category"] in catalogue.sub_to_main() or raw["category"] in catalogue.main_codes() else None,
        verksamhetsomrade=raw["verksamhetsomrade"] if raw["verksamhetsomrade"] in catalogue.codes("verksamhetsomraden") else None,
        region=raw["region"] or None,
        unit=raw["unit"] or None,
        officer=_int_or_none(raw["officer"], 1, 10**9),
    )
    return f, raw


def month_names() -> list[tuple[int, str]]:
    names = [_("januari"), _("februari"), _("mars"), _("april"), _("maj"), _("juni"), _("juli"), _("augusti"),
             _("september"), _("oktober"), _("november"), _("december")]
    return list(enumerate(names, start=1))


@routes.get("/officer/statistik", name="officer_stats")
@officer_page
async def stats_page(request: web.Request, session, ctx: security.OfficerContext) -> web.Response:
    f, raw = _filters(request)
    org = ctx.view["organisation"]
    table = await stats.category_table(session, f, org["id"], suppress=False)
    summary = await stats.summary(session, f, org["id"], suppress=False)
    mains = [r for r in table["rows"] if r["level"] == "main"]
    reporter_name, officer_name = _("Anmälarens kategorisering"), _("Handläggarens kategorisering")
    chart_main = charts.hbar(
        _("Ärenden per huvudproblem"),
        _("Stapeldiagram: antal ärenden per huvudproblem, anmälarens och handläggarens kategorisering. "
          "Samma siffror finns i tabellen ovanför."),
        [r["label"] for r in mains],
        [charts.Series(reporter_name, [r["reported"] for r in mains]),
         charts.Series(officer_name, [r["handled"] for r in mains])])
    months = summary["per_month"]
    chart_month = charts.vbar(
        _("Ärenden per månad"), _("Stapeldiagram: antal mottagna ärenden per månad."),
        [m["label"] for m in months], [charts.Series(_("Ärenden"), [m["count"] for m in months])])
    hd = summary["handling_days"]
    dist = hd.get("distribution") or []
    chart_days = charts.vbar(
        _("Handläggningstid"), _("Stapeldiagram: antal avslutade ärenden per handläggningstid i dagar, "
                                 "från mottaget till avslutat."),
        [d["label"] + " " + _("dagar") for d in dist], [charts.Series(_("Avslutade ärenden"), [d["count"] for d in dist])])
    per_unit = summary["per_unit"][:15]
    chart_units = charts.hbar(
        _("Ärenden per mottagning"), _("Stapeldiagram: antal ärenden per mottagning, de 15 med flest ärenden."),
        [u["label"] for u in per_unit], [charts.Series(_("Ärenden"), [u["count"] for u in per_unit])],
        label_width=250)
    this_year = local_date().year
    taxonomy = catalogue.translated_taxonomy()
    return render(request, "officer/stats.html", {
        "filters": raw, "table": table, "summary": summary,
        "chart_main": chart_main, "chart_month": chart_month, "chart_days": chart_days, "chart_units": chart_units,
        "years": list(range(this_year, this_year - 6, -1)), "months": month_names(),
        "categories": taxonomy["categories"], "verksamhetsomraden": taxonomy["verksamhetsomraden"],
        "regions": sorted({(o["region_code"], o["region_name"]) for o in await lookups.organisations(session)},
                          key=lambda x: x[1]),
        "units": await lookups.units_for_officer(session, org),
        "officers": await lookups.officers(session, org["id"]),
        "csv_url": url_with("/officer/statistik.csv", **{k: raw[k] for k in FILTER_KEYS}),
        "filtered": any(raw.values()),
    })


@routes.get("/officer/statistik.csv", name="officer_stats_csv")
@officer_page
async def stats_csv(request: web.Request, session, ctx: security.OfficerContext) -> web.Response:
    f, _raw = _filters(request)
    table = await stats.category_table(session, f, ctx.view["organisation"]["id"], suppress=False)
    body = "\ufeff" + stats.category_csv(table)  # BOM: Excel opens å, ä, ö right
    stamp = local_date().isoformat()
    return web.Response(body=body.encode("utf-8"), headers={
        "Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="arenden-per-problemomrade-{stamp}.csv"'})
