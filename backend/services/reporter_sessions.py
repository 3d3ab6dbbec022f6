"""The reporter page's sign-in, kept in the shared database so that any backend process can serve the next page.

The browser holds a random token in a cookie; the database keeps only its hash, the case and the case's
access-code hash at sign-in. Nothing about the case is ever in a URL or a cookie, and the access code itself
is stored nowhere: a case whose code has changed (or that has been anonymised) ends its sessions.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import Case, ReporterWebSession
from ..swedish_time import utcnow

# the expiry slides while the page is in use; it is written again only after this much of it has passed
_EXTEND_AFTER_S = 60


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start(session: AsyncSession, case: Case, ttl_s: int) -> str:
    token = secrets.token_urlsafe(32)
    session.add(ReporterWebSession(token_hash=_hash(token), case_id=case.id, code_hash=case.access_code_hash,
                                   expires_at=utcnow() + timedelta(seconds=ttl_s)))
    await session.commit()
    return token


async def case_for_token(session: AsyncSession, token: str | None, ttl_s: int) -> Case | None:
    if not token or len(token) > 100:
        return None
    row = await session.get(ReporterWebSession, _hash(token))
    now = utcnow()
    if row is None:
        return None
    case = await session.get(Case, row.case_id) if row.expires_at >= now else None
    if case is None or case.anonymised_at is not None or not hmac.compare_digest(row.code_hash, case.access_code_hash):
        await session.delete(row)
        await session.commit()
        return None
    if row.expires_at - now < timedelta(seconds=ttl_s - _EXTEND_AFTER_S):
        row.expires_at = now + timedelta(seconds=ttl_s)
        session.add(row)
        await session.commit()
    return case


async def end(session: AsyncSession, token: str | None) -> None:
    if token and len(token) <= 100:
        await session.exec(delete(ReporterWebSession).where(col(ReporterWebSession.token_hash) == _hash(token)))
        await session.commit()


async def purge_expired(session: AsyncSession, now: datetime | None = None) -> int:
    """Deletes sign-ins past their expiry (they are refused anyway; this keeps the table small)."""
    result = await session.exec(delete(ReporterWebSession).where(
        col(ReporterWebSession.expires_at) < (now or utcnow())))
    await session.commit()
    return result.rowcount or 0
