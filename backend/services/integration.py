"""The diary system's way back in: an integration token per organisation, and the diary number it sets."""
from __future__ import annotations

import re
import secrets

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import not_found, validation_error
from ..i18n import gettext as _
from ..models import AuditEntry, Case, IntegrationToken, Organisation
from ..swedish_time import utcnow
from .auth import token_hash

TOKEN_PREFIX = "kgi_"
# what diary numbers look like in W3D3, Platina, Ciceron, Public 360, VSP: letters, digits and a few signs
DIARY_NUMBER_RE = re.compile(r"^[\w .,:/()\-–]{1,100}$")


async def create_token(session: AsyncSession, organisation_id: str, label: str) -> str:
    """A new token for the organisation's diary system. Returned once; only its hash is stored."""
    if await session.get(Organisation, organisation_id) is None:
        raise ValueError(f"unknown organisation {organisation_id}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(IntegrationToken(token_hash=token_hash(token), organisation_id=organisation_id,
                                 label=(label or "diariesystem")[:100]))
    await session.commit()
    return token


async def token_for(session: AsyncSession, token: str) -> IntegrationToken | None:
    return await session.get(IntegrationToken, token_hash(token)) if token.startswith(TOKEN_PREFIX) else None


async def set_diary_number(session: AsyncSession, token: IntegrationToken, reference: str,
                           diary_number: str) -> Case:
    """Sets the diary number on one of the token's organisation's cases (404 for anyone else's)."""
    number = (diary_number or "").strip()
    if not number:
        raise validation_error({"diary_number": _("Fältet måste fyllas i.")})
    if not DIARY_NUMBER_RE.match(number):
        raise validation_error({"diary_number": _("Diarienumret får ha högst 100 tecken: bokstäver, siffror, "
                                                  "mellanslag och . , : / ( ) -.")})
    ref = (reference or "").strip().upper()
    case = (await session.exec(select(Case).where(Case.reference == ref))).first() \
        if re.match(r"^[A-Z0-9\-]{1,20}$", ref) else None
    if case is None or case.recipient_org_id != token.organisation_id:
        raise not_found()
    old = case.diary_number
    case.diary_number = number
    token.last_used_at = utcnow()
    session.add(case)
    session.add(token)
    session.add(AuditEntry(organisation_id=token.organisation_id, action="set_diary_number",
                           case_reference=case.reference, unit_hsa_id=case.care_unit_hsa_id,
                           patient_pseudonym=case.patient_pseudonym,
                           detail=f"integration {token.label}: {old or '–'} → {number}"[:500]))
    await session.commit()
    return case
