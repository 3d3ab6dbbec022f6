"""Template filters (dates, numbers with Babel in the request's locale) and the common template context."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from aiohttp import web
from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

from .. import catalogue, i18n
from ..swedish_time import SWEDEN as TZ, local_date
from . import security


def _locale() -> Locale:
    return Locale.parse("sv_SE" if i18n.get_locale() == "sv" else "en_GB")


def to_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def to_datetime(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)  # the database keeps naive UTC
    return dt.astimezone(TZ)


def f_date(value: Any, fmt: str = "short") -> str:
    d = to_date(value)
    if d is None:
        return ""
    if fmt == "short":
        return d.isoformat() if i18n.get_locale() == "sv" else format_date(d, "d MMM y", locale=_locale())
    return format_date(d, format=fmt, locale=_locale())


def f_datetime(value: Any, fmt: str = "short") -> str:
    dt = to_datetime(value)
    if dt is None:
        return ""
    if fmt == "short":
        pattern = "yyyy-MM-dd HH:mm" if i18n.get_locale() == "sv" else "d MMM y, HH:mm"
        return format_datetime(dt, pattern, tzinfo=TZ, locale=_locale())
    return format_datetime(dt, format=fmt, tzinfo=TZ, locale=_locale())


def f_iso_datetime(value: Any) -> str:
    dt = to_datetime(value)
    return dt.isoformat() if dt else ""


def f_number(value: Any) -> str:
    if value is None:
        return ""
    return format_decimal(value, locale=_locale())


def f_percent(value: Any) -> str:
    if value is None:
        return ""
    return format_percent(value, format="#,##0.0 %", locale=_locale())


def today() -> date:
    return local_date()


def f_days_left(value: Any) -> int | None:
    d = to_date(value)
    return None if d is None else (d - today()).days


def f_category(code: str | None) -> str:
    return catalogue.category_label(code) if code else ""


def f_label(code: str | None, section: str) -> str:
    return catalogue.label(section, code) if code else ""


def f_pnr(value: Any) -> str:
    """191212121212 -> 19121212-1212 (easier to read aloud and compare)."""
    v = str(value or "")
    return f"{v[:8]}-{v[8:]}" if len(v) == 12 and v.isdigit() else v


FILTERS = {
    "pnr": f_pnr,
    "date": f_date,
    "datetime": f_datetime,
    "iso_datetime": f_iso_datetime,
    "number": f_number,
    "percent": f_percent,
    "days_left": f_days_left,
    "category": f_category,
    "label": f_label,
}


def page_context(request: web.Request) -> dict[str, Any]:
    """What every template gets; built at render time (after the locale and the officer are known)."""
    lang = i18n.get_locale()
    return {
        "request": request,
        "lang": lang,
        "other_lang": "en" if lang == "sv" else "sv",
        "csrf_field": security.CSRF_FIELD,
        "csrf_token": lambda: security.csrf_token(request),
        "officer": request.get("kg_officer_view"),
        "current_path": request.path,
        "rasa_socket_url": request.app["settings"].rasa_socket_url,
        "public_url": request.app["settings"].public_url.rstrip("/"),
        "officer_idle_minutes": request.app["settings"].officer_idle_minutes,
    }
