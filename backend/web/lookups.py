"""Read-only look-ups the pages need for their select lists (organisations, units, officers).

These are plain catalogue reads with no business rules. They live here until the service layer has
equivalents (proposed: units.list_organisations, units.list_units, auth.list_officers).
"""
from __future__ import annotations

from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from .. import catalogue
from ..models import CareUnit, Officer, Organisation, Region


async def organisations(session: AsyncSession) -> list[dict[str, Any]]:
    rows = (await session.exec(select(Organisation).order_by(Organisation.region_code, Organisation.kind,
                                                             Organisation.name))).all()
    regions = {r.code: r.name for r in (await session.exec(select(Region))).all()}
    return [{"id": o.id, "name": o.name, "kind": o.kind, "region_code": o.region_code,
             "region_name": regions.get(o.region_code, o.region_code)} for o in rows]


async def units(session: AsyncSession, region_code: str | None = None,
                care_provider_id: str | None = None) -> list[dict[str, Any]]:
    q = select(CareUnit).order_by(CareUnit.name)
    if region_code:
        q = q.where(CareUnit.region_code == region_code)
    if care_provider_id:
        q = q.where(CareUnit.care_provider_id == care_provider_id)
    return [{"hsa_id": u.hsa_id, "name": u.name, "region_code": u.region_code,
             "verksamhetsomrade": u.verksamhetsomrade,
             "verksamhetsomrade_label": catalogue.label("verksamhetsomraden", u.verksamhetsomrade),
             "connected": u.connected} for u in (await session.exec(q)).all()]


async def units_for_officer(session: AsyncSession, organisation: dict[str, Any]) -> list[dict[str, Any]]:
    """A care provider sees its own units; a patient board the units of its region."""
    if organisation.get("kind") == "care_provider":
        own = await units(session, care_provider_id=organisation["id"])
        if own:
            return own
    return await units(session, region_code=organisation.get("region_code"))


async def officers(session: AsyncSession, organisation_id: str) -> list[dict[str, Any]]:
    rows = (await session.exec(select(Officer).where(Officer.organisation_id == organisation_id)
                               .order_by(Officer.name))).all()
    return [{"id": o.id, "name": o.name, "email": o.email, "active": o.active} for o in rows]


async def officer_names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = (await session.exec(select(Officer).where(Officer.id.in_(list(ids))))).all()  # type: ignore[union-attr]
    return {o.id: o.name for o in rows}


def category_groups() -> list[dict[str, Any]]:
    """The taxonomy with translated labels, for grouped checkboxes and selects."""
    return catalogue.translated_taxonomy()["categories"]
