"""Swedish text normalisation and sparse features for the category suggester.

No pretrained model is available, so the features are built from the text
alone and are meant to be robust to how people actually type:

* lower case, Unicode NFC, punctuation removed;
* å/ä/ö (and é, ü, æ, ø) folded to a/a/o/… — the *folded* text feeds the char
  n-grams and the stemmed word features, so "vardcentralen" and
  "vårdcentralen" get the same features; a parallel block of word unigrams on
  the unfolded text keeps the diacritic distinction where it is informative;
* char n-grams within word boundaries (sklearn's ``char_wb``, 2–5);
* word uni- and bigrams of Swedish Snowball stems;
* a simple compound splitter: a long word is split into a known modifier and
  a known head (``vård|centralen``, ``tand|läkaren``, ``sjuk|sköterskan``),
  using a small built-in morpheme list plus the training vocabulary; the
  parts' stems are added as extra word features.

Everything here is plain Python/numpy/scipy so that a trained model can be
stored as JSON + ``.npz`` arrays (no pickle) and reloaded anywhere.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

import numpy as np
import scipy.sparse as sp
import snowballstemmer

# --- normalisation ------------------------------------------------------------

_FOLD = str.maketrans(
    {
        "å": "a",
        "ä": "a",
        "ö": "o",
        "é": "e",
        "è": "e",
        "ü": "u",
        "æ": "a",
        "ø": "o",
        "á": "a",
        "à": "a",
    }
)
_TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)


def normalize(text: str) -> str:
    """NFC, lower case, punctuation → space, collapsed whitespace."""
    text = unicodedata.normalize("NFC", text or "").lower()
    return " ".join(_TOKEN_RE.findall(text))


def fold(text: str) -> str:
    """Fold Swedish/Nordic diacritics: å/ä → a, ö → o (and é, ü, æ, ø)."""
    return text.translate(_FOLD)


def tokenize(text: str) -> List[str]:
    """Word tokens of the normalised text (letters and digits)."""
    return _TOKEN_RE.findall(unicodedata.normalize("NFC", text or "").lower())


def word_count(text: str) -> int:
    return len(_TOKEN_RE.findall(text or ""))


_STEMMER = snowballstemmer.stemmer("swedish")


@lru_cache(maxsize=50_000)
def stem(token: str) -> str:
    return _STEMMER.stemWord(token)


# --- compound splitting -------------------------------------------------------

# Modifiers and heads that are frequent in Swedish healthcare complaints. They
# are folded and matched on stems, so inflected heads also split
# ("sjuksköterskorna" → sjuk | sköterskorna). The training vocabulary is added
# to this list when a model is trained.
BASE_MORPHEMES: Tuple[str, ...] = (
    "vård", "central", "tand", "läkare", "sjuk", "sköterska", "hus", "vänte",
    "tid", "akut", "mottagning", "journal", "remiss", "recept", "läkemedel",
    "medicin", "intyg", "avgift", "faktura", "kostnad", "skydd", "hög",
    "patient", "personal", "brist", "plats", "besök", "telefon", "samtal",
    "operation", "behandling", "undersökning", "bedömning", "diagnos", "prov",
    "svar", "röntgen", "kontakt", "plan", "avdelning", "enhet", "region",
    "landsting", "kommun", "hem", "äldre", "boende", "barn", "mor", "förlossning",
    "psykiatri", "psykolog", "kurator", "fysioterapeut", "sjukgymnast",
    "specialist", "distrikt", "jour", "natt", "dag", "vecka", "månad",
    "sekretess", "uppgift", "data", "intrång", "resa", "ersättning", "garanti",
    "smitta", "städ", "hygien", "lokal", "utrustning", "teknik", "apparat",
    "mat", "dusch", "toalett", "tillsyn", "smärta", "lindring", "skada",
    "komplikation", "infektion", "fel", "dos", "biverkning", "säng", "kö",
    "ambulans", "kirurg", "ortoped", "närstående", "anhörig", "information",
    "beröm", "tack", "bemötande", "kallelse", "bokning", "inställd", "flytt",
    "överflyttning", "second", "opinion", "lista", "listning", "val", "bröst",
    "hjärt", "cancer", "blod", "sår", "ben", "rygg", "huvud", "mage", "öga",
    "öron", "hud", "tänder", "rot", "fyllning", "implantat", "protes",
)

# Function words are never compound parts (räkn|ingen, tills|tand, …).
STOPWORDS = frozenset(
    fold(w)
    for w in """
    alla allt andra att av bara blev bli blir de dem den denna deras dess det detta
    dig din dina ditt du där efter eller en ett fast fick fram från får för ha hade
    han hans har hela helt hon honom hur här hos i ingen inget ingenting inga inte
    jag kan kom kunde man med mellan men mig min mina mitt mot mycket måste nej ni
    nu när någon något några och om oss på sa sen sedan sig sin sina sitt själv ska
    skulle som så sådan till tills under upp ut utan vad var vara varför vi vid vill
    ville våra vårt än ändå är även åt över
    """.split()
)

_LINKS = ("s", "e", "a", "o", "u")  # Swedish linking morphemes (fog-s, -e-, …)
_MIN_PART = 3
_ENDINGS = ("orna", "arna", "erna", "na", "an", "en", "et", "n", "t", "s")


class CompoundSplitter:
    """Greedy two-part split against a lexicon of (folded) stems, recursive on
    the modifier so three-part compounds also split."""

    def __init__(self, lexicon: Iterable[str], min_word: int = 7) -> None:
        self.min_word = min_word
        self.words: Set[str] = set()
        self.stems: Set[str] = set()
        for w in lexicon:
            w = fold(normalize(w))
            if len(w) >= _MIN_PART and " " not in w and w not in STOPWORDS:
                self.words.add(w)
                self.stems.add(stem(w))
        self._cache: Dict[str, Tuple[str, ...]] = {}

    def _known(self, part: str) -> bool:
        if len(part) < _MIN_PART:
            return False
        if part in STOPWORDS:
            return False
        if part in self.words or part in self.stems:
            return True
        st = stem(part)
        if st in self.stems and st not in STOPWORDS:
            return True
        # inflections the Snowball stemmer leaves alone (listan → lista/list)
        for suf in _ENDINGS:
            if part.endswith(suf) and len(part) - len(suf) >= _MIN_PART:
                base = part[: -len(suf)]
                if base in self.words or base in self.stems or base + "a" in self.words:
                    return True
        return False

    def _known_modifier(self, part: str, depth: int = 0) -> bool:
        if part in self.words or part in self.stems:
            return True
        if len(part) > _MIN_PART and part[-1] in _LINKS and (
            part[:-1] in self.words or part[:-1] in self.stems
        ):
            return True
        # a modifier that is itself a compound (patientavgifts|fakturan)
        return depth < 1 and bool(self.split(part, depth + 1))

    def split(self, word: str, _depth: int = 0) -> Tuple[str, ...]:
        """Return the parts of a (folded, lower-case) compound, or ``()``."""
        if len(word) < self.min_word or _depth > 2:
            return ()
        if _depth == 0 and word in self._cache:
            return self._cache[word]
        best: Optional[Tuple[int, str, str]] = None
        for i in range(_MIN_PART, len(word) - _MIN_PART + 1):
            left, right = word[:i], word[i:]
            if self._known(right) and self._known_modifier(left, _depth):
                score = min(len(left), len(right))
                if best is None or score > best[0]:
                    best = (score, left, right)
        parts: Tuple[str, ...] = ()
        if best is not None:
            _, left, right = best
            sub = self.split(left, _depth + 1)
            if not sub and left[-1] in _LINKS and not self._known(left):
                left = left[:-1]
            parts = (sub or (left,)) + (right,)
        if _depth == 0:
            if len(self._cache) < 100_000:
                self._cache[word] = parts
        return parts


def vocabulary_for_splitter(texts: Iterable[str], min_count: int = 2) -> List[str]:
    """Folded words (≥ 4 letters) that occur at least ``min_count`` times."""
    counts: Counter = Counter()
    for t in texts:
        counts.update(w for w in fold(normalize(t)).split() if len(w) >= 4)
    return sorted(w for w, c in counts.items() if c >= min_count)


# --- analyzers ----------------------------------------------------------------


def char_wb_ngrams(text: str, n_min: int = 2, n_max: int = 5) -> List[str]:
    """Char n-grams inside word boundaries, like sklearn's ``char_wb``."""
    grams: List[str] = []
    for w in text.split():
        w = f" {w} "
        L = len(w)
        for n in range(n_min, n_max + 1):
            if n > L:
                break
            grams.extend(w[i : i + n] for i in range(L - n + 1))
    return grams


class Analyzer:
    """Turns a raw text into named feature blocks (lists of feature strings)."""

    def __init__(
        self,
        splitter: Optional[CompoundSplitter] = None,
        char_range: Tuple[int, int] = (2, 5),
        word_ngrams: int = 2,
    ) -> None:
        self.splitter = splitter
        self.char_range = char_range
        self.word_ngrams = word_ngrams

    def blocks(self, text: str) -> Dict[str, List[str]]:
        norm = normalize(text)
        folded = fold(norm)
        words = folded.split()
        stems = [stem(w) for w in words]
        word_feats: List[str] = list(stems)
        for n in range(2, self.word_ngrams + 1):
            word_feats.extend(
                " ".join(stems[i : i + n]) for i in range(len(stems) - n + 1)
            )
        if self.splitter is not None:
            for w in words:
                for part in self.splitter.split(w):
                    word_feats.append(stem(part))
        return {
            "char": char_wb_ngrams(folded, *self.char_range),
            "word": word_feats,
            "orig": [stem(w) for w in norm.split()],
        }


# --- TF-IDF without pickle ----------------------------------------------------


class SparseTfidf:
    """Minimal TF-IDF (sublinear tf, smooth idf, l2 norm) with a plain vocabulary.

    Equivalent to sklearn's ``TfidfVectorizer(sublinear_tf=True)`` on
    pre-analysed documents, but storable as a list of strings + an idf array.
    """

    def __init__(self, min_df: int = 1, max_features: Optional[int] = None) -> None:
        self.min_df = min_df
        self.max_features = max_features
        self.vocabulary: Dict[str, int] = {}
        self.idf: np.ndarray = np.zeros(0, dtype=np.float64)

    def fit(self, docs: Sequence[List[str]]) -> "SparseTfidf":
        df: Counter = Counter()
        for d in docs:
            df.update(set(d))
        items = [(f, c) for f, c in df.items() if c >= self.min_df]
        if self.max_features is not None and len(items) > self.max_features:
            items.sort(key=lambda fc: (-fc[1], fc[0]))
            items = items[: self.max_features]
        feats = sorted(f for f, _ in items)
        self.vocabulary = {f: i for i, f in enumerate(feats)}
        n = len(docs)
        self.idf = np.array(
            [math.log((1 + n) / (1 + df[f])) + 1.0 for f in feats], dtype=np.float64
        )
        return self

    @classmethod
    def from_state(cls, features: List[str], idf: np.ndarray) -> "SparseTfidf":
        obj = cls()
        obj.vocabulary = {f: i for i, f in enumerate(features)}
        obj.idf = np.asarray(idf, dtype=np.float64)
        return obj

    def features(self) -> List[str]:
        out = [""] * len(self.vocabulary)
        for f, i in self.vocabulary.items():
            out[i] = f
        return out

    def transform(self, docs: Sequence[List[str]]) -> sp.csr_matrix:
        indptr = [0]
        indices: List[int] = []
        data: List[float] = []
        vocab = self.vocabulary
        for d in docs:
            counts = Counter(vocab[f] for f in d if f in vocab)
            if counts:
                idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
                tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
                w = (1.0 + np.log(tf)) * self.idf[idx]
                norm = float(np.sqrt(np.dot(w, w)))
                if norm > 0:
                    w /= norm
                indices.extend(idx.tolist())
                data.extend(w.tolist())
            indptr.append(len(indices))
        return sp.csr_matrix(
            (np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int64), indptr),
            shape=(len(docs), len(vocab)),
        )


BLOCKS: Tuple[str, ...] = ("char", "word", "orig")


class FeatureSpace:
    """Several TF-IDF blocks, weighted and stacked horizontally."""

    def __init__(
        self,
        analyzer: Analyzer,
        weights: Dict[str, float],
        min_df: Optional[Dict[str, int]] = None,
    ) -> None:
        self.analyzer = analyzer
        self.weights = {b: float(w) for b, w in weights.items() if w > 0}
        self.min_df = min_df or {}
        self.vectorizers: Dict[str, SparseTfidf] = {}

    def _analyse(self, texts: Sequence[str]) -> List[Dict[str, List[str]]]:
        return [self.analyzer.blocks(t) for t in texts]

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        analysed = self._analyse(texts)
        for b in self.weights:
            self.vectorizers[b] = SparseTfidf(min_df=self.min_df.get(b, 1)).fit(
                [a[b] for a in analysed]
            )
        return self._stack(analysed)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self._stack(self._analyse(texts))

    def _stack(self, analysed: List[Dict[str, List[str]]]) -> sp.csr_matrix:
        mats = [
            self.vectorizers[b].transform([a[b] for a in analysed]) * self.weights[b]
            for b in self.weights
        ]
        return sp.hstack(mats, format="csr")

    @property
    def n_features(self) -> int:
        return sum(len(v.vocabulary) for v in self.vectorizers.values())


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)

