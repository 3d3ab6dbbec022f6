"""A linear text classifier over the Swedish features of ``text_features``.

Char n-grams, stemmed word n-grams and compound parts (TF-IDF blocks), then a
multinomial logistic regression.  Shared by the category suggester and the
triage; stored without pickle as ``model.json`` (vocabularies, classes,
settings) and ``weights.npz`` (numpy arrays, loaded with ``allow_pickle=False``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from nlu.text_features import (
    BASE_MORPHEMES,
    Analyzer,
    CompoundSplitter,
    FeatureSpace,
    SparseTfidf,
    softmax,
    vocabulary_for_splitter,
)

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
    "class_weight": None,  # or "balanced"
}


class LinearTextModel:
    """Feature extraction + multinomial logistic regression over string labels."""

    def __init__(self, config: Optional[Dict[str, Any]] = None):
        self.config = {**DEFAULT_MODEL_CONFIG, **(config or {})}
        self.classes: List[str] = []
        self.lexicon: List[str] = []
        self.space: Optional[FeatureSpace] = None
        self.coef: Optional[np.ndarray] = None
        self.intercept: Optional[np.ndarray] = None

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
        weights = {b: float(c[f"{b}_weight"]) for b in ("char", "word", "orig")}
        min_df = {b: int(c[f"{b}_min_df"]) for b in ("char", "word", "orig")}
        return FeatureSpace(analyzer, weights, min_df)

    def fit(self, texts: Sequence[str], labels: Sequence[str], seed: int = 42):
        from sklearn.linear_model import LogisticRegression

        self.lexicon = vocabulary_for_splitter(texts) if self.config["compound_splitting"] else []
        self.space = self._make_space(self.lexicon)
        X = self.space.fit_transform(list(texts))
        clf = LogisticRegression(
            C=float(self.config["C"]),
            max_iter=int(self.config["max_iter"]),
            solver="lbfgs",
            multi_class="multinomial",
            class_weight=self.config.get("class_weight"),
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
            raise RuntimeError(f"{type(self).__name__} is not trained")
        X = self.space.transform(list(texts))
        return softmax(np.asarray(X @ self.coef.T) + self.intercept)

    # -- persistence (JSON + npz, no pickle) -----------------------------------

    def save(self, directory: Path, extra: Optional[Dict[str, Any]] = None) -> None:
        if not self.is_trained:
            raise RuntimeError(f"{type(self).__name__} is not trained")
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        meta = {
            "format": MODEL_FORMAT,
            "config": self.config,
            "classes": self.classes,
            "lexicon": self.lexicon,
            "blocks": {b: v.features() for b, v in self.space.vectorizers.items()},
            **(extra or {}),
        }
        (directory / "model.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        arrays = {"coef": self.coef.astype(np.float32), "intercept": self.intercept}
        for b, v in self.space.vectorizers.items():
            arrays[f"idf_{b}"] = v.idf
        np.savez_compressed(directory / "weights.npz", **arrays)

    @staticmethod
    def read_meta(directory: Path) -> Dict[str, Any]:
        meta = json.loads((Path(directory) / "model.json").read_text(encoding="utf-8"))
        if meta.get("format") != MODEL_FORMAT:
            raise ValueError(f"unsupported model format {meta.get('format')!r}")
        return meta

    def restore(self, directory: Path, meta: Dict[str, Any]) -> "LinearTextModel":
        """Fill this (untrained) model from a saved directory and its meta."""
        self.classes = list(meta["classes"])
        self.lexicon = list(meta["lexicon"])
        self.space = self._make_space(self.lexicon)
        with np.load(Path(directory) / "weights.npz", allow_pickle=False) as npz:
            self.coef = np.asarray(npz["coef"], dtype=np.float64)
            self.intercept = np.asarray(npz["intercept"], dtype=np.float64)
            for b, feats in meta["blocks"].items():
                self.space.vectorizers[b] = SparseTfidf.from_state(feats, npz[f"idf_{b}"])
        return self

    @classmethod
    def load(cls, directory: Path) -> "LinearTextModel":
        meta = cls.read_meta(directory)
        return cls(meta["config"]).restore(directory, meta)
