"""Personnummer and samordningsnummer: find, validate and normalise (the ``personnummer`` lib).

``check_pnr("19121212-1212")`` → ``PnrResult(ok=True, value="191212121212", …)``. On a typo the
result carries a plain-Swedish message that says what is wrong, never the number itself.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Optional

from personnummer import personnummer as _pn

from .dates import swedish_today

PNR_RE = re.compile(r"(?<!\d)(\d{6}|\d{8})\s?([-+])?\s?(\d{4})(?!\d)")


@dataclass
class PnrResult:
    ok: bool
    value: Optional[str] = None          # 12 digits, e.g. 191212121212
    coordination: bool = False
    error: Optional[str] = None


MSG_NOT_FOUND = ("Jag hittar inget personnummer i det du skrev. Skriv det med tolv siffror, "
                 "till exempel 19121212-1212.")
MSG_LENGTH = ("Ett personnummer har tio eller tolv siffror, till exempel 19121212-1212. "
              "Kontrollera att alla siffror kom med.")
MSG_CHECKSUM = ("Personnumret stämmer inte – den sista kontrollsiffran passar inte ihop med de "
                "andra. Det är lätt att skriva fel på en siffra. Kontrollera och skriv det igen.")
MSG_DATE = ("Datumet i personnumret finns inte (år, månad och dag). Kontrollera och skriv "
            "numret igen.")
MSG_FUTURE = "Personnumret har ett födelsedatum i framtiden. Kontrollera och skriv det igen."


def find_pnr(text: str) -> Optional[str]:
    m = PNR_RE.search(text or "")
    if not m:
        return None
    return m.group(1) + (m.group(2) or "") + m.group(3)


def check_pnr(text: str, today: Optional[dt.date] = None) -> PnrResult:
    raw = find_pnr(text)
    if raw is None:
        digits = re.sub(r"\D", "", text or "")
        if 6 <= len(digits) <= 14 and len(digits) not in (10, 12):
            return PnrResult(False, error=MSG_LENGTH)
        return PnrResult(False, error=MSG_NOT_FOUND)
    digits = re.sub(r"\D", "", raw)
    try:
        p = _pn.Personnummer(raw)
    except Exception:
        # find out why, to give a helpful message
        ymd = digits[:-4]
        if len(ymd) == 6:
            ymd = ("19" if int(ymd[:2]) > (today or swedish_today()).year % 100 else "20") + ymd
        y, m, d = int(ymd[:4]), int(ymd[4:6]), int(ymd[6:8])
        if d > 60:
            d -= 60
        try:
            dt.date(y, m, d)
        except ValueError:
            return PnrResult(False, error=MSG_DATE)
        return PnrResult(False, error=MSG_CHECKSUM)
    value = p.format(True).replace("-", "").replace("+", "")
    birth = p.get_date() if hasattr(p, "get_date") else None
    if birth is not None and hasattr(birth, "date") and birth.date() > (today or swedish_today()):
        return PnrResult(False, error=MSG_FUTURE)
    return PnrResult(True, value=value, coordination=bool(p.is_coordination_number()))


def mask(value: Optional[str]) -> str:
    """For summaries: the birth date stays, the last four digits are hidden ("19121212-****").

    Anything that is not a ten- or twelve-digit number is hidden entirely (never echo raw input).
    """
    if not value:
        return ""
    v = re.sub(r"\D", "", value)
    if len(v) in (10, 12):
        return f"{v[:-4]}-****"
    return "****"
