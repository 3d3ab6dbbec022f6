"""The triage of every message, measured on text it never saw (nlu/data/triage/heldout, written apart)."""
from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from nlu import triage_data, triage_rules
from nlu.text_features import fold, normalize
from nlu.triage_data import CRITICAL, LABELS

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "nlu" / "data" / "triage"


@pytest.fixture(scope="module")
def model():
    from nlu.triage import train_from_files

    return train_from_files(DATA, ROOT / "nlu" / "data" / "categories" / "train.yml")


@pytest.fixture(scope="module")
def heldout():
    return triage_data.load_split("heldout", DATA)


def _key(text: str) -> str:
    return fold(normalize(text))


def test_training_sets_are_large_enough():
    counts = Counter(i.label for i in triage_data.load_split("train", DATA))
    for label in CRITICAL:
        assert counts[label] >= 150, (label, counts[label])
    for label in set(LABELS) - set(CRITICAL):
        assert counts[label] >= 80, (label, counts[label])


def test_heldout_sets_are_large_enough(heldout):
    counts = Counter(i.label for i in heldout)
    assert sum(counts[c] for c in CRITICAL) >= 60
    assert counts["other_authority"] >= 40 and counts["medical"] >= 40 and counts["complaint"] >= 150


def test_heldout_never_leaks_into_training():
    """No held-out story is in the training data. Short everyday phrases ("Kan jag vara anonym?") are
    written by every writer alike and do not count."""
    train = {_key(i.text) for i in triage_data.training_items(DATA, ROOT / "nlu/data/categories/train.yml")}
    leaked = [i.text for i in triage_data.load_split("heldout", DATA)
              if _key(i.text) in train and len(i.text.split()) >= 10]
    assert leaked == []


def test_no_training_text_has_two_labels():
    seen = {}
    clashes = []
    for i in triage_data.load_split("train", DATA):
        k = _key(i.text)
        if k in seen and seen[k] != i.label:
            clashes.append(i.text)
        seen[k] = i.label
    assert clashes == []


def test_a_story_ending_in_an_emergency_has_a_present_tail():
    story = ("Jag fick vänta i fem timmar på akuten förra veckan och ingen lyssnade. Läkaren var stressad. "
             "Nu har jag jätteont i bröstet igen.")
    assert triage_rules.present_tail(story) == "Nu har jag jätteont i bröstet igen."
    assert triage_rules.present_tail("Nu har jag ont.") is None  # no story before it
    assert triage_rules.present_tail("Jag fick vänta länge. Läkaren var otrevlig.") is None


def test_bodies_are_the_referral_table():
    from bot.actions.referrals import REFERRALS

    for split in ("train", "dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "heldout"):
        bodies = {i.body for i in triage_data.load_split(split, DATA) if i.body}
        assert bodies <= set(REFERRALS), (split, bodies - set(REFERRALS))
    assert {i.body for i in triage_data.load_split("train", DATA) if i.body} == set(REFERRALS)


def test_bad_files_are_refused(tmp_path):
    p = tmp_path / "x.yml"
    p.write_text('version: 1\nitems:\n  - {text: "hej", label: nonsense}\n', encoding="utf-8")
    with pytest.raises(triage_data.TriageDataError, match="unknown label"):
        triage_data.load_file(p)
    p.write_text('version: 1\nitems:\n  - {text: "skatten", label: other_authority}\n', encoding="utf-8")
    with pytest.raises(triage_data.TriageDataError, match="body"):
        triage_data.load_file(p)


@pytest.mark.parametrize("text", [
    "mamma dog i våras på medicinkliniken och ingen ringde oss",
    "fick en hjärtinfarkt förra året och uppföljningen var usel",
    "ambulansen kom för sent när pappa föll i badrummet",
    "tack till ambulanspersonalen som var så fina mot min man",
    "Stort tack till ambulanspersonalen i tisdags!",
    "Jag fick en faktura för ambulansen som jag inte förstår",
])
def test_past_accounts_and_praise_raise_no_alarm(model, text):
    assert model.triage([text])[0]["label"] not in CRITICAL


@pytest.mark.parametrize("text,label", [
    ("står på bron nu. ingen bryr sig ändå", "suicide"),
    ("tog en massa tabletter för en timme sen. ville bara att nån skulle veta", "suicide"),
    ("Jag fick vänta i sex timmar på akuten förra veckan och ingen tog mig på allvar. "
     "Nu har jag fått jätteont i bröstet igen, det strålar ut i vänster arm", "emergency"),
    ("jag kommer hitta den där läkaren och döda honom", "threat"),
])
def test_issue_examples_are_critical(model, text, label):
    r = model.triage([text])[0]
    assert r["label"] in CRITICAL and r["label"] == label


def test_death_is_understood_not_a_figure_of_speech():
    assert triage_rules.mentions_death("Min mamma dog på medicinkliniken i mars")
    assert triage_rules.mentions_death("pappa gick bort i somras efter operationen")
    assert not triage_rules.mentions_death("jag höll på att dö av tristess i väntrummet")
    assert not triage_rules.mentions_death("jag är dödstrött på att ringa 1177")


# Issue 7 asks for 100 % critical recall and at most 1 % false alarms on openings. Measured once on the
# held-out set v8 (written apart by an eighth writer, stop 12): 98.1 % (154/157) and 1.3 % (4/303); other
# authority 88.1 % (74/84). Earlier held-out sets, each measured once before it became a dev set:
# v4 93.4 % / 3.9 %, v5 97.6 % / 2.2 %, v6 95.6 % / 2.6 %, v7 98.6 % / 2.5 %. These floors keep what was
# reached; they are not yet the issue's aims.
MIN_CRITICAL_RECALL = 0.97
MAX_OPENING_FALSE_ALARMS = 0.02
MIN_AUTHORITY_BODY = 0.87


def test_heldout_floors(model, heldout):
    results = model.triage([i.text for i in heldout])
    crit = [(i, r) for i, r in zip(heldout, results) if i.label in CRITICAL]
    misses = [i.text for i, r in crit if r["label"] not in CRITICAL]
    assert len(misses) <= (1 - MIN_CRITICAL_RECALL) * len(crit), f"critical misses: {misses}"
    openings = [(i, r) for i, r in zip(heldout, results) if i.label == "complaint"]
    alarms = [i.text for i, r in openings if r["label"] in CRITICAL]
    assert len(alarms) <= MAX_OPENING_FALSE_ALARMS * len(openings), f"false alarms on openings: {alarms}"
    auth = [(i, r) for i, r in zip(heldout, results) if i.label == "other_authority"]
    right = sum(r["label"] == "other_authority" and r.get("body") == i.body for i, r in auth)
    assert right >= MIN_AUTHORITY_BODY * len(auth), f"other authority right body {right}/{len(auth)}"


def test_cost_per_message(model):
    texts = ["Jag fick vänta i sex timmar på akuten och ingen förklarade varför, personalen var stressad."] * 50
    model.triage(texts[:1])
    t0 = time.perf_counter()
    for t in texts:
        model.triage([t])
    assert (time.perf_counter() - t0) / len(texts) < 0.005


def _message(text, intent, confidence=0.9, categories=None):
    from rasa.shared.nlu.training_data.message import Message

    m = Message(data={"text": text})
    m.set("intent", {"name": intent, "confidence": confidence})
    m.set("intent_ranking", [{"name": intent, "confidence": confidence},
                             {"name": "file_complaint", "confidence": 0.05}])
    m.set("complaint_categories", categories or [])
    return m


@pytest.fixture(scope="module")
def component(model):
    from nlu.triage import TriageClassifier

    return TriageClassifier(TriageClassifier.get_default_config(), None, None, model)


@pytest.mark.parametrize("text,diet,expected", [
    # a crisis is a safety intent whatever DIET said
    ("står på bron nu. ingen bryr sig ändå", "greet", "safety_suicide"),
    ("jag vill klaga på akuten, och nu kan jag inte andas", "file_complaint", "safety_emergency"),
    # DIET's alarm without a critical triage is not trusted
    ("Stort tack till ambulanspersonalen i tisdags!", "safety_emergency", "give_praise"),
    # a story DIET did not understand starts the complaint; another authority gets its intent
    ("tack för en fantastisk förlossning på Östersunds sjukhus, barnmorskan var underbar",
     "nlu_fallback", "give_praise"),
    ("Försäkringskassan har dragit in min sjukpenning och handläggaren svarar inte", "file_complaint",
     "other_authority"),
    # a short form answer keeps DIET's intent
    ("i tisdags", "inform", "inform"),
])
def test_the_triage_steers_the_intent(component, text, diet, expected):
    cats = [{"main": "positiv_aterkoppling", "sub": "positiv_aterkoppling", "confidence": 0.8}] \
        if "tack" in text else []
    m = component.process([_message(text, diet, categories=cats)])[0]
    assert m.get("intent")["name"] == expected
    assert m.get("intent_ranking")[0]["name"] == expected
    assert set(m.get("triage")) >= {"label", "confidence", "source", "death"}


def test_payloads_are_never_triaged_as_a_crisis(component):
    m = component.process([_message('/inform{"reporter_role":"patient"}', "inform")])[0]
    assert m.get("triage")["label"] == "control" and m.get("intent")["name"] == "inform"
