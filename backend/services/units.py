"""Unit catalogue: import and fuzzy search (rapidfuzz)."""
from __future__ import annotations

import logging
import time
import unicodedata
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process, utils
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from .. import catalogue
from ..models import CareUnit, Organisation, Region

log = logging.getLogger(__name__)


async def import_catalogue(session: AsyncSession, data: dict[str, Any]) -> dict[str, int]:
    """Upserts regions, patient boards, care providers and units from a checked catalogue dict."""
    counts = {"regions": 0, "organisations": 0, "units": 0}
    for r in data["regions"]:
        await session.merge(Region(code=r["code"], name=r["name"]))
        pb = r["patient_board"]
        await session.merge(Organisation(id=pb["id"], name=pb["name"], kind="patient_board",
                                         region_code=r["code"], email=pb.get("email")))
        counts["regions"] += 1
        counts["organisations"] += 1
    await session.flush()
    for p in data["care_providers"]:
        await session.merge(Organisation(id=p["id"], name=p["name"], kind="care_provider", region_code=p["region"],
                                         email=p.get("email")))
        counts["organisations"] += 1
    await session.flush()
    for u in data["units"]:
        await session.merge(CareUnit(hsa_id=u["hsa_id"], name=u["name"], care_provider_id=u["care_provider"],
                                     region_code=u["region"], verksamhetsomrade=u["verksamhetsomrade"],
                                     connected=bool(u.get("connected", True)), municipality=u.get("municipality"),
                                     aliases=list(u.get("aliases", []))))
        counts["units"] += 1
    await session.commit()
    UnitIndex.invalidate()
    return counts


def _fold(text: str) -> str:
    """Lowercase, strip punctuation, and fold å/ä/ö so "ostersund" finds "Östersund"."""
    t = utils.default_process(text)
    return "".join(c for c in unicodedata.normalize("NFKD", t) if not unicodedata.combining(c))


_STOP = {"i", "pa", "på", "vid", "hos", "the", "mottagningen", "pa", "pa"}


@dataclass
class _Entry:
    hsa_id: str
    key: str


class UnitIndex:
    """An in-memory search index over names, aliases and municipality; rebuilt after an import in this process,
    and at least every MAX_AGE_S seconds, so an import made by the CLI or another backend process is seen too."""

    MAX_AGE_S = 60.0
    _entries: list[_Entry] | None = None
    _built_at = 0.0

    @classmethod
    def invalidate(cls) -> None:
        cls._entries = None

    @classmethod
    async def entries(cls, session: AsyncSession) -> list[_Entry]:
        if cls._entries is None or time.monotonic() - cls._built_at > cls.MAX_AGE_S:
            cls._built_at = time.monotonic()
            units = (await session.exec(select(CareUnit))).all()
            entries: list[_Entry] = []
            for u in units:
                keys = {u.name, *u.aliases}
                if u.municipality:
                    keys |= {f"{a} {u.municipality}" for a in [u.name, *u.aliases]}
                for k in keys:
                    entries.append(_Entry(u.hsa_id, _fold(k)))
            cls._entries = entries
        return cls._entries


def _query_key(q: str) -> str:
    words = [w for w in _fold(q).split() if w not in _STOP]
    return " ".join(words)


async def search(session: AsyncSession, q: str, limit: int = 5, region: str | None = None) -> list[tuple[CareUnit, float]]:
    entries = await UnitIndex.entries(session)
    key = _query_key(q)
    if not key:
        return []
    best: dict[str, float] = {}
    matches = process.extract(key, [e.key for e in entries], scorer=fuzz.WRatio, limit=max(50, limit * 10))
    for _key, score, idx in matches:
        hid = entries[idx].hsa_id
        # token_set rewards queries that contain every word of a short alias ("akuten östersund")
        score = max(score, fuzz.token_set_ratio(key, entries[idx].key) * 0.98)
        if score > best.get(hid, 0):
            best[hid] = score
    ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
    units = {u.hsa_id: u for u in (await session.exec(select(CareUnit).where(CareUnit.hsa_id.in_([h for h, _ in ranked])))).all()}
    out: list[tuple[CareUnit, float]] = []
    for hid, score in ranked:
        u = units.get(hid)
        if u is None or (region and u.region_code != region):
            continue
        out.append((u, round(float(score), 1)))
        if len(out) >= limit:
            break
    return out


async def unit_view(session: AsyncSession, unit: CareUnit, score: float | None = None) -> dict[str, Any]:
    provider = await session.get(Organisation, unit.care_provider_id)
    region = await session.get(Region, unit.region_code)
    view = {
        "hsa_id": unit.hsa_id,
        "name": unit.name,
        "care_provider": {"id": provider.id, "name": provider.name} if provider else None,
        "region": {"code": region.code, "name": region.name} if region else None,
        "verksamhetsomrade": unit.verksamhetsomrade,
        "verksamhetsomrade_label": catalogue.label("verksamhetsomraden", unit.verksamhetsomrade),
        "connected": unit.connected,
        "municipality": unit.municipality,
    }
    if score is not None:
        view["score"] = score
    return view


async def patient_board_of(session: AsyncSession, region_code: str) -> Organisation | None:
    return (await session.exec(select(Organisation).where(Organisation.region_code == region_code,
                                                          Organisation.kind == "patient_board"))).first()
