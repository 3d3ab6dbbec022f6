"""`POST /model/parse` of the real trained model carries the category suggester's output."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

pytest_plugins = ["tests.conftest_servers"]

TAXONOMY = json.loads((ROOT / "backend/data/taxonomy.json").read_text("utf-8"))
PARENT = {s["code"]: c["code"] for c in TAXONOMY["categories"] for s in c["subs"]}


def parse(rasa, text):
    r = httpx.post(rasa.url + "/model/parse", json={"text": text}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("text,expected_sub", [
    ("sköterskan var jätteotrevlig mot min pappa och himlade med ögonen när han frågade något", "bemotande"),
    ("jag har ringt vårdcentralen i tre dagar men kommer aldrig fram i telefonkön", "tillganglighet_till_varden"),
    ("min mamma fick fel dos av sin blodförtunnande medicin på avdelningen", "lakemedel"),
    ("stort tack till alla på förlossningen, ni var fantastiska", "positiv_aterkoppling"),
])
def test_parse_has_ranked_categories_with_taxonomy_codes(rasa_server, text, expected_sub):
    cats = parse(rasa_server, text)["complaint_categories"]
    assert len(cats) >= 3
    confidences = [c["confidence"] for c in cats]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0.0 <= c <= 1.0 for c in confidences)
    for c in cats:
        assert PARENT[c["sub"]] == c["main"]  # codes are the backend's, main matches sub
    assert expected_sub in [c["sub"] for c in cats[:3]]


def test_short_answers_and_button_payloads_get_no_categories(rasa_server):
    assert parse(rasa_server, "ja")["complaint_categories"] == []
    # button payloads bypass the NLU pipeline altogether
    assert parse(rasa_server, '/inform{"reporter_role":"patient"}').get("complaint_categories", []) == []


@pytest.mark.parametrize("text,label,intent", [
    ("står på bron nu. ingen bryr sig ändå", "suicide", "safety_suicide"),
    ("Jag fick vänta i fem timmar på akuten förra veckan. Nu har jag jätteont i bröstet igen och det strålar "
     "ut i vänster arm", "emergency", "safety_emergency"),
    ("Stort tack till ambulanspersonalen i tisdags!", "complaint", None),
    ("Försäkringskassan har dragit in min sjukpenning fast läkaren skrev intyg", "other_authority", "other_authority"),
])
def test_parse_has_the_triage(rasa_server, text, label, intent):
    data = parse(rasa_server, text)
    assert data["triage"]["label"] == label and 0.0 <= data["triage"]["confidence"] <= 1.0
    if intent:
        assert data["intent"]["name"] == intent
    else:
        assert not data["intent"]["name"].startswith("safety_")
