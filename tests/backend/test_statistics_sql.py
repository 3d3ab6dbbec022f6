"""The statistics are aggregated in the database; for random case sets and every kind of filter they equal
what the former count-every-case-in-Python code (stats_reference) gives, on SQLite and PostgreSQL alike."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from kg_testkit import (AKUTEN_OSD, AKUTEN_UPPSALA, HC_BRUNFLO, ORTOPED_OSD, PN_JAMTLAND, REGION_JH,
                        REGION_UPPSALA)

import stats_reference as reference
from backend import catalogue
from backend.models import Officer
from backend.pnr import AGE_BANDS
from backend.services import stats

UNITS = [(AKUTEN_OSD, "jamtland"), (ORTOPED_OSD, "jamtland"), (HC_BRUNFLO, "jamtland"),
         (AKUTEN_UPPSALA, "uppsala"), (None, "jamtland")]
SUBS = list(catalogue.sub_to_main())


async def _random_cases(kg, rng: random.Random, n: int) -> None:
    officers = [o.id for o in await kg.rows(Officer)]
    for i in range(n):
        c = await kg.new_case()
        unit, region = rng.choice(UNITS)
        # any moment of the month, evenings at month ends included (22:00-24:00 UTC is already next day in Sweden)
        received = datetime(rng.choice([2025, 2026]), rng.randint(1, 12), 1, tzinfo=timezone.utc) + timedelta(
            days=rng.randint(0, 30), minutes=rng.randint(0, 24 * 60 - 1))
        closed = received + timedelta(days=rng.uniform(0, 80)) if rng.random() < 0.6 else None
        officer_cats = rng.sample(SUBS, rng.choice([0, 0, 1, 1, 2, 3]))
        await kg.update_case(
            c["reference"], care_unit_hsa_id=unit, region_code=region,
            recipient_org_id=rng.choice([REGION_JH, PN_JAMTLAND, REGION_UPPSALA]),
            received_at=received, closed_at=closed, status="closed" if closed else "in_progress",
            reporter_category=rng.choice(SUBS + [None, None]),
            officer_categories=officer_cats,
            officer_category_index=("," + ",".join(officer_cats) + ",") if officer_cats else "",
            age_band=rng.choice([b for _lo, _hi, b in AGE_BANDS] + [None]),
            patient_gender=rng.choice(["female", "male", None]),
            handled_by_officer_id=rng.choice(officers + [None]))


FILTERS = [
    stats.StatsFilters(),
    stats.StatsFilters(year=2026),
    stats.StatsFilters(year=2025, month=12),
    stats.StatsFilters(month=3),
    stats.StatsFilters(category="bemotande"),
    stats.StatsFilters(category="vard_och_behandling"),
    stats.StatsFilters(category="ekonomi", year=2026),
    stats.StatsFilters(verksamhetsomrade="somatisk_specialistvard"),
    stats.StatsFilters(verksamhetsomrade="primarvard", month=6),
    stats.StatsFilters(region="uppsala"),
    stats.StatsFilters(unit=AKUTEN_OSD),
    stats.StatsFilters(officer=1),
]


@pytest.mark.parametrize("seed", [1, 2])
async def test_sql_statistics_equal_the_reference(kg, seed):
    rng = random.Random(seed)
    await _random_cases(kg, rng, 60)
    checked = 0
    async with kg.session() as s:
        for f in FILTERS:
            for org, suppress in ((None, True), (REGION_JH, False), (PN_JAMTLAND, False), (None, False)):
                assert await stats.category_table(s, f, org, suppress) == \
                    await reference.category_table(s, f, org, suppress), (f, org, suppress)
                got = await stats.summary(s, f, org, suppress)
                want = await reference.summary(s, f, org, suppress)
                assert got == want, (f, org, suppress)
                checked += got["total"] or 0
    assert checked > 100  # the filters did select cases, not only empty sets


async def test_months_follow_the_swedish_calendar(kg):
    """A complaint sent at 00:30 on 1 February in Sweden (23:30 UTC on 31 January) counts in February,
    in per_month and in the month and year filters."""
    c1, c2 = await kg.new_case(), await kg.new_case()
    await kg.update_case(c1["reference"], received_at=datetime(2026, 1, 31, 23, 30, tzinfo=timezone.utc))
    await kg.update_case(c2["reference"], received_at=datetime(2026, 1, 31, 22, 30, tzinfo=timezone.utc))  # 23:30 CET
    async with kg.session() as s:
        per_month = {m["code"]: m["count"] for m in (await stats.summary(s, stats.StatsFilters(), REGION_JH, False))["per_month"]}
        assert per_month == {"2026-01": 1, "2026-02": 1}
        feb = await stats.summary(s, stats.StatsFilters(year=2026, month=2), REGION_JH, False)
        assert feb["total"] == 1
        assert (await stats.summary(s, stats.StatsFilters(month=1), REGION_JH, False))["total"] == 1
        assert (await stats.summary(s, stats.StatsFilters(year=2025), REGION_JH, False))["total"] == 0
