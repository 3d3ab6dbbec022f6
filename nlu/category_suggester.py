"""Category suggester: a Rasa 3.6 NLU graph component that ranks complaint categories.

Pipeline line (``bot/config.yml``)::

    - name: nlu.category_suggester.CategorySuggester

It is trained on its own example file (``data_path``, default
``nlu/data/categories/train.yml``, resolved against the working directory),
validated against the taxonomy (``taxonomy_path``, default
``backend/data/taxonomy.json``); Rasa's NLU training data is not used.  In
``process()`` each message with at least ``min_words`` words gets::

    message.data["complaint_categories"] = [
        {"main": "kommunikation", "sub": "bemotande", "confidence": 0.61}, ...
    ]

(``top_k`` items, confidences are softmax probabilities, descending) and an
empty list otherwise.  The key is an output property, so it appears in
``POST /model/parse`` and in the ``parse_data`` of the ``UserUttered`` event,
and therefore in ``tracker.latest_message["complaint_categories"]`` in a
custom action.

The trained model is stored without pickle: ``model.json`` (vocabularies,
classes, settings) and ``weights.npz`` (numpy arrays, loaded with
``allow_pickle=False``).  No message text is ever logged.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import math
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Text

import numpy as np

from nlu import category_data, text_features
from nlu.category_data import CategoryDataError, Taxonomy
from nlu.text_features import (
    BASE_MORPHEMES,
    Analyzer,
    CompoundSplitter,
    FeatureSpace,
    SparseTfidf,
    softmax,
    vocabulary_for_splitter,
    word_count,
)

logger = logging.getLogger(__name__)

OUTPUT_KEY = "complaint_categories"
MODEL_FORMAT = 1

DEFAULT_MODEL_CONFIG: Dict[str, Any] = {
    # feature blocks and their weights (0 disables a block)
    "char_weight": 1.0,
    "word_weight": 1.0,
    "orig_weight": 0.3,
    "char_ngram_min": 2,
    "char_ngram_max": 5,
    "word_ngrams": 2,
    "char_min_df": 2,
    "word_min_df": 1,
    "orig_min_df": 1,
    "compound_splitting": True,
    # multinomial logistic regression
    "C": 10.0,
    "max_iter": 2000,
}


class CategoryModel:
    """Feature extraction + multinomial logistic regression over sub codes.

    Plain Python object (no Rasa imports needed) so the benchmark and the
    tests can train and evaluate it directly.
    """

    def __init__(self, taxonomy: Taxonomy, config: Optional[Dict[str, Any]] = None):
        self.taxonomy = taxonomy
        self.config = {**DEFAULT_MODEL_CONFIG, **(config or {})}
        self.classes: List[str] = []
        self.lexicon: List[str] = []
        self.space: Optional[FeatureSpace] = None
        self.coef: Optional[np.ndarray] = None
        self.intercept: Optional[np.ndarray] = None

    # -- building blocks -----------------------------------------------------

    def _weights(self) -> Dict[str, float]:
        c = self.config
        return {
            "char": float(c["char_weight"]),
            "word": float(c["word_weight"]),
            "orig": float(c["orig_weight"]),
        }

    def _min_df(self) -> Dict[str, int]:
        c = self.config
        return {b: int(c[f"{b}_min_df"]) for b in ("char", "word", "orig")}

    def _make_space(self, lexicon: Sequence[str]) -> FeatureSpace:
        c = self.config
        splitter = (
            CompoundSplitter(list(BASE_MORPHEMES) + list(lexicon))
            if c["compound_splitting"]
            else None
        )
        analyzer = Analyzer(
            splitter,
            char_range=(int(c["char_ngram_min"]), int(c["char_ngram_max"])),
            word_ngrams=int(c["word_ngrams"]),
        )
        return FeatureSpace(analyzer, self._weights(), self._min_df())

    # -- training / prediction -----------------------------------------------

    def fit(self, texts: Sequence[str], labels: Sequence[str], seed: int = 42):
        from sklearn.linear_model import LogisticRegression

        unknown = sorted(set(labels) - set(self.taxonomy.sub_codes))
        if unknown:
            raise CategoryDataError(f"labels not in the taxonomy: {', '.join(unknown)}")
        if not texts:
            raise CategoryDataError("no training examples")
        self.lexicon = vocabulary_for_splitter(texts) if self.config["compound_splitting"] else []
        self.space = self._make_space(self.lexicon)
        X = self.space.fit_transform(list(texts))
        clf = LogisticRegression(
            C=float(self.config["C"]),
            max_iter=int(self.config["max_iter"]),
            solver="lbfgs",
            multi_class="multinomial",
            random_state=seed,
        )
        clf.fit(X, list(labels))
        classes = [str(c) for c in clf.classes_]
        coef = np.asarray(clf.coef_, dtype=np.float64)
        intercept = np.asarray(clf.intercept_, dtype=np.float64)
        if len(classes) == 2:  # binary LR stores one row; expand to softmax form
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
        self.classes, self.coef, self.intercept = classes, coef, intercept
        return self

    @property
    def is_trained(self) -> bool:
        return self.space is not None and self.coef is not None

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        if not self.is_trained:
            raise RuntimeError("CategoryModel is not trained")
        X = self.space.transform(list(texts))
        return softmax(np.asarray(X @ self.coef.T) + self.intercept)

    def rank(self, texts: Sequence[str], top_k: int = 5) -> List[List[Dict[str, Any]]]:
        """Ranked ``{"main", "sub", "confidence"}`` lists, one per text."""
        if not texts:
            return []
        probs = self.predict_proba(texts)
        k = max(1, min(int(top_k), len(self.classes)))
        out = []
        for row in probs:
            order = np.argsort(-row, kind="stable")[:k]
            out.append(
                [
                    {
                        "main": self.taxonomy.main_of(self.classes[i]),
                        "sub": self.classes[i],
                        # floor to 4 decimals: keeps the order, never sums above 1
                        "confidence": math.floor(float(row[i]) * 10_000) / 10_000,
                    }
                    for i in order
                ]
            )
        return out

    # -- persistence (JSON + npz, no pickle) -----------------------------------

    def save(self, directory: Path) -> None:
        if not self.is_trained:
            raise RuntimeError("CategoryModel is not trained")
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        meta = {
            "format": MODEL_FORMAT,
            "config": self.config,
            "classes": self.classes,
            "parents": {c: self.taxonomy.main_of(c) for c in self.classes},
            "lexicon": self.lexicon,
            "blocks": {b: v.features() for b, v in self.space.vectorizers.items()},
        }
        (directory / "model.json").write_text(
            json.dumps(meta, ensure_ascii=False), encoding="utf-8"
        )
        arrays = {"coef": self.coef.astype(np.float32), "intercept": self.intercept}
        for b, v in self.space.vectorizers.items():
            arrays[f"idf_{b}"] = v.idf
        np.savez_compressed(directory / "weights.npz", **arrays)

    @classmethod
    def load(cls, directory: Path) -> "CategoryModel":
        directory = Path(directory)
        meta = json.loads((directory / "model.json").read_text(encoding="utf-8"))
        if meta.get("format") != MODEL_FORMAT:
            raise ValueError(f"unsupported category model format {meta.get('format')!r}")
        parents = meta["parents"]
        subs = tuple(meta["classes"])
        mains = tuple(dict.fromkeys(parents[s] for s in subs))
        taxonomy = Taxonomy(mains, subs, dict(parents), {s: s for s in subs})
        model = cls(taxonomy, meta["config"])
        model.classes = list(meta["classes"])
        model.lexicon = list(meta["lexicon"])
        model.space = model._make_space(model.lexicon)
        with np.load(directory / "weights.npz", allow_pickle=False) as npz:
            model.coef = np.asarray(npz["coef"], dtype=np.float64)
            model.intercept = np.asarray(npz["intercept"], dtype=np.float64)
            for b, feats in meta["blocks"].items():
                model.space.vectorizers[b] = SparseTfidf.from_state(feats, npz[f"idf_{b}"])
        return model


def train_from_files(
    data_path: str,
    taxonomy_path: str,
    seed: int = 42,
    config: Optional[Dict[str, Any]] = None,
) -> CategoryModel:
    """Load + validate the example file against the taxonomy and train."""
    taxonomy = category_data.load_taxonomy(taxonomy_path)
    examples = category_data.load_examples(data_path, taxonomy)
    texts, labels = category_data.flatten(examples)
    return CategoryModel(taxonomy, config).fit(texts, labels, seed=seed)


# --- the Rasa graph component ---------------------------------------------------

from rasa.engine.graph import ExecutionContext, GraphComponent  # noqa: E402
from rasa.engine.recipes.default_recipe import DefaultV1Recipe  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.engine.storage.storage import ModelStorage  # noqa: E402
from rasa.shared.nlu.constants import TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class CategorySuggester(GraphComponent):
    """Suggests complaint categories (sub code + its main code) for a message."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "data_path": category_data.DEFAULT_TRAIN_PATH,
            "taxonomy_path": category_data.DEFAULT_TAXONOMY_PATH,
            "top_k": 5,
            "min_words": 3,
            "random_seed": 42,
            **DEFAULT_MODEL_CONFIG,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn", "snowballstemmer"]

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if int(config.get("top_k", 5)) < 3:
            raise ValueError("CategorySuggester: top_k must be at least 3")

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """Retrain when the example file, the taxonomy or the helper code change.

        Rasa's cache only sees this class's source, its config and the NLU
        training data, none of which changes when ``train.yml`` does.
        """
        cfg = {**cls.get_default_config(), **config}
        digest = category_data.file_digest(cfg["data_path"], cfg["taxonomy_path"])
        h = hashlib.sha256((digest or "missing-data").encode())
        for mod in (category_data, text_features):
            try:
                h.update(inspect.getsource(mod).encode())
            except (OSError, TypeError):
                pass
        return h.hexdigest()

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[CategoryModel] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self.validate_config(self.config)
        self._model_storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "CategorySuggester":
        return cls(config, model_storage, resource)

    def _model_config(self) -> Dict[str, Any]:
        return {k: self.config[k] for k in DEFAULT_MODEL_CONFIG}

    def train(self, training_data: TrainingData) -> Resource:
        """Train on ``data_path`` (Rasa's NLU data is ignored) and persist."""
        try:
            self.model = train_from_files(
                self.config["data_path"],
                self.config["taxonomy_path"],
                seed=int(self.config["random_seed"]),
                config=self._model_config(),
            )
        except CategoryDataError as exc:
            raise CategoryDataError(f"CategorySuggester cannot train: {exc}") from exc
        logger.info(
            "CategorySuggester trained: %d classes, %d features",
            len(self.model.classes),
            self.model.space.n_features,
        )
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as model_dir:
            self.model.save(Path(model_dir))

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "CategorySuggester":
        try:
            with model_storage.read_from(resource) as model_dir:
                model = CategoryModel.load(Path(model_dir))
        except (ValueError, OSError, KeyError) as exc:
            logger.warning(
                "CategorySuggester: no trained model in resource '%s' (%s); "
                "messages will get an empty category list",
                resource.name,
                type(exc).__name__,
            )
            model = None
        return cls(config, model_storage, resource, model)

    def _classifiable(self, message: Message) -> Optional[str]:
        text = message.get(TEXT)
        if not isinstance(text, str) or text.startswith("/"):
            return None
        if word_count(text) < int(self.config["min_words"]):
            return None
        return text

    def process(self, messages: List[Message]) -> List[Message]:
        todo = []
        for m in messages:
            text = self._classifiable(m) if self.model is not None else None
            if text is None:
                m.set(OUTPUT_KEY, [], add_to_output=True)
            else:
                todo.append((m, text))
        if todo:
            ranked = self.model.rank([t for _, t in todo], int(self.config["top_k"]))
            for (m, _), cats in zip(todo, ranked):
                m.set(OUTPUT_KEY, cats, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
