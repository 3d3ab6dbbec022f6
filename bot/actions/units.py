"""Care unit resolution against the backend's catalogue (``GET /api/v1/units?q=``).

The backend scores each unit 0–100 (rapidfuzz WRatio over name and aliases). Here we decide
what to do with that ranking, re-checking with rapidfuzz locally:
- ``match``: one unit is clearly best → use it (the bot says which);
- ``candidates``: unsure → offer the closest units as buttons, plus "none of these";
- ``not_found``: nothing close → the case goes to the region's patient board with the
  person's own text for the unit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from rapidfuzz import fuzz, process, utils as fuzz_utils

from .backend_client import BackendClient

SURE_SCORE = 88.0      # at or above: take it without asking …
SURE_MARGIN = 8.0      # … when the runner-up is at least this much lower
CANDIDATE_SCORE = 55.0  # below: not found
MAX_CANDIDATES = 4

_LEADING = re.compile(r"^(?:(?:det|den|jag|vi|hon|han|hen)\s+(?:var|gäller|va|är|gällde)\s+)?"
                      r"(?:(?:på|hos|vid|från|i|till|inne på)\s+)?", re.I)
_TRAILING = re.compile(r"\s+(?:tror jag|typ|kanske)\s*$", re.I)


def clean_unit_text(text: str) -> str:
    t = (text or "").strip().strip(".!?")
    t = _LEADING.sub("", t, count=1)
    t = _TRAILING.sub("", t)
    return t.strip() or (text or "").strip()


@dataclass
class UnitResolution:
    status: str                      # match | candidates | not_found
    unit: Optional[Dict[str, Any]] = None
    candidates: List[Dict[str, Any]] = field(default_factory=list)


def compact(unit: Dict[str, Any]) -> Dict[str, Any]:
    """What we keep in a slot about a unit (no personal data)."""
    region = unit.get("region") or {}
    cp = unit.get("care_provider") or {}
    return {
        "hsa_id": unit.get("hsa_id"),
        "name": unit.get("name"),
        "connected": bool(unit.get("connected", True)),
        "region_code": region.get("code"),
        "region_name": region.get("name"),
        "care_provider": cp.get("name"),
        "verksamhetsomrade": unit.get("verksamhetsomrade"),
        "score": float(unit.get("score") or 0),
    }


def decide(text: str, results: List[Dict[str, Any]]) -> UnitResolution:
    units = [compact(u) for u in results if u.get("hsa_id")]
    if not units:
        return UnitResolution("not_found")
    # The backend's score (rapidfuzz WRatio over name *and* aliases) decides; our own rapidfuzz
    # score against the name only breaks ties between equally scored units.
    q = fuzz_utils.default_process(clean_unit_text(text))
    units.sort(key=lambda u: (u["score"], fuzz.token_set_ratio(q, fuzz_utils.default_process(u["name"] or ""))),
               reverse=True)
    best = units[0]
    second = units[1]["score"] if len(units) > 1 else 0.0
    if best["score"] >= SURE_SCORE and best["score"] - second >= SURE_MARGIN:
        return UnitResolution("match", unit=best)
    cands = [u for u in units if u["score"] >= CANDIDATE_SCORE][:MAX_CANDIDATES]
    if not cands:
        return UnitResolution("not_found")
    return UnitResolution("candidates", candidates=cands)


async def resolve_unit(client: BackendClient, text: str, region: Optional[str] = None) -> UnitResolution:
    q = clean_unit_text(text)
    if not q:
        return UnitResolution("not_found")
    results = await client.search_units(q, limit=6, region=region)
    return decide(q, results)


def pick_candidate(text: str, candidates: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """Match a typed answer ("den första", "2", "frösö") to one of the offered units."""
    if not candidates:
        return None
    t = (text or "").strip().lower()
    ordinals = {"1": 0, "första": 0, "forsta": 0, "ettan": 0, "2": 1, "andra": 1, "tvåan": 1,
                "3": 2, "tredje": 2, "trean": 2, "4": 3, "fjärde": 3}
    for word, idx in ordinals.items():
        if re.search(rf"(^|\s){re.escape(word)}($|\s|\.)", t) and idx < len(candidates):
            return candidates[idx]
    names = [c["name"] for c in candidates]
    hit = process.extractOne(t, names, scorer=fuzz.WRatio, processor=fuzz_utils.default_process)
    if hit and hit[1] >= 80:
        return candidates[hit[2]]
    return None
