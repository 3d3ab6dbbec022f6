"""Verified identities (e-ID) in the shared database: log-ins waiting for their callback, the people the
identity provider vouched for, and the tokens that stand for them.

- A log-in (`OidcLogin`) is keyed by the hash of its `state` and bound to the browser that began it by a
  cookie whose hash is kept; it lives ten minutes and is deleted when its callback comes, good or bad.
- A verified identity keeps the personnummer for a few hours only (IDENTITY_TTL_S), so that the assistant can
  fill it in; it is looked up by the keyed pseudonym (pnr.pseudonym, the one cases keep for the patient).
- Tokens (only their SHA-256 is kept): "web" — the reporter page's e-ID cookie, sliding; "ticket" — one-time,
  a few minutes, the chat widget hands it to the assistant; "intake" — what the assistant gets for the ticket,
  carried by the intake once to mark the case as verified.
Nothing here is logged with a personnummer or a name.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .. import pnr
from ..models import Case, IdentityToken, OidcLogin, VerifiedIdentity
from ..swedish_time import utcnow
from .oidc import Identity

LOGIN_TTL_S = 10 * 60
IDENTITY_TTL_S = 4 * 3600
WEB_TTL_S = 30 * 60
TICKET_TTL_S = 10 * 60
INTAKE_TTL_S = IDENTITY_TTL_S
WEB, TICKET, INTAKE = "web", "ticket", "intake"
_EXTEND_AFTER_S = 60


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- log-ins waiting for the callback ---------------------------------------------------------------------

async def begin_login(session: AsyncSession, *, state: str, nonce: str, code_verifier: str, purpose: str,
                      browser: str) -> None:
    session.add(OidcLogin(state_hash=_hash(state), browser_hash=_hash(browser), nonce=nonce,
                          code_verifier=code_verifier, purpose=purpose,
                          expires_at=utcnow() + timedelta(seconds=LOGIN_TTL_S)))
    await session.commit()


@dataclass(frozen=True)
class PendingLogin:
    nonce: str
    code_verifier: str
    purpose: str


async def take_login(session: AsyncSession, state: str | None, browser: str | None) -> PendingLogin | None:
    """The log-in of `state` if this browser began it and it has not expired; it is used up either way."""
    if not state or len(state) > 200:
        return None
    row = await session.get(OidcLogin, _hash(state))
    if row is None:
        return None
    await session.delete(row)
    await session.commit()
    if row.expires_at < utcnow() or not browser or not hmac.compare_digest(row.browser_hash, _hash(browser)):
        return None
    return PendingLogin(nonce=row.nonce, code_verifier=row.code_verifier, purpose=row.purpose)


# --- identities and their tokens -------------------------------------------------------------------------

async def record(session: AsyncSession, secret_key: str, who: Identity) -> VerifiedIdentity:
    now = utcnow()
    identity = VerifiedIdentity(pnr_pseudonym=pnr.pseudonym(secret_key, who.personnummer),
                                personnummer=who.personnummer, given_name=who.given_name,
                                family_name=who.family_name, verified_at=now,
                                expires_at=now + timedelta(seconds=IDENTITY_TTL_S))
    session.add(identity)
    await session.flush()
    return identity


def _ttl(kind: str) -> int:
    return {WEB: WEB_TTL_S, TICKET: TICKET_TTL_S, INTAKE: INTAKE_TTL_S}[kind]


async def issue(session: AsyncSession, identity: VerifiedIdentity, kind: str) -> str:
    token = secrets.token_urlsafe(32)
    expires = min(utcnow() + timedelta(seconds=_ttl(kind)), identity.expires_at)
    session.add(IdentityToken(token_hash=_hash(token), identity_id=identity.id, kind=kind, expires_at=expires))
    await session.commit()
    return token


async def _valid(session: AsyncSession, token: str | None, kind: str) -> tuple[IdentityToken, VerifiedIdentity] | None:
    if not token or len(token) > 100:
        return None
    row = await session.get(IdentityToken, _hash(token))
    now = utcnow()
    if row is None or row.kind != kind or row.used_at is not None or row.expires_at < now:
        return None
    identity = await session.get(VerifiedIdentity, row.identity_id)
    if identity is None or identity.expires_at < now:
        return None
    return row, identity


async def for_web(session: AsyncSession, token: str | None) -> VerifiedIdentity | None:
    """The identity of the reporter page's e-ID cookie (the expiry slides, up to the identity's own)."""
    found = await _valid(session, token, WEB)
    if found is None:
        return None
    row, identity = found
    now = utcnow()
    if row.expires_at - now < timedelta(seconds=WEB_TTL_S - _EXTEND_AFTER_S):
        row.expires_at = min(now + timedelta(seconds=WEB_TTL_S), identity.expires_at)
        session.add(row)
        await session.commit()
    return identity


async def end_web(session: AsyncSession, token: str | None) -> None:
    if token and len(token) <= 100:
        await session.exec(delete(IdentityToken).where(col(IdentityToken.token_hash) == _hash(token),
                                                        col(IdentityToken.kind) == WEB))
        await session.commit()


async def exchange_ticket(session: AsyncSession, ticket: str | None) -> tuple[VerifiedIdentity, str] | None:
    """One-time: the ticket is used up, and an intake token for the same identity is returned with it.
    The UPDATE … WHERE used_at IS NULL makes two concurrent exchanges of one ticket give one winner."""
    found = await _valid(session, ticket, TICKET)
    if found is None:
        return None
    row, identity = found
    if not await _claim(session, row):
        await session.rollback()
        return None
    return identity, await issue(session, identity, INTAKE)


async def use_intake_token(session: AsyncSession, token: str | None) -> VerifiedIdentity | None:
    """Marks the intake token used, in the caller's transaction (committed with the case it verifies)."""
    found = await _valid(session, token, INTAKE)
    if found is None:
        return None
    row, identity = found
    return identity if await _claim(session, row) else None


async def _claim(session: AsyncSession, row: IdentityToken) -> bool:
    """Marks the token used unless another request already did (one winner)."""
    claimed = await session.exec(update(IdentityToken)
                                 .where(col(IdentityToken.token_hash) == row.token_hash,
                                        col(IdentityToken.used_at).is_(None))
                                 .values(used_at=utcnow()).execution_options(synchronize_session=False))
    return (claimed.rowcount or 0) == 1


# --- "Mina ärenden" ------------------------------------------------------------------------------------------

async def my_cases(session: AsyncSession, identity: VerifiedIdentity) -> list[Case]:
    """Cases the verified person filed (as a verified reporter) or that are about them (as the patient)."""
    p = identity.pnr_pseudonym
    q = (select(Case).where(or_(col(Case.reporter_pseudonym) == p, col(Case.patient_pseudonym) == p),
                            col(Case.anonymised_at).is_(None))
         .order_by(col(Case.received_at).desc(), col(Case.id).desc()))
    return list((await session.exec(q)).all())


async def my_case(session: AsyncSession, identity: VerifiedIdentity, reference: str) -> Case | None:
    for case in await my_cases(session, identity):
        if case.reference == reference:
            return case
    return None


async def purge_expired(session: AsyncSession, now: datetime | None = None) -> int:
    """Deletes expired log-ins, tokens and identities: the personnummer is gone within IDENTITY_TTL_S."""
    now = now or utcnow()
    await session.exec(delete(OidcLogin).where(col(OidcLogin.expires_at) < now))
    expired_ids = select(VerifiedIdentity.id).where(col(VerifiedIdentity.expires_at) < now)
    await session.exec(delete(IdentityToken).where(or_(col(IdentityToken.expires_at) < now,
                                                       col(IdentityToken.identity_id).in_(expired_ids))))
    result = await session.exec(delete(VerifiedIdentity).where(col(VerifiedIdentity.expires_at) < now))
    await session.commit()
    return result.rowcount or 0
