"""Officer accounts and sessions: argon2 passwords, opaque tokens stored only as hashes.

A session ends at its expiry (KG_SESSION_HOURS), after KG_OFFICER_IDLE_MINUTES without use (sliding), when
the officer's password is changed and when the officer is deactivated."""
from __future__ import annotations

import asyncio
import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import Officer, OfficerSession, Organisation
from ..swedish_time import utcnow
from . import audit

_hasher = PasswordHasher()
# a real hash to verify against when the e-mail is unknown, so timing does not tell which e-mails exist
_DUMMY_HASH = _hasher.hash("not-a-real-password")
ROLES = ("receiver", "handler", "admin")


# argon2 takes tens of milliseconds of CPU on purpose: always off the event loop, in a worker thread
async def hash_password_async(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def _verify(password_hash: str, password: str) -> bool:
    try:
        return await asyncio.to_thread(_hasher.verify, password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_officer(session: AsyncSession, *, email: str, name: str, password: str, role: str,
                         organisation_id: str) -> Officer:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    existing = (await session.exec(select(Officer).where(Officer.email == email.lower()))).first()
    if existing:
        existing.name, existing.role, existing.organisation_id = name, role, organisation_id
        existing.password_hash = await hash_password_async(password)
        session.add(existing)
        await end_all_sessions(session, existing.id)  # a new password ends the sessions made with the old
        await session.commit()
        return existing
    officer = Officer(email=email.lower(), name=name, password_hash=await hash_password_async(password), role=role,
                      organisation_id=organisation_id)
    session.add(officer)
    await session.commit()
    await session.refresh(officer)
    return officer


async def authenticate(session: AsyncSession, email: str, password: str) -> Officer | None:
    email = email.strip().lower()
    # NUL is never part of an address, and PostgreSQL cannot compare text with it: no such officer
    officer = None if "\x00" in email else (await session.exec(select(Officer).where(Officer.email == email))).first()
    if not await _verify(officer.password_hash if officer else _DUMMY_HASH, password):
        return None
    if officer is None or not officer.active:
        return None
    if _hasher.check_needs_rehash(officer.password_hash):
        officer.password_hash = await hash_password_async(password)
        session.add(officer)
        await session.commit()
    return officer


async def start_session(session: AsyncSession, officer: Officer, hours: int, kind: str = "api") -> tuple[str, OfficerSession]:
    token = secrets.token_urlsafe(32)
    s = OfficerSession(token_hash=token_hash(token), officer_id=officer.id, kind=kind,
                       csrf_token=secrets.token_urlsafe(24), expires_at=utcnow() + timedelta(hours=hours))
    session.add(s)
    await session.commit()
    return token, s


# the last-seen time is written at most this often: not one UPDATE per request
SEEN_RESOLUTION = timedelta(seconds=30)


async def officer_for_token(session: AsyncSession, token: str, *,
                            idle_minutes: int) -> tuple[Officer, OfficerSession] | None:
    """The officer of a live session, and the session's idle clock restarted; None when it has ended."""
    s = await session.get(OfficerSession, token_hash(token))
    if s is None:
        return None
    now = utcnow()
    if s.expires_at < now or s.last_seen_at + timedelta(minutes=idle_minutes) < now:
        await session.delete(s)
        await session.commit()
        return None
    officer = await session.get(Officer, s.officer_id)
    if officer is None or not officer.active:
        return None
    if now - s.last_seen_at >= SEEN_RESOLUTION:
        s.last_seen_at = now
        session.add(s)
        await session.commit()
    return officer, s


async def end_session(session: AsyncSession, token: str) -> None:
    s = await session.get(OfficerSession, token_hash(token))
    if s is not None:
        await session.delete(s)
        await session.commit()


async def end_all_sessions(session: AsyncSession, officer_id: int) -> int:
    """Ends every session of the officer (web and API); the caller commits."""
    result = await session.exec(delete(OfficerSession).where(col(OfficerSession.officer_id) == officer_id))
    return result.rowcount or 0


async def _by_email(session: AsyncSession, email: str) -> Officer:
    officer = (await session.exec(select(Officer).where(Officer.email == email.strip().lower()))).first()
    if officer is None:
        raise LookupError(f"no officer with e-mail {email!r}")
    return officer


async def set_password(session: AsyncSession, email: str, password: str) -> int:
    """A new password; every session of the officer ends. Returns how many ended. LookupError: unknown e-mail."""
    officer = await _by_email(session, email)
    officer.password_hash = await hash_password_async(password)
    session.add(officer)
    ended = await end_all_sessions(session, officer.id)
    audit.record(session, officer, "password_changed", detail="kommandoraden")
    await session.commit()
    return ended


async def deactivate_officer(session: AsyncSession, email: str) -> int:
    """No more log-ins, and every session ends now. Returns how many ended. LookupError: unknown e-mail."""
    officer = await _by_email(session, email)
    officer.active = False
    session.add(officer)
    ended = await end_all_sessions(session, officer.id)
    audit.record(session, officer, "officer_deactivated", detail="kommandoraden")
    await session.commit()
    return ended


async def purge_expired_sessions(session: AsyncSession, now: datetime | None = None,
                                 idle_minutes: int | None = None) -> int:
    """Deletes sessions past their expiry or idle limit (they are refused anyway; this keeps the table small)."""
    now = now or utcnow()
    ended = col(OfficerSession.expires_at) < now
    if idle_minutes is not None:
        ended = or_(ended, col(OfficerSession.last_seen_at) < now - timedelta(minutes=idle_minutes))
    result = await session.exec(delete(OfficerSession).where(ended))
    await session.commit()
    return result.rowcount or 0


async def officer_view(session: AsyncSession, officer: Officer) -> dict:
    org = await session.get(Organisation, officer.organisation_id)
    return {"id": officer.id, "name": officer.name, "email": officer.email, "role": officer.role,
            "organisation": {"id": org.id, "name": org.name, "kind": org.kind, "region_code": org.region_code}}
