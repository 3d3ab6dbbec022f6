"""The former statistics code, kept as a test oracle: it loaded every case and counted in Python — slow,
but obviously right. backend.services.stats now aggregates in SQL and must give the same answers. The
presentation of the counts (cells, shares, labels, suppression) is shared: category_result and
summary_result in backend.services.stats."""
from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend import catalogue
from backend.i18n import gettext as _
from backend.models import Case, CareUnit, Organisation, Region
from backend.swedish_time import in_sweden, swedish_midnight
from backend.services.stats import StatsFilters, category_result, summary_result


async def _cases(session: AsyncSession, f: StatsFilters, organisation_id: str | None) -> list[tuple[Case, CareUnit | None]]:
    q = select(Case, CareUnit).join(CareUnit, CareUnit.hsa_id == Case.care_unit_hsa_id, isouter=True)
    if organisation_id:
        q = q.where(Case.recipient_org_id == organisation_id)
    if f.year:
        start = date(f.year, f.month or 1, 1)
        end = date(f.year + (1 if not f.month or f.month == 12 else 0), (f.month % 12 + 1) if f.month else 1, 1)
        q = q.where(Case.received_at >= swedish_midnight(start), Case.received_at < swedish_midnight(end))
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
        rows = [r for r in rows if in_sweden(r[0].received_at).month == f.month]
    if f.category:
        subs = {f.category} if f.category in catalogue.sub_to_main() else \
            {s for s, m in catalogue.sub_to_main().items() if m == f.category}
        rows = [r for r in rows if r[0].reporter_category in subs or subs & set(r[0].officer_categories)]
    return rows


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
    return category_result(total, reported, handled, suppress)  # the same presentation: only counting is tested


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
        per["month"][in_sweden(case.received_at).strftime("%Y-%m")] += 1
        per["age_band"][case.age_band or "okänd"] += 1
        per["gender"][case.patient_gender or "okänt"] += 1
        if case.closed_at:
            days.append((case.closed_at - case.received_at).total_seconds() / 86400)
    return summary_result(len(rows), per, names, regions, days, suppress)
