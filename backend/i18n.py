"""gettext with Babel. Source strings are Swedish; catalogs in locales/ (sv default, en second).

The active locale lives in a context variable set per request from Accept-Language, so service code
can call `_()` without passing the request around.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager
from datetime import date, datetime
from functools import lru_cache
from typing import Iterator

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

from .settings import ROOT

LOCALES_DIR = ROOT / "locales"
SUPPORTED = ("sv", "en")
DEFAULT = "sv"
_current: contextvars.ContextVar[str] = contextvars.ContextVar("kg_locale", default=DEFAULT)


@lru_cache(maxsize=None)
def translations(locale: str) -> NullTranslations:
    t = Translations.load(str(LOCALES_DIR), [locale], domain="messages")
    return t


def set_locale(locale: str) -> contextvars.Token:
    return _current.set(locale if locale in SUPPORTED else DEFAULT)


def get_locale() -> str:
    return _current.get()


@contextmanager
def locale_as(locale: str) -> Iterator[None]:
    """Texts for someone else than the one asking: what the reporter is sent is Swedish whatever the
    officer's page language is."""
    token = set_locale(locale)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Marks a string for extraction without translating it now."""
    return message


def negotiate(accept_language: str | None) -> str:
    if not accept_language:
        return DEFAULT
    prefs: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        bits = part.strip().split(";")
        tag = bits[0].strip().lower()
        q = 1.0
        for b in bits[1:]:
            b = b.strip()
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        if tag:
            prefs.append((q, tag))
    for _q, tag in sorted(prefs, key=lambda x: -x[0]):
        base = tag.split("-")[0]
        if base in SUPPORTED:
            return base
    return DEFAULT


def _babel_locale() -> Locale:
    return Locale.parse("sv_SE" if get_locale() == "sv" else "en_GB")


def fmt_date(d: date | None) -> str:
    return format_date(d, format="long", locale=_babel_locale()) if d else ""


def fmt_datetime(dt: datetime | None) -> str:
    return format_datetime(dt, format="short", locale=_babel_locale(), tzinfo=None) if dt else ""


def fmt_number(n: float) -> str:
    return format_decimal(n, locale=_babel_locale())


def fmt_percent(x: float) -> str:
    return format_percent(x, format="#,##0.0 %", locale=_babel_locale())


def translate_data(text: str) -> str:
    """Translates text that comes from a data file (extracted by backend.i18n_extract, not from code)."""
    return translations(_current.get()).gettext(text)
