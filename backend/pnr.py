"""Personnummer and samordningsnummer through the kept `personnummer` library."""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date

from personnummer.personnummer import Personnummer, PersonnummerException

from .swedish_time import local_date

AGE_BANDS = [(0, 12, "0-12"), (13, 17, "13-17"), (18, 29, "18-29"), (30, 44, "30-44"),
             (45, 64, "45-64"), (65, 79, "65-79"), (80, 200, "80+")]


@dataclass(frozen=True)
class PatientId:
    normalised: str          # 12 digits, no separator
    birth_date: date
    gender: str              # female | male
    coordination: bool

    def age_at(self, when: date) -> int:
        b = self.birth_date
        return when.year - b.year - ((when.month, when.day) < (b.month, b.day))


def parse(value: str) -> PatientId:
    """Raises ValueError for anything that is not a valid personnummer/samordningsnummer."""
    cleaned = (value or "").strip().replace(" ", "")
    if not cleaned or len(cleaned) > 13 or not all(c.isdigit() or c in "-+" for c in cleaned):
        raise ValueError("format")
    try:
        p = Personnummer(cleaned)
    except (PersonnummerException, ValueError, TypeError) as exc:
        raise ValueError("invalid") from exc
    birth = p.get_date()
    if birth > local_date():
        raise ValueError("future")
    return PatientId(p.format(True), birth, "female" if p.is_female() else "male", p.is_coordination_number())


def age_band(age: int | None) -> str | None:
    if age is None:
        return None
    for lo, hi, name in AGE_BANDS:
        if lo <= age <= hi:
            return name
    return None


def pseudonym(secret: str, normalised: str) -> str:
    """A keyed hash: the audit log can be searched by patient without holding the number."""
    return hmac.new(secret.encode(), ("pnr:" + normalised).encode(), hashlib.sha256).hexdigest()
