"""The category taxonomy, always read from the backend (``GET /api/v1/taxonomy``), never copied."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from rapidfuzz import fuzz, process, utils as fuzz_utils

from . import backend_client
from .backend_client import BackendClient, BackendError


class Taxonomy:
    def __init__(self, data: Dict[str, Any]) -> None:
        self.data = data
        self.mains: List[Dict[str, Any]] = data.get("categories", [])
        self.subs: Dict[str, Dict[str, Any]] = {}
        for main in self.mains:
            for sub in main.get("subs", []):
                self.subs[sub["code"]] = {**sub, "main": main["code"], "main_label": main["label"]}
        self.statuses = {s["code"]: s["label"] for s in data.get("statuses", [])}

    def main(self, code: str) -> Optional[Dict[str, Any]]:
        return next((m for m in self.mains if m["code"] == code), None)

    def sub_label(self, code: Optional[str]) -> str:
        sub = self.subs.get(code or "")
        return sub["label"] if sub else ""

    def match_text(self, text: str) -> Optional[str]:
        """A typed answer like "bemötande" or "vantetider" → sub code."""
        labels: List[Tuple[str, str]] = [(s["label"], code) for code, s in self.subs.items()]
        labels += [(code.replace("_", " "), code) for code in self.subs]
        hit = process.extractOne(text, [l for l, _ in labels], scorer=fuzz.WRatio,
                                 processor=fuzz_utils.default_process)
        if hit and hit[1] >= 86:
            return labels[hit[2]][1]
        return None

    def match_main(self, text: str) -> Optional[str]:
        labels = [m["label"] for m in self.mains]
        hit = process.extractOne(text, labels, scorer=fuzz.WRatio, processor=fuzz_utils.default_process)
        if hit and hit[1] >= 86:
            return self.mains[hit[2]]["code"]
        return None


async def load(client: BackendClient) -> Taxonomy:
    return Taxonomy(await client.taxonomy())


async def current() -> Optional[Taxonomy]:
    """The taxonomy of the backend the actions use, or ``None`` while it cannot be reached."""
    try:
        return await load(backend_client.client())
    except BackendError:
        return None
