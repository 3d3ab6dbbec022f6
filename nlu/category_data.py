"""Loading and validating the complaint-category data for the category suggester.

The taxonomy file (``backend/data/taxonomy.json``) is the single source of truth
for the category codes: nothing here hard-codes a code.  The example files
(``nlu/data/categories/train.yml`` and ``heldout.yml``) have the format::

    version: 1
    examples:
      <sub_code>:
        - "en beskrivning av ett klagomål"
        - ...

Every sub code of the taxonomy must be present and no other code may appear;
anything else is a :class:`CategoryDataError` with a message that says what is
wrong (never the example texts themselves).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

import yaml

PathLike = Union[str, "os.PathLike[str]"]

DEFAULT_TAXONOMY_PATH = "backend/data/taxonomy.json"
DEFAULT_TRAIN_PATH = "nlu/data/categories/train.yml"
DEFAULT_HELDOUT_PATH = "nlu/data/categories/heldout.yml"
SUPPORTED_VERSIONS = (1,)


class CategoryDataError(ValueError):
    """The taxonomy or a category example file is missing or malformed."""


@dataclass(frozen=True)
class Taxonomy:
    """Main and sub category codes, in the taxonomy file's order."""

    main_codes: Tuple[str, ...]
    sub_codes: Tuple[str, ...]
    parent: Dict[str, str] = field(hash=False, compare=False)
    sub_labels: Dict[str, str] = field(hash=False, compare=False)

    def main_of(self, sub_code: str) -> str:
        return self.parent[sub_code]


def _resolve(path: PathLike) -> Path:
    return Path(os.fspath(path)).expanduser()


def load_taxonomy(path: PathLike = DEFAULT_TAXONOMY_PATH) -> Taxonomy:
    """Read the main/sub category codes from the taxonomy JSON file."""
    p = _resolve(path)
    if not p.is_file():
        raise CategoryDataError(f"taxonomy file not found: {p} (cwd {Path.cwd()})")
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CategoryDataError(f"taxonomy file {p} is not valid JSON: {exc}") from exc
    cats = doc.get("categories") if isinstance(doc, dict) else None
    if not isinstance(cats, list) or not cats:
        raise CategoryDataError(f"taxonomy file {p} has no 'categories' list")
    mains: List[str] = []
    subs: List[str] = []
    parent: Dict[str, str] = {}
    labels: Dict[str, str] = {}
    for i, cat in enumerate(cats):
        code = cat.get("code") if isinstance(cat, dict) else None
        if not isinstance(code, str) or not code:
            raise CategoryDataError(f"taxonomy {p}: categories[{i}] has no code")
        if code in mains:
            raise CategoryDataError(f"taxonomy {p}: main code '{code}' appears twice")
        mains.append(code)
        sub_list = cat.get("subs")
        if not isinstance(sub_list, list) or not sub_list:
            raise CategoryDataError(f"taxonomy {p}: category '{code}' has no subs")
        for j, sub in enumerate(sub_list):
            sc = sub.get("code") if isinstance(sub, dict) else None
            if not isinstance(sc, str) or not sc:
                raise CategoryDataError(
                    f"taxonomy {p}: categories[{i}].subs[{j}] has no code"
                )
            if sc in parent:
                raise CategoryDataError(f"taxonomy {p}: sub code '{sc}' appears twice")
            subs.append(sc)
            parent[sc] = code
            labels[sc] = str(sub.get("label") or sc)
    return Taxonomy(tuple(mains), tuple(subs), parent, labels)


def load_examples(
    path: PathLike, taxonomy: Taxonomy, *, min_per_class: int = 1
) -> Dict[str, List[str]]:
    """Load a category example file and validate it against the taxonomy.

    Returns ``{sub_code: [text, ...]}`` in the taxonomy's sub-code order.
    Raises :class:`CategoryDataError` when the file is missing, malformed, has
    a code the taxonomy lacks, or lacks a code the taxonomy has.
    """
    p = _resolve(path)
    if not p.is_file():
        raise CategoryDataError(
            f"category example file not found: {p} (cwd {Path.cwd()})"
        )
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CategoryDataError(f"{p} is not valid YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise CategoryDataError(f"{p}: expected a mapping with 'version' and 'examples'")
    version = doc.get("version")
    if version not in SUPPORTED_VERSIONS:
        raise CategoryDataError(
            f"{p}: unsupported version {version!r} (supported: {SUPPORTED_VERSIONS})"
        )
    examples = doc.get("examples")
    if not isinstance(examples, dict) or not examples:
        raise CategoryDataError(f"{p}: 'examples' must be a non-empty mapping")

    codes = {str(k) for k in examples}
    unknown = sorted(codes - set(taxonomy.sub_codes))
    missing = [c for c in taxonomy.sub_codes if c not in codes]
    if unknown or missing:
        parts = []
        if unknown:
            parts.append(f"codes not in the taxonomy: {', '.join(unknown)}")
        if missing:
            parts.append(f"taxonomy codes without examples: {', '.join(missing)}")
        raise CategoryDataError(f"{p} does not match the taxonomy: " + "; ".join(parts))

    out: Dict[str, List[str]] = {}
    for code in taxonomy.sub_codes:
        items = examples[code]
        if not isinstance(items, list):
            raise CategoryDataError(f"{p}: examples for '{code}' must be a list")
        texts: List[str] = []
        for k, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                raise CategoryDataError(
                    f"{p}: examples['{code}'][{k}] must be a non-empty string"
                )
            texts.append(item.strip())
        if len(texts) < min_per_class:
            raise CategoryDataError(
                f"{p}: '{code}' has {len(texts)} examples, at least {min_per_class} needed"
            )
        out[code] = texts
    return out


def flatten(examples: Dict[str, List[str]]) -> Tuple[List[str], List[str]]:
    """``{code: [text]}`` → parallel lists ``(texts, codes)``."""
    texts: List[str] = []
    labels: List[str] = []
    for code, items in examples.items():
        texts.extend(items)
        labels.extend([code] * len(items))
    return texts, labels


def file_digest(*paths: PathLike) -> Optional[str]:
    """A SHA-256 over the given files' contents (``None`` if one is missing)."""
    h = hashlib.sha256()
    for path in paths:
        p = _resolve(path)
        try:
            h.update(p.read_bytes())
        except OSError:
            return None
        h.update(b"\0")
    return h.hexdigest()
