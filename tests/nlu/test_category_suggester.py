"""Tests for nlu/category_suggester.py, nlu/text_features.py and nlu/category_data.py."""

from __future__ import annotations

import json
import logging
import time
import uuid
from pathlib import Path

import numpy as np
import pytest

from nlu import category_data
from nlu.category_data import CategoryDataError
from nlu.text_features import CompoundSplitter, BASE_MORPHEMES, fold, normalize

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TAXONOMY_PATH = ROOT / "backend" / "data" / "taxonomy.json"
TRAIN_PATH = ROOT / category_data.DEFAULT_TRAIN_PATH
HELDOUT_PATH = ROOT / category_data.DEFAULT_HELDOUT_PATH
FIXTURE_TRAIN = FIXTURES / "train.yml"

# Held-out floors: the aims (top-1 main >= 85 %, top-3 sub >= 90 %); measured
# 91.0 % / 89.1 % / 97.4 % (top-1 main / top-1 sub / top-3 sub) with bench/nlu_eval.py.
MIN_TOP1_MAIN = 0.90
MIN_TOP1_SUB = 0.85
MIN_TOP3_SUB = 0.96


def _strip_diacritics(text: str) -> str:
    return text.translate(str.maketrans("åäöÅÄÖ", "aaoAAO"))


# --- taxonomy and data files -----------------------------------------------------


def test_taxonomy_is_read_from_the_json_file(taxonomy):
    doc = json.loads(TAXONOMY_PATH.read_text(encoding="utf-8"))
    assert taxonomy.main_codes == tuple(c["code"] for c in doc["categories"])
    assert taxonomy.sub_codes == tuple(s["code"] for c in doc["categories"] for s in c["subs"])
    for c in doc["categories"]:
        for s in c["subs"]:
            assert taxonomy.main_of(s["code"]) == c["code"]


@pytest.mark.parametrize("path", [TRAIN_PATH, HELDOUT_PATH], ids=["train", "heldout"])
def test_data_file_codes_equal_the_taxonomy(path, taxonomy):
    import yaml

    assert path.is_file(), f"{path} is missing"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert doc["version"] == 1
    assert set(doc["examples"]) == set(taxonomy.sub_codes)
    examples = category_data.load_examples(path, taxonomy)
    minimum = 40 if path == TRAIN_PATH else 12
    for code, texts in examples.items():
        assert len(texts) >= minimum, f"{path.name}: {code} has {len(texts)} examples"


def test_heldout_does_not_leak_into_train(taxonomy):
    train = category_data.load_examples(TRAIN_PATH, taxonomy)
    heldout = category_data.load_examples(HELDOUT_PATH, taxonomy)
    seen = {normalize(t) for texts in train.values() for t in texts}
    leaked = [code for code, texts in heldout.items() for t in texts if normalize(t) in seen]
    assert not leaked, f"held-out examples also in train.yml, classes: {sorted(set(leaked))}"


def _write_yaml(path: Path, examples: dict) -> Path:
    import yaml

    path.write_text(yaml.safe_dump({"version": 1, "examples": examples}, allow_unicode=True), "utf-8")
    return path


def test_load_examples_rejects_unknown_and_missing_codes(tmp_path, taxonomy):
    good = category_data.load_examples(FIXTURE_TRAIN, taxonomy)
    extra = dict(good, inte_en_kod=["något helt annat här"])
    with pytest.raises(CategoryDataError, match="not in the taxonomy: inte_en_kod"):
        category_data.load_examples(_write_yaml(tmp_path / "extra.yml", extra), taxonomy)
    missing = {k: v for k, v in good.items() if k != "intyg"}
    with pytest.raises(CategoryDataError, match="without examples: intyg"):
        category_data.load_examples(_write_yaml(tmp_path / "missing.yml", missing), taxonomy)
    with pytest.raises(CategoryDataError, match="not found"):
        category_data.load_examples(tmp_path / "nope.yml", taxonomy)


# --- text features -----------------------------------------------------------------


def test_folding_and_compound_splitting():
    assert fold(normalize("Vårdcentralen, VÄNTETID & öron!")) == "vardcentralen vantetid oron"
    sp = CompoundSplitter(BASE_MORPHEMES)
    assert sp.split("vardcentralen") == ("vard", "centralen")
    assert sp.split("tandlakaren") == ("tand", "lakaren")
    assert sp.split("sjukskoterskorna") == ("sjuk", "skoterskorna")
    assert sp.split("ingenting") == ()


# --- the Rasa graph component -------------------------------------------------------


@pytest.fixture(scope="module")
def rasa_ctx(tmp_path_factory):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    storage = LocalModelStorage.create(tmp_path_factory.mktemp("model_storage"))
    ctx = ExecutionContext(GraphSchema({}), model_id=uuid.uuid4().hex, node_name="cat")
    return storage, Resource("train_CategorySuggester0"), ctx


@pytest.fixture(scope="module")
def fixture_config():
    return {"data_path": str(FIXTURE_TRAIN), "taxonomy_path": str(TAXONOMY_PATH), "random_seed": 7}


@pytest.fixture(scope="module")
def loaded_component(rasa_ctx, fixture_config):
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from nlu.category_suggester import CategorySuggester

    storage, resource, ctx = rasa_ctx
    trained = CategorySuggester.create(fixture_config, storage, resource, ctx)
    assert trained.train(TrainingData()) is resource
    return CategorySuggester.load(fixture_config, storage, resource, ctx)


def _messages(*texts):
    from rasa.shared.nlu.training_data.message import Message

    return [Message.build(text=t) for t in texts]


def test_component_trains_persists_loads_and_ranks(loaded_component, taxonomy):
    texts = [
        "Jag fick vänta åtta timmar på akuten innan någon läkare kom",
        "Läkaren var otrevlig och respektlös mot min mamma",
        "Jag fick en faktura trots att jag har frikort",
    ]
    msgs = loaded_component.process(_messages(*texts))
    for m in msgs:
        cats = m.get("complaint_categories")
        assert "complaint_categories" in m.as_dict(only_output_properties=True)
        assert 3 <= len(cats) <= 5
        for item in cats:
            assert set(item) == {"main", "sub", "confidence"}
            assert item["sub"] in taxonomy.sub_codes
            assert item["main"] == taxonomy.main_of(item["sub"])
            assert isinstance(item["confidence"], float) and 0.0 <= item["confidence"] <= 1.0
        confs = [c["confidence"] for c in cats]
        assert confs == sorted(confs, reverse=True)
        assert sum(confs) <= 1.0
        assert len({c["sub"] for c in cats}) == len(cats)
    assert [m.get("complaint_categories")[0]["sub"] for m in msgs] == [
        "vantetider",
        "bemotande",
        "patientavgifter",
    ]


def test_loaded_model_equals_trained_model(rasa_ctx, fixture_config, loaded_component):
    from nlu.category_suggester import train_from_files

    direct = train_from_files(fixture_config["data_path"], fixture_config["taxonomy_path"], seed=7)
    text = ["Ingen svarade när jag ringde vårdcentralen i tre dagar"]
    np.testing.assert_allclose(
        direct.predict_proba(text), loaded_component.model.predict_proba(text), atol=1e-5
    )


def test_short_or_command_messages_get_an_empty_list(loaded_component):
    msgs = loaded_component.process(_messages("hej", "ja tack", "/inform{\"x\": 1} a b c", ""))
    assert [m.get("complaint_categories") for m in msgs] == [[], [], [], []]


def test_top_k_config(rasa_ctx, fixture_config, loaded_component):
    from nlu.category_suggester import CategorySuggester

    storage, resource, ctx = rasa_ctx
    comp = CategorySuggester.load({**fixture_config, "top_k": 3}, storage, resource, ctx)
    [m] = comp.process(_messages("Min operation ställdes in på grund av personalbrist"))
    assert len(m.get("complaint_categories")) == 3
    with pytest.raises(ValueError):
        CategorySuggester.create({**fixture_config, "top_k": 2}, storage, resource, ctx)


def test_training_fails_clearly_on_codes_outside_the_taxonomy(tmp_path, rasa_ctx, taxonomy):
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from nlu.category_suggester import CategorySuggester

    storage, _, ctx = rasa_ctx
    from rasa.engine.storage.resource import Resource

    good = category_data.load_examples(FIXTURE_TRAIN, taxonomy)
    bad = _write_yaml(tmp_path / "bad.yml", dict(good, felkod=["en text med fel kod"]))
    comp = CategorySuggester.create(
        {"data_path": str(bad), "taxonomy_path": str(TAXONOMY_PATH)}, storage, Resource("bad"), ctx
    )
    with pytest.raises(CategoryDataError, match="felkod"):
        comp.train(TrainingData())


def test_missing_resource_gives_empty_lists(rasa_ctx, fixture_config):
    from rasa.engine.storage.resource import Resource

    from nlu.category_suggester import CategorySuggester

    storage, _, ctx = rasa_ctx
    comp = CategorySuggester.load(fixture_config, storage, Resource("never_trained"), ctx)
    [m] = comp.process(_messages("Läkaren var otrevlig mot mig"))
    assert m.get("complaint_categories") == []


def test_fingerprint_follows_the_data_file(tmp_path, fixture_config):
    from nlu.category_suggester import CategorySuggester

    copy = tmp_path / "train.yml"
    copy.write_bytes(FIXTURE_TRAIN.read_bytes())
    cfg = {**fixture_config, "data_path": str(copy)}
    before = CategorySuggester.fingerprint_addon(cfg)
    assert before == CategorySuggester.fingerprint_addon(cfg)
    copy.write_bytes(FIXTURE_TRAIN.read_bytes() + b"\n# changed\n")
    assert CategorySuggester.fingerprint_addon(cfg) != before


def test_no_message_text_is_logged(caplog, rasa_ctx, fixture_config, taxonomy):
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from nlu.category_suggester import CategorySuggester

    storage, _, ctx = rasa_ctx
    secret = "Xylofonmannen Qwertz ringde vårdcentralen men ingen svarade"
    with caplog.at_level(logging.DEBUG):
        comp = CategorySuggester.create(fixture_config, storage, Resource("logcheck"), ctx)
        comp.train(TrainingData())
        comp = CategorySuggester.load(fixture_config, storage, Resource("logcheck"), ctx)
        comp.process(_messages(secret, "kort"))
    logged = caplog.text.lower()
    assert "xylofonmannen" not in logged and "qwertz" not in logged
    for texts in category_data.load_examples(FIXTURE_TRAIN, taxonomy).values():
        for t in texts:
            assert t.lower() not in logged


def test_latency_per_message(loaded_component):
    msgs = _messages(*["Jag har väntat i över ett år på min höftoperation och ingen ringer"] * 50)
    t0 = time.perf_counter()
    for m in msgs:
        loaded_component.process([m])
    assert (time.perf_counter() - t0) / len(msgs) < 0.020


# --- the real training data ---------------------------------------------------------


def _heldout_figures(model, taxonomy, path):
    texts, gold = category_data.flatten(category_data.load_examples(path, taxonomy))
    order = model.predict_proba(texts).argsort(axis=1)[:, ::-1]
    classes = model.classes
    top1 = [classes[r[0]] for r in order]
    top3 = [[classes[i] for i in r[:3]] for r in order]
    n = len(gold)
    return (sum(taxonomy.main_of(p) == taxonomy.main_of(g) for p, g in zip(top1, gold)) / n,
            sum(p == g for p, g in zip(top1, gold)) / n,
            sum(g in t for t, g in zip(top3, gold)) / n)


def test_heldout_accuracy_above_floor(real_model, taxonomy):
    top1_main, top1_sub, top3_sub = _heldout_figures(real_model, taxonomy, HELDOUT_PATH)
    assert top1_main >= MIN_TOP1_MAIN, f"top-1 main {top1_main:.3f}"
    assert top1_sub >= MIN_TOP1_SUB, f"top-1 sub {top1_sub:.3f}"
    assert top3_sub >= MIN_TOP3_SUB, f"top-3 sub {top3_sub:.3f}"


def test_short_and_angry_heldout_above_floor(real_model, taxonomy):
    """Short (under 12 words) and angry or colloquial messages, written apart (issue 7 §6)."""
    top1_main, _, top3_sub = _heldout_figures(real_model, taxonomy, HELDOUT_PATH.parent / "heldout_short.yml")
    assert top1_main >= 0.93, f"top-1 main {top1_main:.3f}"
    assert top3_sub >= 0.97, f"top-3 sub {top3_sub:.3f}"


@pytest.mark.parametrize(
    "text",
    [
        "Jag har väntat på vårdcentralen i fyra timmar utan att få träffa någon läkare",
        "Sjuksköterskan var otrevlig och skällde på min mamma inför alla",
        "Läkaren skrev fel i min journal och vägrar rätta det",
        "Jag fick för hög dos av läkemedlet och blev förgiftad",
        "Tandläkaren tog betalt två gånger för samma besök",
        "Min operation ställdes in för att det inte fanns någon narkosläkare",
        "Jag vill tacka personalen på förlossningen för ett fantastiskt bemötande",
        "Någon på sjukhuset har läst min journal utan att ha med min vård att göra",
    ],
)
def test_missing_diacritics_give_the_same_top_sub(real_model, text):
    plain = _strip_diacritics(text)
    assert plain != text
    orig, stripped = real_model.rank([text, plain], 3)
    assert orig[0]["sub"] == stripped[0]["sub"]


def test_missing_diacritics_agree_on_heldout(real_model, taxonomy):
    heldout = category_data.load_examples(HELDOUT_PATH, taxonomy)
    texts = [t for t, _ in zip(*category_data.flatten(heldout)) if t != _strip_diacritics(t)]
    a = real_model.predict_proba(texts).argmax(axis=1)
    b = real_model.predict_proba([_strip_diacritics(t) for t in texts]).argmax(axis=1)
    assert (a == b).mean() >= 0.95
