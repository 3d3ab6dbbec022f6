"""The officers' second factor: TOTP (RFC 6238: six digits, 30-second steps) with pyotp.

- The base32 secret is stored encrypted (Fernet, key derived from KG_SECRET_KEY): a copy of the database
  alone does not give the codes. Changing KG_SECRET_KEY therefore means enrolling everyone again.
- A code is accepted for its own step and one step either side (clock drift), and never twice: the last
  accepted step is kept on the officer and moved forward with a conditional UPDATE, so two processes cannot
  both accept the same code.
- Required outside development (KG_ENV != dev). An officer without one is refused and told to contact an
  administrator, who enrols them (`python -m backend enrol-totp`). Letting the officer enrol right after the
  password would let whoever has the password alone bind their own app, which is what the factor is against.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import pyotp
from cryptography.fernet import Fernet
from sqlalchemy import or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..i18n import gettext as _
from ..models import Officer
from ..swedish_time import utcnow
from . import audit

ISSUER = "Klagomålsguiden"
DRIFT_STEPS = 1


def _fernet(secret_key: str) -> Fernet:
    key = hashlib.sha256(b"kg-totp-secret|" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(secret_key: str, secret: str) -> str:
    return _fernet(secret_key).encrypt(secret.encode()).decode()


def decrypt_secret(secret_key: str, stored: str) -> str:
    return _fernet(secret_key).decrypt(stored.encode()).decode()


@dataclass(frozen=True)
class Enrolment:
    secret: str   # base32, for typing into the app
    uri: str      # otpauth://totp/…, for a QR code

    def __repr__(self) -> str:  # never in a log by accident
        return "Enrolment(…)"


async def enrol(session: AsyncSession, secret_key: str, email: str) -> Enrolment:
    """A new secret for the officer (replacing any old one). Raises LookupError for an unknown e-mail."""
    officer = (await session.exec(select(Officer).where(Officer.email == email.strip().lower()))).first()
    if officer is None:
        raise LookupError(f"no officer with e-mail {email!r}")
    secret = pyotp.random_base32()
    officer.totp_secret = encrypt_secret(secret_key, secret)
    officer.totp_last_step = None
    session.add(officer)
    audit.record(session, officer, "totp_enrolled", detail="kommandoraden")
    await session.commit()
    return Enrolment(secret=secret, uri=pyotp.TOTP(secret).provisioning_uri(name=officer.email, issuer_name=ISSUER))


SecondFactor = Literal["none", "code", "missing"]


def second_factor(env: str, officer: Officer) -> SecondFactor:
    """'code': ask for a code; 'none': the password is enough (development, not enrolled);
    'missing': required here but the officer has none, so no log-in."""
    if officer.totp_secret:
        return "code"
    return "none" if env == "dev" else "missing"


def missing_text() -> str:
    return _("Ditt konto har inget andra steg för inloggning ännu. Kontakta den som administrerar "
             "Klagomålsguiden hos er, så lägger hen till det åt dig.")


def wrong_code_text() -> str:
    return _("Koden stämmer inte. Skriv de sex siffror som appen visar just nu.")


def _normalise(code: str) -> str | None:
    code = "".join(code.split())  # "123 456" as some apps show it
    return code if len(code) == 6 and code.isascii() and code.isdigit() else None


async def verify(session: AsyncSession, secret_key: str, officer: Officer, code: str,
                 now: datetime | None = None) -> bool:
    """True once per code. A wrong or reused code is written to the audit log (never the code itself)."""
    step = _matching_step(secret_key, officer, code, now or utcnow())
    if step is not None:
        result = await session.exec(
            update(Officer).where(col(Officer.id) == officer.id,
                                  or_(col(Officer.totp_last_step).is_(None), col(Officer.totp_last_step) < step))
            .values(totp_last_step=step))
        await session.commit()
        if result.rowcount == 1:
            return True
    audit.record(session, officer, "totp_failed", detail="koden återanvänd" if step is not None else None)
    await session.commit()
    return False


def _matching_step(secret_key: str, officer: Officer, code: str, now: datetime) -> int | None:
    given = _normalise(code)
    if given is None or not officer.totp_secret:
        return None
    totp = pyotp.TOTP(decrypt_secret(secret_key, officer.totp_secret))
    current = totp.timecode(now)
    for step in (current, current - DRIFT_STEPS, current + DRIFT_STEPS):
        if hmac.compare_digest(totp.generate_otp(step), given):
            return step
    return None
