"""The taxonomy, statuses and unit catalogue: one data file each, owned by the backend."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from .i18n import translate_data as _d
from .settings import DATA_DIR

TAXONOMY_PATH = DATA_DIR / "taxonomy.json"
DEMO_UNITS_PATH = DATA_DIR / "units-demo.json"
UNITS_FORMAT = "klagomalsguiden-units/1"


@lru_cache(maxsize=1)
def taxonomy() -> dict[str, Any]:
    return json.loads(TAXONOMY_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def sub_to_main() -> dict[str, str]:
    return {s["code"]: c["code"] for c in taxonomy()["categories"] for s in c["subs"]}


def main_codes() -> list[str]:
    return [c["code"] for c in taxonomy()["categories"]]


def sub_codes() -> list[str]:
    return list(sub_to_main())


def status_codes() -> list[str]:
    return [s["code"] for s in taxonomy()["statuses"]]


def codes(section: str) -> list[str]:
    return [x["code"] if isinstance(x, dict) else x for x in taxonomy()[section]]


def label(section: str, code: str | None) -> str:
    """Translated label of a code in a taxonomy section (statuses, verksamhetsomraden, …)."""
    if code is None:
        return ""
    for item in taxonomy()[section]:
        if isinstance(item, dict) and item["code"] == code:
            return _d(item["label"])
    return code


def category_label(code: str | None) -> str:
    if code is None:
        return ""
    for c in taxonomy()["categories"]:
        if c["code"] == code:
            return _d(c["label"])
        for s in c["subs"]:
            if s["code"] == code:
                return _d(s["label"])
    return code


def translated_taxonomy() -> dict[str, Any]:
    t = json.loads(json.dumps(taxonomy()))
    for c in t["categories"]:
        c["label"] = _d(c["label"])
        for s in c["subs"]:
            s["label"] = _d(s["label"])
            s["explanation"] = _d(s["explanation"])
    for section in ("statuses", "verksamhetsomraden", "reporter_roles", "consent_values", "message_kinds", "focus_tags"):
        for item in t[section]:
            item["label"] = _d(item["label"])
    return t


class CatalogueError(ValueError):
    pass


def load_units_file(path: str | Path) -> dict[str, Any]:
    """Reads and checks a unit catalogue file; raises CatalogueError with a readable message."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CatalogueError(f"cannot read {path}: {exc}") from exc
    if data.get("format") != UNITS_FORMAT:
        raise CatalogueError(f"{path}: format must be {UNITS_FORMAT!r}")
    regions = {r["code"] for r in data.get("regions", [])}
    providers = {p["id"] for p in data.get("care_providers", [])}
    vo = set(codes("verksamhetsomraden"))
    from .hsa import is_hsa_id

    for r in data.get("regions", []):
        if not is_hsa_id(r["patient_board"]["id"]):
            raise CatalogueError(f"region {r['code']}: patient board id is not an HSA-ID")
    for p in data.get("care_providers", []):
        if p["region"] not in regions:
            raise CatalogueError(f"care provider {p['id']}: unknown region {p['region']}")
    seen: set[str] = set()
    for u in data.get("units", []):
        hid = u.get("hsa_id", "")
        if not is_hsa_id(hid):
            raise CatalogueError(f"unit {hid!r}: not an HSA-ID (e.g. SE2321000207-E1100)")
        if hid in seen:
            raise CatalogueError(f"unit {hid}: listed twice")
        seen.add(hid)
        if u.get("care_provider") not in providers:
            raise CatalogueError(f"unit {hid}: unknown care provider {u.get('care_provider')}")
        if u.get("region") not in regions:
            raise CatalogueError(f"unit {hid}: unknown region {u.get('region')}")
        if u.get("verksamhetsomrade") not in vo:
            raise CatalogueError(f"unit {hid}: unknown verksamhetsområde {u.get('verksamhetsomrade')}")
    return data
