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
import logging
import math
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Text

import numpy as np

from nlu import category_data, text_classifier, text_features
from nlu.category_data import CategoryDataError, Taxonomy
from nlu.text_classifier import LinearTextModel
from nlu.text_features import word_count

logger = logging.getLogger(__name__)

OUTPUT_KEY = "complaint_categories"

DEFAULT_MODEL_CONFIG: Dict[str, Any] = {
    k: v for k, v in text_classifier.DEFAULT_MODEL_CONFIG.items() if k != "class_weight"
}


class CategoryModel(LinearTextModel):
    """The linear text model over the taxonomy's sub codes, ranked with their main codes.

    Plain Python object (no Rasa imports needed) so the benchmark and the
    tests can train and evaluate it directly.
    """

    def __init__(self, taxonomy: Taxonomy, config: Optional[Dict[str, Any]] = None):
        super().__init__(config)
        self.taxonomy = taxonomy

    def fit(self, texts: Sequence[str], labels: Sequence[str], seed: int = 42):
        unknown = sorted(set(labels) - set(self.taxonomy.sub_codes))
        if unknown:
            raise CategoryDataError(f"labels not in the taxonomy: {', '.join(unknown)}")
        if not texts:
            raise CategoryDataError("no training examples")
        return super().fit(texts, labels, seed=seed)

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

    def save(self, directory: Path, extra: Optional[Dict[str, Any]] = None) -> None:
        parents = {c: self.taxonomy.main_of(c) for c in self.classes}
        super().save(directory, {"parents": parents, **(extra or {})})

    @classmethod
    def load(cls, directory: Path) -> "CategoryModel":
        meta = cls.read_meta(directory)
        parents = meta["parents"]
        subs = tuple(meta["classes"])
        mains = tuple(dict.fromkeys(parents[s] for s in subs))
        taxonomy = Taxonomy(mains, subs, dict(parents), {s: s for s in subs})
        model = cls(taxonomy, meta["config"])
        model.restore(directory, meta)
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
        for mod in (category_data, text_classifier, text_features):
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
