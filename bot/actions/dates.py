"""Swedish date expressions as people type them in a chat → an ISO date, never in the future.

``parse_event_date("i tisdags")`` → ``DateResult(date(2026, 11, 17), approximate=False)``.
Handles: idag/igår/i förrgår (with kväll, morse, natt …), i måndags … i söndags, förra veckan,
förra månaden, för N dagar/veckor/månader/år sedan (digits or words), "3 mars", "den 3:e mars
2025", "i mars", i somras/våras/höstas/vintras/julas, ISO dates, 3/11 and 3.11.2025, and
falls back to dateparser (Swedish, prefer the past). A date after today is refused.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Optional

import pytz

SWEDEN = pytz.timezone("Europe/Stockholm")


def swedish_today(now: Optional[dt.datetime] = None) -> dt.date:
    """Today in Sweden, whatever the server's clock zone (a UTC server is still on yesterday until 01:00
    or 02:00 Swedish time — "idag" at half past midnight must be today, not tomorrow)."""
    return (now or dt.datetime.now(dt.timezone.utc)).astimezone(SWEDEN).date()


MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "mars": 3, "mar": 3, "april": 4, "apr": 4,
    "maj": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augusti": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
WEEKDAYS = {"måndag": 0, "tisdag": 1, "onsdag": 2, "torsdag": 3, "fredag": 4, "lördag": 5, "söndag": 6}
# "i måndags" etc. and the same without å/ä/ö
WEEKDAY_PAST = {
    "måndags": 0, "mandags": 0, "tisdags": 1, "onsdags": 2, "torsdags": 3, "fredags": 4,
    "lördags": 5, "lordags": 5, "söndags": 6, "sondags": 6,
}
NUMBER_WORDS = {
    "en": 1, "ett": 1, "två": 2, "tva": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7,
    "åtta": 8, "atta": 8, "nio": 9, "tio": 10, "elva": 11, "tolv": 12, "femton": 15, "tjugo": 20,
    "några": 3, "nagra": 3, "par": 2,
}
SEASONS = {"somras": (7, 1), "våras": (4, 15), "varas": (4, 15), "höstas": (10, 15),
           "hostas": (10, 15), "vintras": (2, 1), "julas": (12, 24)}

MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))


@dataclass
class DateResult:
    date: Optional[dt.date]
    approximate: bool = False
    future: bool = False

    @property
    def iso(self) -> Optional[str]:
        return self.date.isoformat() if self.date else None


def _norm(text: str) -> str:
    t = text.lower().strip()
    t = re.sub(r"[!?,;]+", " ", t)
    return re.sub(r"\s+", " ", t)


def _num(token: str) -> Optional[int]:
    if token.isdigit():
        return int(token)
    return NUMBER_WORDS.get(token)


def _minus_months(d: dt.date, months: int) -> dt.date:
    y, m = d.year, d.month - months
    while m <= 0:
        m += 12
        y -= 1
    day = min(d.day, [31, 29 if y % 4 == 0 and (y % 100 != 0 or y % 400 == 0) else 28,
                      31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1])
    return dt.date(y, m, day)


def _safe_date(y: int, m: int, d: int) -> Optional[dt.date]:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _past_or_last_year(y: Optional[int], m: int, d: int, today: dt.date) -> DateResult:
    if y is not None:
        if y < 100:
            y += 2000
        date = _safe_date(y, m, d)
        if date is None:
            return DateResult(None)
        return DateResult(date, future=date > today) if date > today else DateResult(date)
    date = _safe_date(today.year, m, d)
    if date is None:
        return DateResult(None)
    if date > today:
        date = _safe_date(today.year - 1, m, d)
    return DateResult(date)


def parse_event_date(text: str, today: Optional[dt.date] = None) -> DateResult:
    """Finds a date expression anywhere in ``text``. ``DateResult(None)`` when there is none;
    ``future=True`` when the only date given lies after today."""
    today = today or swedish_today()
    t = _norm(text)
    if not t:
        return DateResult(None)

    # future words first: "imorgon", "nästa vecka" are never valid event dates
    if re.search(r"\b(i ?morgon|imorron|i övermorgon|nästa (vecka|månad|år))\b", t):
        return DateResult(None, future=True)

    m = re.search(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", t)
    if m:
        return _past_or_last_year(int(m.group(1)), int(m.group(2)), int(m.group(3)), today)
    m = re.search(r"\b(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2,4}))?\b", t)
    if m:
        y = int(m.group(3)) if m.group(3) else None
        return _past_or_last_year(y, int(m.group(2)), int(m.group(1)), today)
    m = re.search(rf"\b(?:den )?(\d{{1,2}})(?::?[ae])?\s*({MONTH_RE})\.?(?:\s+(\d{{4}}))?\b", t)
    if m:
        y = int(m.group(3)) if m.group(3) else None
        return _past_or_last_year(y, MONTHS[m.group(2)], int(m.group(1)), today)
    m = re.search(rf"\b({MONTH_RE})\s+(\d{{1,2}})(?::?[ae])?\b(?:\s+(\d{{4}}))?", t)
    if m and m.group(1) not in ("mar", "jul"):  # "mar 3" unusual; "jul" = Christmas
        y = int(m.group(3)) if m.group(3) else None
        return _past_or_last_year(y, MONTHS[m.group(1)], int(m.group(2)), today)

    if re.search(r"\b(i ?förrgår|i ?forrgar|i förrgår)\b", t):
        return DateResult(today - dt.timedelta(days=2))
    if re.search(r"\b(i ?går|igår|igar|i gar)\b", t):
        return DateResult(today - dt.timedelta(days=1))
    if re.search(r"\b(i ?dag|idag|i ?morse|i förmiddags|i formiddags|i eftermiddag|i kväll|ikväll|nyss|tidigare idag)\b", t):
        return DateResult(today)
    if re.search(r"\b(i ?natt|inatt)\b", t):
        return DateResult(today)

    m = re.search(r"\bi (" + "|".join(WEEKDAY_PAST) + r")\b", t)
    if m:
        wd = WEEKDAY_PAST[m.group(1)]
        delta = (today.weekday() - wd) % 7 or 7
        return DateResult(today - dt.timedelta(days=delta))
    m = re.search(r"\b(?:förra|forra|i förra|senaste) (" + "|".join(WEEKDAYS) + r")(?:en)?\b", t)
    if m:
        wd = WEEKDAYS[m.group(1)]
        delta = (today.weekday() - wd) % 7 or 7
        return DateResult(today - dt.timedelta(days=delta))

    m = re.search(r"\bför (?:ett |en )?(\d+|" + "|".join(NUMBER_WORDS) + r")?\s*(?:par )?"
                  r"(dag|dagar|vecka|veckor|månad|månader|manad|manader|år|ar)\s+sedan\b", t)
    if not m:
        m = re.search(r"\b(\d+|" + "|".join(NUMBER_WORDS) + r")\s+(dag|dagar|vecka|veckor|månad|månader|år)\s+sen\b", t)
    if m:
        n = _num(m.group(1)) if m.group(1) else 1
        n = n or 1
        unit = m.group(2)
        if unit.startswith("dag"):
            return DateResult(today - dt.timedelta(days=n))
        if unit.startswith("veck"):
            return DateResult(today - dt.timedelta(weeks=n), approximate=True)
        if unit.startswith(("mån", "man")):
            return DateResult(_minus_months(today, n), approximate=True)
        return DateResult(_minus_months(today, 12 * n), approximate=True)

    if re.search(r"\b(förra|forra|i förra) veckan\b", t):
        return DateResult(today - dt.timedelta(days=7), approximate=True)
    if re.search(r"\b(i ?början av|tidigare i) (den här|denna) veckan\b|\bi veckan\b", t):
        return DateResult(today - dt.timedelta(days=min(today.weekday(), 3)), approximate=True)
    if re.search(r"\b(förra|forra|i förra) månaden\b", t):
        return DateResult(_minus_months(today, 1), approximate=True)
    if re.search(r"\b(förra|forra|i fjol|ifjol) året?\b|\bi fjol\b", t):
        return DateResult(_minus_months(today, 12), approximate=True)

    m = re.search(r"\bi (" + "|".join(SEASONS) + r")\b", t)
    if m:
        mm, dd = SEASONS[m.group(1)]
        res = _past_or_last_year(None, mm, dd, today)
        return DateResult(res.date, approximate=True)
    m = re.search(rf"\b(?:i|i början av|i slutet av|under) ({MONTH_RE})\b(?:\s+(\d{{4}}))?", t)
    if m:
        y = int(m.group(2)) if m.group(2) else None
        day = 15
        res = _past_or_last_year(y, MONTHS[m.group(1)], 1, today)
        if res.date:
            d = res.date.replace(day=day)
            if d > today:
                d = today
            return DateResult(d, approximate=True, future=res.future)
        return res

    # last resort: dateparser (Swedish, past preferred, day before month)
    try:
        import dateparser  # imported lazily: it is slow to import
        parsed = dateparser.parse(
            text, languages=["sv"],
            settings={"PREFER_DATES_FROM": "past", "DATE_ORDER": "DMY", "STRICT_PARSING": False,
                      "RELATIVE_BASE": dt.datetime.combine(today, dt.time(12, 0)),
                      "RETURN_AS_TIMEZONE_AWARE": False})
    except Exception:  # pragma: no cover - dateparser quirks
        parsed = None
    if parsed is not None:
        d = parsed.date()
        if d > today:
            return DateResult(None, future=True)
        if d.year < today.year - 100:
            return DateResult(None)
        return DateResult(d)
    return DateResult(None)


SV_MONTH_NAMES = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
                  "september", "oktober", "november", "december"]
SV_WEEKDAY_NAMES = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"]


def format_sv(iso: Optional[str], weekday: bool = False) -> str:
    """2026-11-17 → "17 november 2026" (optionally "tisdag 17 november 2026")."""
    if not iso:
        return ""
    try:
        d = dt.date.fromisoformat(str(iso)[:10])
    except ValueError:
        return str(iso)
    s = f"{d.day} {SV_MONTH_NAMES[d.month - 1]} {d.year}"
    return f"{SV_WEEKDAY_NAMES[d.weekday()]} {s}" if weekday else s
