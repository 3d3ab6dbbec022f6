"""The triage's example files: what each message is, before the dialogue acts on it.

Files under ``nlu/data/triage/<split>/*.yml`` have the format::

    version: 1
    items:
      - {text: "står på bron nu", label: suicide}
      - {text: "...", label: other_authority, body: skatteverket}
      - {text: "...", label: complaint, kind: praise, death: false}

``train`` is trained on; ``dev`` … ``dev5`` tune thresholds and rules; ``heldout`` (written apart,
by a writer who never saw the other sets) is only ever evaluated.  A held-out set that has been looked
at once and then used to improve the triage becomes a dev set (``dev2`` … ``dev5`` began as held-out
sets), and a new writer writes the next held-out set.  The category suggester's example file
is reused as complaint openings: every description there is a story about care.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

import yaml

CRITICAL = ("emergency", "suicide", "threat")
LABELS = CRITICAL + ("medical", "other_authority", "complaint", "control")
DATA_DIR = Path("nlu/data/triage")
CATEGORY_TRAIN = Path("nlu/data/categories/train.yml")


class TriageDataError(ValueError):
    """A triage example file is missing or malformed."""


@dataclass(frozen=True)
class Item:
    text: str
    label: str
    body: Optional[str] = None
    meta: Dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


def load_file(path: Path) -> List[Item]:
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TriageDataError(f"{path}: cannot read ({type(exc).__name__})") from exc
    if not isinstance(doc, dict) or doc.get("version") != 1 or not isinstance(doc.get("items"), list):
        raise TriageDataError(f"{path}: expected 'version: 1' and an 'items' list")
    out = []
    for i, it in enumerate(doc["items"]):
        if not isinstance(it, dict) or not isinstance(it.get("text"), str) or not it["text"].strip():
            raise TriageDataError(f"{path}: items[{i}] has no text")
        label = it.get("label")
        if label not in LABELS:
            raise TriageDataError(f"{path}: items[{i}] has the unknown label {label!r}")
        body = it.get("body")
        if (label == "other_authority") != bool(body):
            raise TriageDataError(f"{path}: items[{i}]: a body goes with other_authority, and only there")
        meta = {k: v for k, v in it.items() if k not in ("text", "label", "body")}
        out.append(Item(it["text"].strip(), label, body, meta))
    return out


def split_files(split: str, root: Path = DATA_DIR) -> List[Path]:
    return sorted((Path(root) / split).glob("*.yml"))


def load_split(split: str, root: Path = DATA_DIR) -> List[Item]:
    files = split_files(split, root)
    if not files:
        raise TriageDataError(f"no triage files in {Path(root) / split}")
    return [it for f in files for it in load_file(f)]


def category_openings(path: Path = CATEGORY_TRAIN) -> List[Item]:
    """The category suggester's training descriptions, as complaint openings (file reused, not copied)."""
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return [Item(str(t).strip(), "complaint", meta={"sub": sub})
            for sub, texts in (doc.get("examples") or {}).items() for t in texts or []]


def training_items(root: Path = DATA_DIR, category_path: Path = CATEGORY_TRAIN) -> List[Item]:
    return load_split("train", root) + category_openings(category_path)


def digest(paths: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(Path(x) for x in paths):
        h.update(p.as_posix().encode())
        h.update(p.read_bytes() if p.is_file() else b"missing")
    return h.hexdigest()
