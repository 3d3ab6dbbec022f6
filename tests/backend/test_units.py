"""The public catalogue: fuzzy unit search, one unit by HSA-ID, regions, taxonomy."""
from __future__ import annotations

import json

import pytest
from kg_testkit import AKUTEN_OSD, HC_FROSO, NOT_CONNECTED_UNIT, PN_JAMTLAND, error_of

from backend.settings import DATA_DIR


async def search(kg, q: str, **params) -> list[dict]:
    r = await kg.client.get("/api/v1/units", params={"q": q, **{k: str(v) for k, v in params.items()}})
    data = await r.json()
    assert r.status == 200, data
    return data["results"]


@pytest.mark.parametrize("q,hsa_id", [
    ("akuten östersund", AKUTEN_OSD),
    ("akuten i Östersund", AKUTEN_OSD),
    ("Akutmottagningen Östersunds sjukhus", AKUTEN_OSD),
    ("frösö hc", HC_FROSO),
    ("Frösö hälsocentral", HC_FROSO),
    ("vårdcentralen på frösön", HC_FROSO),
    # typos and missing Swedish letters
    ("akutn östersnd", AKUTEN_OSD),
    ("akuten ostersund", AKUTEN_OSD),
    ("froso halsocentral", HC_FROSO),
    ("frösö hälsocentarl", HC_FROSO),
    ("brunflo vardcentral", "SE2321000207-E1100"),
    ("ortopeden östersund", "SE2321000207-E2101"),
    ("ögonkliniken", "SE2321000207-E2102"),
    ("bup", "SE2321000207-E2104"),
    ("förlossningen östersund", "SE2321000207-E2106"),
    ("hälsocentralen i sveg", "SE2321000207-E1109"),
    ("akademiska akuten", "SE2321000024-E4100"),
])
async def test_fuzzy_search_finds_the_unit_first(kg, q, hsa_id):
    results = await search(kg, q)
    assert results, q
    assert results[0]["hsa_id"] == hsa_id, [(r["name"], r["score"]) for r in results]


async def test_result_shape_and_ranking(kg):
    results = await search(kg, "akuten östersund", limit=5)
    assert 1 <= len(results) <= 5
    top = results[0]
    assert set(top) >= {"hsa_id", "name", "care_provider", "region", "verksamhetsomrade", "connected", "score"}
    assert top["care_provider"] == {"id": "SE2321000207", "name": "Region Jämtland Härjedalen"}
    assert top["region"] == {"code": "jamtland", "name": "Region Jämtland Härjedalen"}
    assert top["verksamhetsomrade"] == "somatisk_specialistvard"
    assert top["connected"] is True
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 100 for s in scores)
    assert len({r["hsa_id"] for r in results}) == len(results)


async def test_limit_and_region_filter(kg):
    assert len(await search(kg, "hälsocentralen", limit=3)) == 3
    uppsala = await search(kg, "akuten", region="uppsala", limit=10)
    assert uppsala and all(r["region"]["code"] == "uppsala" for r in uppsala)
    jamtland = await search(kg, "akuten", region="jamtland", limit=10)
    assert jamtland and all(r["region"]["code"] == "jamtland" for r in jamtland)


async def test_not_connected_unit_is_marked(kg):
    results = await search(kg, "Tandläkarna i Östersund")
    assert results[0]["hsa_id"] == NOT_CONNECTED_UNIT
    assert results[0]["connected"] is False


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}, {"q": "akuten", "limit": "0"},
                                    {"q": "akuten", "limit": "21"}, {"q": "akuten", "limit": "fem"},
                                    {"q": "x" * 201}, {"q": "akuten", "sort": "name"}])
async def test_bad_search_queries(kg, params):
    r = await kg.client.get("/api/v1/units", params=params)
    assert r.status == 400 or r.status == 422
    err = await error_of(r)
    assert err["fields"]


async def test_nonsense_query_gives_no_error(kg):
    results = await search(kg, "i på vid")  # only stop words
    assert results == []
    assert isinstance(await search(kg, "qqqqzzzzxxxx"), list)


async def test_get_unit_by_hsa_id(kg):
    r = await kg.client.get(f"/api/v1/units/{AKUTEN_OSD}")
    assert r.status == 200
    u = await r.json()
    assert u["hsa_id"] == AKUTEN_OSD and u["name"] == "Akutmottagning Östersunds sjukhus"
    assert "score" not in u
    assert u["care_provider"]["id"] == "SE2321000207"


@pytest.mark.parametrize("hsa_id", ["SE2321000207-X9999", "not-an-id", "SE", "%00", "' OR 1=1 --"])
async def test_get_unknown_unit_is_404(kg, hsa_id):
    r = await kg.client.get(f"/api/v1/units/{hsa_id}")
    assert r.status == 404
    assert (await error_of(r))["code"] == "not_found"


async def test_regions_with_patient_boards(kg):
    r = await kg.client.get("/api/v1/regions")
    data = await r.json()
    by_code = {x["code"]: x for x in data["regions"]}
    assert set(by_code) == {"jamtland", "uppsala"}
    assert by_code["jamtland"]["patient_board"]["id"] == PN_JAMTLAND


async def test_taxonomy_has_exactly_the_national_codes(kg):
    r = await kg.client.get("/api/v1/taxonomy")
    t = await r.json()
    source = json.loads((DATA_DIR / "taxonomy.json").read_text(encoding="utf-8"))
    assert [c["code"] for c in t["categories"]] == [c["code"] for c in source["categories"]]
    subs = {s["code"] for c in t["categories"] for s in c["subs"]}
    assert {"bemotande", "diagnos", "vantetider", "bruten_sekretess", "positiv_aterkoppling", "intyg"} <= subs
    assert len(subs) == 26
    assert [s["code"] for s in t["statuses"]] == ["received", "in_progress", "waiting_for_reporter",
                                                  "waiting_for_statement", "answered", "closed"]
    kom = next(c for c in t["categories"] if c["code"] == "kommunikation")
    assert kom["label"] == "Kommunikation"
    assert next(s for s in kom["subs"] if s["code"] == "bemotande")["label"] == "Bemötande"


async def test_taxonomy_in_english(kg):
    r = await kg.client.get("/api/v1/taxonomy", headers={"Accept-Language": "en"})
    t = await r.json()
    kom = next(c for c in t["categories"] if c["code"] == "kommunikation")
    assert kom["label"] != "Kommunikation"
    assert next(s for s in t["statuses"] if s["code"] == "received")["label"] != "Mottaget"


async def test_import_units_command_accepts_a_catalogue_file(kg, tmp_path):
    """`python -m backend import-units FILE`: a new unit becomes searchable after an import."""
    from backend.catalogue import load_units_file
    from backend.services.units import import_catalogue
    data = load_units_file(DATA_DIR / "units-demo.json")
    data["units"].append({"hsa_id": "SE2321000207-E9999", "name": "Hälsocentralen Myrviken",
                          "care_provider": "SE2321000207", "region": "jamtland",
                          "verksamhetsomrade": "primarvard", "connected": True, "municipality": "Berg",
                          "aliases": ["Myrviken hc"]})
    path = tmp_path / "units.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    async with kg.session() as s:
        counts = await import_catalogue(s, load_units_file(path))
    assert counts["units"] == len(data["units"])
    assert (await search(kg, "myrviken hc"))[0]["hsa_id"] == "SE2321000207-E9999"


async def test_catalogue_file_is_checked(tmp_path):
    from backend.catalogue import CatalogueError, load_units_file
    data = json.loads((DATA_DIR / "units-demo.json").read_text(encoding="utf-8"))
    data["units"][0]["verksamhetsomrade"] = "akupunktur"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CatalogueError):
        load_units_file(bad)


async def test_a_unit_added_by_another_process_is_found_within_a_minute(kg):
    """The search index is this process's cache: an import by the CLI or another backend process (here: a
    row written straight to the database) shows up once the index is older than UnitIndex.MAX_AGE_S."""
    from backend.models import CareUnit
    from backend.services.units import UnitIndex

    assert await search(kg, "akuten östersund")  # the index is built now
    akuten = (await kg.rows(CareUnit, CareUnit.hsa_id == AKUTEN_OSD))[0]
    async with kg.session() as s:
        s.add(CareUnit(hsa_id="SE2321000207-ZZ99", name="Minnesmottagningen Strömsund",
                       care_provider_id=akuten.care_provider_id, region_code=akuten.region_code,
                       verksamhetsomrade=akuten.verksamhetsomrade, municipality="Strömsund"))
        await s.commit()
    assert "SE2321000207-ZZ99" not in [u["hsa_id"] for u in await search(kg, "minnesmottagningen strömsund")]
    UnitIndex._built_at -= UnitIndex.MAX_AGE_S + 1
    assert (await search(kg, "minnesmottagningen strömsund"))[0]["hsa_id"] == "SE2321000207-ZZ99"
