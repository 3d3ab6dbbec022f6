"""Statistics: the per-category table, the other breakdowns, handling time, filters, CSV, suppression."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
from kg_testkit import AKUTEN_OSD, HC_BRUNFLO, JH_HANDLER, PN_HANDLER, error_of

from backend.models import Officer
from backend.swedish_time import utcnow


async def make_dataset(kg) -> dict:
    """Region JH: 10 cases; the Jämtland patient board: 2 cases.

    reporter's category  officer's categories        unit      closed after (days)
    6 × bemotande        2 of them: bemotande+information   akuten   the 2: 2 and 4
    3 × vantetider       vantetider                   Brunflo   6, 8, 10
    1 × none             diagnos                      akuten    open
    board: 2 × diagnos   –                            (patient board)
    """
    refs: dict[str, list[str]] = {"bem": [], "vant": [], "none": [], "board": []}
    for i in range(6):
        refs["bem"].append((await kg.new_case(reporter_category="bemotande",
                                              patient={"personnummer": "19121212-1212" if i % 2 else "701063-2391"}
                                              ))["reference"])
    for _ in range(3):
        refs["vant"].append((await kg.new_case(reporter_category="vantetider", care_unit_hsa_id=HC_BRUNFLO))["reference"])
    refs["none"].append((await kg.new_case(reporter_category=None))["reference"])
    for _ in range(2):
        refs["board"].append((await kg.new_case(reporter_category="diagnos", recipient="patient_board"))["reference"])

    closed = []
    for ref in refs["bem"][:2]:
        await kg.ok(JH_HANDLER, ref, "categorise", {"subs": ["bemotande", "information"]})
        closed.append(ref)
    for ref in refs["vant"]:
        await kg.ok(JH_HANDLER, ref, "categorise", {"subs": ["vantetider"]})
        closed.append(ref)
    await kg.ok(JH_HANDLER, refs["none"][0], "categorise", {"subs": ["diagnos"]})
    base = utcnow() - timedelta(days=40)
    for ref, days in zip(closed, [2, 4, 6, 8, 10]):
        await kg.ok(JH_HANDLER, ref, "answer", {"body": "Svar"})
        await kg.ok(JH_HANDLER, ref, "close")
        await kg.update_case(ref, received_at=base, closed_at=base + timedelta(days=days))
    return refs


def rows_by_code(table: dict) -> dict[str, dict]:
    return {r["code"] + ("" if r["level"] == "sub" else ":main"): r for r in table["rows"]}


async def stats(kg, path="categories", email: str | None = None, **params):
    headers = kg.auth(email) if email else {}
    r = await kg.client.get(f"/api/v1/stats/{path}", params={k: str(v) for k, v in params.items()}, headers=headers)
    data = await r.json()
    assert r.status == 200, data
    return data


async def test_category_table_for_the_own_organisation(kg):
    await make_dataset(kg)
    t = await stats(kg, email=JH_HANDLER)
    assert t["total"] == 10 and t["suppressed"] is False
    rows = rows_by_code(t)
    assert len([r for r in t["rows"] if r["level"] == "main"]) == 10
    assert len([r for r in t["rows"] if r["level"] == "sub"]) == 26
    # reporter's and officer's categorisation are counted separately
    assert (rows["kommunikation:main"]["reported"], rows["kommunikation:main"]["handled"]) == (6, 2)
    assert (rows["bemotande"]["reported"], rows["bemotande"]["handled"]) == (6, 2)
    assert (rows["information"]["reported"], rows["information"]["handled"]) == (0, 2)
    assert (rows["tillganglighet:main"]["reported"], rows["tillganglighet:main"]["handled"]) == (3, 3)
    assert (rows["vantetider"]["reported"], rows["vantetider"]["handled"]) == (3, 3)
    assert (rows["vard_och_behandling:main"]["reported"], rows["vard_och_behandling:main"]["handled"]) == (0, 1)
    assert (rows["diagnos"]["reported"], rows["diagnos"]["handled"]) == (0, 1)
    assert (rows["ekonomi:main"]["reported"], rows["ekonomi:main"]["handled"]) == (0, 0)
    # shares of all the organisation's cases
    assert rows["bemotande"]["reported_share"] == pytest.approx(0.6)
    assert rows["bemotande"]["handled_share"] == pytest.approx(0.2)
    assert rows["vantetider"]["handled_share"] == pytest.approx(0.3)
    assert rows["kommunikation:main"]["label"] == "Kommunikation"
    assert rows["bemotande"]["label"] == "Bemötande"
    assert rows["bemotande"]["main"] == "kommunikation"


async def test_public_table_suppresses_small_cells(kg):
    await make_dataset(kg)
    t = await stats(kg)                        # no login: every organisation, suppressed
    assert t["total"] == 12 and t["suppressed"] is True
    rows = rows_by_code(t)
    assert rows["bemotande"]["reported"] == 6                       # 6 ≥ 5: shown
    assert rows["bemotande"]["reported_share"] == pytest.approx(0.5)
    assert rows["bemotande"]["handled"] is None                     # 2 < 5: hidden
    assert rows["bemotande"]["handled_share"] is None               # …and so is its share
    assert rows["vantetider"]["reported"] is None and rows["vantetider"]["reported_share"] is None
    assert rows["diagnos"]["reported"] is None                      # 2 board cases
    assert rows["ekonomi:main"]["reported"] == 0                    # zero is not a small cell
    for r in t["rows"]:
        for k in ("reported", "handled"):
            assert r[k] is None or r[k] == 0 or r[k] >= 5, r


async def test_public_table_with_few_cases_hides_the_total(kg):
    for _ in range(3):
        await kg.new_case()
    t = await stats(kg)
    assert t["total"] is None and t["suppressed"] is True
    s = await stats(kg, "summary")
    assert s["total"] is None
    assert all(x["count"] is None for x in s["per_unit"])


async def test_officer_of_another_organisation_sees_only_their_own(kg):
    await make_dataset(kg)
    t = await stats(kg, email=PN_HANDLER)
    assert t["total"] == 2 and t["suppressed"] is False
    assert rows_by_code(t)["diagnos"]["reported"] == 2                 # unsuppressed for the own organisation


async def test_summary_breakdowns_and_handling_time(kg):
    await make_dataset(kg)
    s = await stats(kg, "summary", email=JH_HANDLER)
    assert s["total"] == 10
    per_unit = {x["code"]: x["count"] for x in s["per_unit"]}
    assert per_unit == {AKUTEN_OSD: 7, HC_BRUNFLO: 3}
    assert {x["code"]: x["count"] for x in s["per_care_provider"]} == {"SE2321000207": 10}
    assert {x["code"]: x["count"] for x in s["per_region"]} == {"jamtland": 10}
    assert {x["code"]: x["count"] for x in s["per_verksamhetsomrade"]} == {"somatisk_specialistvard": 7, "primarvard": 3}
    assert sum(x["count"] for x in s["per_month"]) == 10
    assert {x["code"]: x["count"] for x in s["per_gender"]} == {"male": 10}
    bands = {x["code"]: x["count"] for x in s["per_age_band"]}
    assert sum(bands.values()) == 10 and bands.get("80+", 0) >= 3
    hd = s["handling_days"]
    assert hd["n"] == 5
    assert hd["median"] == pytest.approx(6.0)
    assert hd["p90"] == pytest.approx(9.2)
    assert sum(d["count"] for d in hd["distribution"]) == 5


async def test_public_summary_is_suppressed(kg):
    await make_dataset(kg)
    s = await stats(kg, "summary")
    assert s["total"] == 12
    per_unit = {x["code"]: x["count"] for x in s["per_unit"]}
    # Brunflo (3) is hidden; akuten (9) is hidden too, or Brunflo would be 12 - 9 (secondary suppression)
    assert per_unit[AKUTEN_OSD] is None and per_unit[HC_BRUNFLO] is None
    assert s["handling_days"]["n"] == 5 and s["handling_days"]["median"] == pytest.approx(6.0)
    for x in s["handling_days"]["distribution"]:
        assert x["count"] in (None, 0) or x["count"] >= 5


def _no_lone_hidden_cell(cells, key):
    return sum(1 for c in cells if c[key] is None) != 1


async def test_public_statistics_have_no_cell_that_subtraction_reveals(kg):
    """Secondary suppression: in every public breakdown that adds up to a shown total, hidden cells come in
    twos or more (or none), so no small count can be worked out from the others."""
    await make_dataset(kg)
    for _ in range(6):   # more cases at akuten, so that some cells are shown and some hidden
        await kg.new_case()
    s = await stats(kg, "summary")
    assert s["total"] is not None
    for key in ("per_unit", "per_care_provider", "per_region", "per_verksamhetsomrade", "per_month",
                "per_age_band", "per_gender"):
        assert _no_lone_hidden_cell(s[key], "count"), (key, s[key])
    assert _no_lone_hidden_cell(s["handling_days"]["distribution"], "count")
    t = await stats(kg)
    mains = [r for r in t["rows"] if r["level"] == "main"]
    assert _no_lone_hidden_cell(mains, "reported")
    for m in mains:
        subs = [r for r in t["rows"] if r["level"] == "sub" and r["main"] == m["code"]]
        if m["reported"] is not None:
            assert _no_lone_hidden_cell(subs, "reported"), (m["code"], subs)
            if all(r["reported"] is not None for r in subs):
                assert sum(r["reported"] for r in subs) == m["reported"]   # the premise: subs add up to their main
        if m["handled"] is not None:
            assert _no_lone_hidden_cell(subs, "handled"), (m["code"], subs)
    # an officer of the organisation still sees every figure
    own = await stats(kg, "summary", email=JH_HANDLER)
    assert all(x["count"] is not None for x in own["per_unit"])


async def test_public_handling_time_hidden_below_five(kg):
    refs = await make_dataset(kg)
    await kg.update_case(refs["vant"][0], closed_at=None, status="answered")
    s = await stats(kg, "summary")
    assert s["handling_days"]["n"] is None
    assert s["handling_days"]["median"] is None and s["handling_days"]["p90"] is None


async def test_filters(kg):
    refs = await make_dataset(kg)
    assert (await stats(kg, email=JH_HANDLER, category="kommunikation"))["total"] == 6
    assert (await stats(kg, email=JH_HANDLER, category="information"))["total"] == 2
    assert (await stats(kg, email=JH_HANDLER, verksamhetsomrade="primarvard"))["total"] == 3
    assert (await stats(kg, email=JH_HANDLER, unit=HC_BRUNFLO))["total"] == 3
    assert (await stats(kg, email=JH_HANDLER, region="uppsala"))["total"] == 0
    assert (await stats(kg, email=JH_HANDLER, region="jamtland"))["total"] == 10
    handler_id = (await kg.rows(Officer, Officer.email == JH_HANDLER))[0].id
    assert (await stats(kg, email=JH_HANDLER, officer=handler_id))["total"] == 5
    # year and month
    old = datetime(2024, 3, 15, 12, tzinfo=timezone.utc)
    for ref in refs["bem"][2:4]:
        await kg.update_case(ref, received_at=old)
    assert (await stats(kg, email=JH_HANDLER, year=2024))["total"] == 2
    assert (await stats(kg, email=JH_HANDLER, year=2024, month=3))["total"] == 2
    assert (await stats(kg, email=JH_HANDLER, year=2024, month=4))["total"] == 0
    assert (await stats(kg, email=JH_HANDLER, year=2024, month=12))["total"] == 0
    assert (await stats(kg, email=JH_HANDLER, month=3))["total"] >= 2
    summary = await stats(kg, "summary", email=JH_HANDLER, year=2024)
    assert [x["code"] for x in summary["per_month"]] == ["2024-03"]


@pytest.mark.parametrize("params,field", [
    ({"category": "okand"}, "category"), ({"verksamhetsomrade": "akupunktur"}, "verksamhetsomrade"),
    ({"year": "1999"}, "year"), ({"month": "13"}, "month"), ({"month": "mars"}, "month"),
    ({"format": "xml"}, "format"), ({"sort": "x"}, "sort"), ({"officer": "-1"}, "officer"),
])
async def test_bad_filters(kg, params, field):
    for path in ("categories", "summary"):
        r = await kg.client.get(f"/api/v1/stats/{path}", params=params)
        assert r.status == 422
        assert field in (await error_of(r))["fields"]


async def test_the_public_cannot_filter_by_officer(kg):
    """Per-officer figures are for the officer's own organisation only, never for the public."""
    await make_dataset(kg)
    handler_id = (await kg.rows(Officer, Officer.email == JH_HANDLER))[0].id
    for path in ("categories", "summary"):
        for fmt in ("json", "csv"):
            r = await kg.client.get(f"/api/v1/stats/{path}", params={"officer": str(handler_id), "format": fmt})
            assert r.status == 422, (path, fmt)
            assert "inloggade handläggare" in (await error_of(r))["fields"]["officer"]
    assert (await stats(kg, email=JH_HANDLER, officer=handler_id))["total"] == 5


async def test_csv_export(kg):
    await make_dataset(kg)
    r = await kg.client.get("/api/v1/stats/categories", params={"format": "csv"}, headers=kg.auth(JH_HANDLER))
    assert r.status == 200
    assert r.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(await r.text()), delimiter=";"))
    assert rows[0][:3] == ["nivå", "kod", "problemområde"]
    assert len(rows) == 1 + 36 + 1
    by_code = {row[1]: row for row in rows[1:-1]}
    assert by_code["bemotande"][3:5] == ["6", "2"]
    assert by_code["kommunikation"][0] == "main"
    assert rows[-1][0] == "totalt" and rows[-1][3] == "10"
    public = list(csv.reader(io.StringIO(await (await kg.client.get(
        "/api/v1/stats/categories", params={"format": "csv"})).text()), delimiter=";"))
    pub = {row[1]: row for row in public[1:-1]}
    assert pub["bemotande"][3:5] == ["6", "<5"]
    assert pub["vantetider"][3] == "<5"


async def test_summary_csv(kg):
    """format=csv on the summary gives the same figures as its JSON, one row per breakdown value."""
    await make_dataset(kg)
    data = await (await kg.client.get("/api/v1/stats/summary", headers=kg.auth(JH_HANDLER))).json()
    r = await kg.client.get("/api/v1/stats/summary", params={"format": "csv"}, headers=kg.auth(JH_HANDLER))
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(await r.text()), delimiter=";"))
    assert rows[0] == ["uppdelning", "kod", "namn", "antal"]
    assert rows[1] == ["totalt", "", "", str(data["total"])]
    units = {row[1]: row[3] for row in rows if row[0] == "mottagning"}
    assert units == {u["code"]: str(u["count"]) for u in data["per_unit"]} and units
    months = [row[1] for row in rows if row[0] == "månad"]
    assert months == [m["code"] for m in data["per_month"]]
    median = [row for row in rows if row[1] == "median"]
    assert median and median[0][3] == ("" if data["handling_days"]["median"] is None
                                       else str(data["handling_days"]["median"]))
    # public: small cells suppressed as in the JSON
    public = list(csv.reader(io.StringIO(await (await kg.client.get(
        "/api/v1/stats/summary", params={"format": "csv"})).text()), delimiter=";"))
    assert any(row[3] == "<5" for row in public[1:])


async def test_web_statistics_page_and_csv(kg):
    await make_dataset(kg)
    b = kg.logged_in(JH_HANDLER)
    page = await b.get("/officer/statistik")
    assert page.status == 200
    assert "Bemötande" in await page.text()
    r = await b.get("/officer/statistik.csv?category=kommunikation")
    rows = list(csv.reader(io.StringIO((await r.read()).decode("utf-8-sig")), delimiter=";"))
    assert rows[-1][3] == "6"


async def test_statistics_in_english(kg):
    await make_dataset(kg)
    t = await (await kg.client.get("/api/v1/stats/categories", headers={"Accept-Language": "en"})).json()
    assert rows_by_code(t)["bemotande"]["label"] != "Bemötande"
