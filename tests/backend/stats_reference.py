"""The former statistics code, kept as a test oracle: it loaded every case and counted in Python — slow,
but obviously right. backend.services.stats now aggregates in SQL and must give the same answers."""
from __future__ import annotations

import statistics
from collections import Counter
from datetime import datetime, timezone
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend import catalogue
from backend.i18n import gettext as _
from backend.models import SWEDEN, Case, CareUnit, Organisation, Region
from backend.services.stats import StatsFilters, protect_category_table, protect_summary

SUPPRESS_BELOW = 5


def _local(at: datetime) -> datetime:
    """Months are Swedish calendar months (SQLite hands back naive UTC)."""
    return (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).astimezone(SWEDEN)


async def _cases(session: AsyncSession, f: StatsFilters, organisation_id: str | None) -> list[tuple[Case, CareUnit | None]]:
    q = select(Case, CareUnit).join(CareUnit, CareUnit.hsa_id == Case.care_unit_hsa_id, isouter=True)
    if organisation_id:
        q = q.where(Case.recipient_org_id == organisation_id)
    if f.year:
        start = datetime(f.year, f.month or 1, 1, tzinfo=SWEDEN)
        end = datetime(f.year + (1 if not f.month or f.month == 12 else 0), (f.month % 12 + 1) if f.month else 1, 1, tzinfo=SWEDEN)
        q = q.where(Case.received_at >= start.astimezone(timezone.utc), Case.received_at < end.astimezone(timezone.utc))
    if f.region:
        q = q.where(Case.region_code == f.region)
    if f.unit:
        q = q.where(Case.care_unit_hsa_id == f.unit)
    if f.verksamhetsomrade:
        q = q.where(CareUnit.verksamhetsomrade == f.verksamhetsomrade)
    if f.officer:
        q = q.where(Case.handled_by_officer_id == f.officer)
    rows = list((await session.exec(q)).all())
    if f.month and not f.year:
        rows = [r for r in rows if _local(r[0].received_at).month == f.month]
    if f.category:
        subs = {f.category} if f.category in catalogue.sub_to_main() else \
            {s for s, m in catalogue.sub_to_main().items() if m == f.category}
        rows = [r for r in rows if r[0].reporter_category in subs or subs & set(r[0].officer_categories)]
    return rows


def _cell(n: int, suppress: bool) -> int | None:
    return None if suppress and 0 < n < SUPPRESS_BELOW else n


async def category_table(session: AsyncSession, f: StatsFilters, organisation_id: str | None,
                         suppress: bool) -> dict[str, Any]:
    rows = await _cases(session, f, organisation_id)
    total = len(rows)
    reported: Counter[str] = Counter()
    handled: Counter[str] = Counter()
    s2m = catalogue.sub_to_main()
    for case, _unit in rows:
        if case.reporter_category:
            reported[case.reporter_category] += 1
            reported["main:" + s2m[case.reporter_category]] += 1
        mains = set()
        for s in case.officer_categories:
            handled[s] += 1
            mains.add(s2m.get(s, "ovrigt"))
        for m in mains:
            handled["main:" + m] += 1
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
    table = {"rows": out, "total": _cell(total, suppress), "suppressed": any_suppressed or (_cell(total, suppress) is None)}
    return protect_category_table(table) if suppress else table  # secondary suppression: shared, tested apart


def _percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    k = (len(s) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return round(s[lo] + (s[hi] - s[lo]) * (k - lo), 1)


async def summary(session: AsyncSession, f: StatsFilters, organisation_id: str | None, suppress: bool) -> dict[str, Any]:
    rows = await _cases(session, f, organisation_id)
    orgs = {o.id: o.name for o in (await session.exec(select(Organisation))).all()}
    regions = {r.code: r.name for r in (await session.exec(select(Region))).all()}
    per: dict[str, Counter[str]] = {k: Counter() for k in
                                    ("unit", "care_provider", "region", "verksamhetsomrade", "month", "age_band", "gender")}
    names: dict[str, dict[str, str]] = {"unit": {}, "care_provider": {}}
    days: list[float] = []
    for case, unit in rows:
        if unit is not None:
            per["unit"][unit.hsa_id] += 1
            names["unit"][unit.hsa_id] = unit.name
            per["care_provider"][unit.care_provider_id] += 1
            names["care_provider"][unit.care_provider_id] = orgs.get(unit.care_provider_id, unit.care_provider_id)
            per["verksamhetsomrade"][unit.verksamhetsomrade] += 1
        else:
            per["unit"]["okand"] += 1
            names["unit"]["okand"] = _("Okänd mottagning")
        per["region"][case.region_code] += 1
        per["month"][_local(case.received_at).strftime("%Y-%m")] += 1
        per["age_band"][case.age_band or "okänd"] += 1
        per["gender"][case.patient_gender or "okänt"] += 1
        if case.closed_at:
            days.append((case.closed_at - case.received_at).total_seconds() / 86400)

    def table(key: str, label_of) -> list[dict[str, Any]]:
        items = sorted(per[key].items(), key=lambda kv: kv[0] if key == "month" else (-kv[1], kv[0]))
        return [{"code": k, "label": label_of(k), "count": _cell(n, suppress)} for k, n in items]

    hd_n = len(days)
    small = suppress and 0 < hd_n < SUPPRESS_BELOW
    result = {
        "total": _cell(len(rows), suppress),
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
