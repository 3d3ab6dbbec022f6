"""Statistics as in the 1177 service: per problem area, unit, provider, region, month, age band, gender."""
from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .. import catalogue
from ..i18n import N_, gettext as _
from ..db import local_month
from ..models import Case, CareUnit, Organisation, Region
from ..swedish_time import swedish_midnight
from .csv_cells import safe_cell

SUPPRESS_BELOW = 5


@dataclass
class StatsFilters:
    year: int | None = None
    month: int | None = None
    category: str | None = None
    verksamhetsomrade: str | None = None
    region: str | None = None
    unit: str | None = None
    officer: int | None = None


def _where(f: StatsFilters, organisation_id: str | None) -> list[Any]:
    """The filters as SQL conditions (on Case, and on CareUnit for verksamhetsområde)."""
    w: list[Any] = []
    if organisation_id:
        w.append(Case.recipient_org_id == organisation_id)
    if f.year:
        # months in Swedish time, like per_month
        start = date(f.year, f.month or 1, 1)
        end = date(f.year + (1 if not f.month or f.month == 12 else 0), (f.month % 12 + 1) if f.month else 1, 1)
        w += [Case.received_at >= swedish_midnight(start), Case.received_at < swedish_midnight(end)]
    elif f.month:
        w.append(func.substr(local_month(Case.received_at), 6, 2) == f"{f.month:02d}")
    if f.region:
        w.append(Case.region_code == f.region)
    if f.unit:
        w.append(Case.care_unit_hsa_id == f.unit)
    if f.verksamhetsomrade:
        w.append(CareUnit.verksamhetsomrade == f.verksamhetsomrade)
    if f.officer:
        w.append(Case.handled_by_officer_id == f.officer)
    if f.category:
        s2m = catalogue.sub_to_main()
        subs = sorted({f.category} if f.category in s2m else {s for s, m in s2m.items() if m == f.category})
        # officer_category_index is ",sub1,sub2,": the officer's categories, searchable in any database
        w.append(or_(col(Case.reporter_category).in_(subs),
                     *[col(Case.officer_category_index).contains(f",{s},") for s in subs]))
    return w


def _from(q: Any, f: StatsFilters, organisation_id: str | None) -> Any:
    q = q.select_from(Case).join(CareUnit, CareUnit.hsa_id == Case.care_unit_hsa_id, isouter=True)
    return q.where(*_where(f, organisation_id))


async def _grouped(session: AsyncSession, key: Any, f: StatsFilters, organisation_id: str | None) -> list[tuple[Any, int]]:
    q = _from(select(key, func.count()), f, organisation_id).group_by(key)
    return [(k, n) for k, n in (await session.exec(q)).all()]


def _hide_one_more(cells: list[dict[str, Any]], key: str, share_key: str | None = None) -> bool:
    """Secondary suppression for cells that add up to a published total: when exactly one is hidden, it
    could be worked out by subtraction, so the smallest other non-zero cell is hidden as well."""
    hidden = [c for c in cells if c[key] is None]
    shown = [c for c in cells if c[key]]
    if len(hidden) != 1 or not shown:
        return False
    victim = min(shown, key=lambda c: c[key])
    victim[key] = None
    if share_key:
        victim[share_key] = None
    return True


def protect_category_table(table: dict[str, Any]) -> dict[str, Any]:
    """Public table: the reporter's sub-categories add up to their main category (one per case), and the
    main categories to the total — so one hidden cell in either must not stand alone. The officer's
    sub-categories are protected within their main category as well."""
    if table["total"] is None:
        return table
    rows = table["rows"]
    mains = [r for r in rows if r["level"] == "main"]
    changed = _hide_one_more(mains, "reported", "reported_share")
    for main in mains:
        subs = [r for r in rows if r["level"] == "sub" and r["main"] == main["code"]]
        # a hidden main cannot give away its subs; the officer's subs add up to the main too when (as
        # usual) a case has one sub per main, so they are protected the same way
        for key in ("reported", "handled"):
            if main[key] is not None:
                changed |= _hide_one_more(subs, key, key + "_share")
    table["suppressed"] = table["suppressed"] or changed
    return table


def protect_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """Public summary: each breakdown adds up to the total (or to the cases with a unit), one hidden cell
    must not be derivable; likewise the handling-time bins add up to their n."""
    if summary["total"] is None:
        return summary
    for key in ("per_unit", "per_care_provider", "per_region", "per_verksamhetsomrade", "per_month",
                "per_age_band", "per_gender"):
        _hide_one_more(summary[key], "count")
    if summary["handling_days"]["n"] is not None:
        _hide_one_more(summary["handling_days"]["distribution"], "count")
    return summary


def _cell(n: int, suppress: bool) -> int | None:
    return None if suppress and 0 < n < SUPPRESS_BELOW else n


async def category_table(session: AsyncSession, f: StatsFilters, organisation_id: str | None,
                         suppress: bool) -> dict[str, Any]:
    total = (await session.exec(_from(select(func.count()), f, organisation_id))).one()
    reported: Counter[str] = Counter()
    handled: Counter[str] = Counter()
    s2m = catalogue.sub_to_main()
    for sub, n in await _grouped(session, Case.reporter_category, f, organisation_id):
        if sub:
            reported[sub] += n
            reported["main:" + s2m[sub]] += n
    # the officer's categories are a list per case: read that one column of the categorised cases only
    q = _from(select(Case.officer_categories), f, organisation_id).where(Case.officer_category_index != "")
    for subs in (await session.exec(q)).all():
        for s in subs:
            handled[s] += 1
        for m in {s2m.get(s, "ovrigt") for s in subs}:
            handled["main:" + m] += 1
    return category_result(total, reported, handled, suppress)


def category_result(total: int, reported: Counter[str], handled: Counter[str], suppress: bool) -> dict[str, Any]:
    """The table from the counts (keys: sub codes and "main:<code>"): cells, shares, suppression."""
    out: list[dict[str, Any]] = []
    any_suppressed = False
    for c in catalogue.taxonomy()["categories"]:
        items = [("main", c["code"], reported["main:" + c["code"]], handled["main:" + c["code"]])]
        items += [("sub", s["code"], reported[s["code"]], handled[s["code"]]) for s in c["subs"]]
        for level, code, rep, han in items:
            r_cell, h_cell = _cell(rep, suppress), _cell(han, suppress)
            any_suppressed |= (r_cell is None) or (h_cell is None)
            out.append({
                "level": level, "code": code, "main": c["code"], "label": catalogue.category_label(code),
                "reported": r_cell, "handled": h_cell,
                "reported_share": round(rep / total, 4) if total and r_cell is not None else (None if r_cell is None else 0.0),
                "handled_share": round(han / total, 4) if total and h_cell is not None else (None if h_cell is None else 0.0),
            })
    table = {"rows": out, "total": _cell(total, suppress),
             "suppressed": any_suppressed or (_cell(total, suppress) is None)}
    return protect_category_table(table) if suppress else table


def _percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    k = (len(s) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return round(s[lo] + (s[hi] - s[lo]) * (k - lo), 1)


async def summary(session: AsyncSession, f: StatsFilters, organisation_id: str | None, suppress: bool) -> dict[str, Any]:
    orgs = {o.id: o.name for o in (await session.exec(select(Organisation))).all()}
    regions = {r.code: r.name for r in (await session.exec(select(Region))).all()}
    per: dict[str, Counter[str]] = {k: Counter() for k in
                                    ("unit", "care_provider", "region", "verksamhetsomrade", "month", "age_band", "gender")}
    names: dict[str, dict[str, str]] = {"unit": {}, "care_provider": {}}
    total = 0
    for (hsa_id, name), n in [((h, nm), n) for h, nm, n in (await session.exec(
            _from(select(CareUnit.hsa_id, CareUnit.name, func.count()), f, organisation_id)
            .group_by(CareUnit.hsa_id, CareUnit.name))).all()]:
        total += n
        key = hsa_id or "okand"
        per["unit"][key] += n
        names["unit"][key] = name if hsa_id else _("Okänd mottagning")
    for provider, n in await _grouped(session, CareUnit.care_provider_id, f, organisation_id):
        if provider:
            per["care_provider"][provider] += n
            names["care_provider"][provider] = orgs.get(provider, provider)
    for vo, n in await _grouped(session, CareUnit.verksamhetsomrade, f, organisation_id):
        if vo:
            per["verksamhetsomrade"][vo] += n
    for region, n in await _grouped(session, Case.region_code, f, organisation_id):
        per["region"][region] += n
    month = local_month(Case.received_at)
    for ym, n in await _grouped(session, month, f, organisation_id):
        per["month"][ym] += n
    for band, n in await _grouped(session, Case.age_band, f, organisation_id):
        per["age_band"][band or "okänd"] += n
    for gender, n in await _grouped(session, Case.patient_gender, f, organisation_id):
        per["gender"][gender or "okänt"] += n
    # handling time: two timestamps of the closed cases (the difference is computed alike on every database)
    days = [(closed - received).total_seconds() / 86400 for received, closed in (await session.exec(
        _from(select(Case.received_at, Case.closed_at), f, organisation_id).where(col(Case.closed_at).is_not(None))
    )).all()]
    return summary_result(total, per, names, regions, days, suppress)


def summary_result(total: int, per: dict[str, Counter[str]], names: dict[str, dict[str, str]],
                   regions: dict[str, str], days: list[float], suppress: bool) -> dict[str, Any]:
    """The summary from the counts per breakdown and the handling times in days: labels, order, suppression."""

    def table(key: str, label_of) -> list[dict[str, Any]]:
        items = sorted(per[key].items(), key=lambda kv: kv[0] if key == "month" else (-kv[1], kv[0]))
        return [{"code": k, "label": label_of(k), "count": _cell(n, suppress)} for k, n in items]

    hd_n = len(days)
    small = suppress and 0 < hd_n < SUPPRESS_BELOW
    result = {
        "total": _cell(total, suppress),
        "per_unit": table("unit", lambda k: names["unit"].get(k, k)),
        "per_care_provider": table("care_provider", lambda k: names["care_provider"].get(k, k)),
        "per_region": table("region", lambda k: regions.get(k, k)),
        "per_verksamhetsomrade": table("verksamhetsomrade", lambda k: catalogue.label("verksamhetsomraden", k)),
        "per_month": table("month", lambda k: k),
        "per_age_band": table("age_band", lambda k: k),
        "per_gender": table("gender", lambda k: {"female": _("Kvinna"), "male": _("Man")}.get(k, k)),
        "handling_days": {
            "n": _cell(hd_n, suppress),
            "median": None if small else (round(statistics.median(days), 1) if days else None),
            "p90": None if small else _percentile(days, 0.9),
            "distribution": [] if small else _histogram(days, suppress),
        },
    }
    return protect_summary(result) if suppress else result


def _histogram(days: list[float], suppress: bool) -> list[dict[str, Any]]:
    bins = [(0, 7, "0–7"), (7, 14, "8–14"), (14, 28, "15–28"), (28, 56, "29–56"), (56, 10**6, "57+")]
    return [{"label": label, "count": _cell(sum(1 for d in days if lo <= d < hi), suppress)} for lo, hi, label in bins]


def category_csv(table: dict[str, Any]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";")
    w.writerow(["nivå", "kod", "problemområde", "anmälarens kategorisering", "handläggarens kategorisering",
                "andel (anmälare)", "andel (handläggare)"])
    for r in table["rows"]:
        w.writerow([r["level"], safe_cell(r["code"]), safe_cell(r["label"]), _csv(r["reported"]), _csv(r["handled"]),
                    _csv(r["reported_share"]), _csv(r["handled_share"])])
    w.writerow(["totalt", "", "", _csv(table["total"]), "", "", ""])
    return buf.getvalue()


SUMMARY_PARTS = (("per_unit", N_("mottagning")), ("per_care_provider", N_("vårdgivare")), ("per_region", N_("region")),
                 ("per_verksamhetsomrade", N_("verksamhetsområde")), ("per_month", N_("månad")),
                 ("per_age_band", N_("åldersgrupp")), ("per_gender", N_("kön")))


def summary_csv(data: dict[str, Any]) -> str:
    """The summary as one table: breakdown; code; name; count — then the handling-time figures."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";")
    w.writerow([_("uppdelning"), _("kod"), _("namn"), _("antal")])
    w.writerow([_("totalt"), "", "", _csv(data["total"])])
    for key, part in SUMMARY_PARTS:
        for r in data[key]:
            w.writerow([_(part), safe_cell(r["code"]), safe_cell(r["label"]), _csv(r["count"])])
    hd = data["handling_days"]
    for r in hd["distribution"]:
        w.writerow([_("handläggningstid (dagar)"), r["label"], r["label"], _csv(r["count"])])
    w.writerow([_("handläggningstid (dagar)"), "median", _("median"), "" if hd["median"] is None else hd["median"]])
    w.writerow([_("handläggningstid (dagar)"), "p90", _("90:e percentilen"), "" if hd["p90"] is None else hd["p90"]])
    return buf.getvalue()


def _csv(v: Any) -> str:
    return "<5" if v is None else str(v)
