"""The gettext catalogs are complete: every message in the code, templates and taxonomy has Swedish
(the default) and English text, and the compiled catalogs are what the app loads."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PYBABEL = Path(sys.executable).with_name("pybabel")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run([str(PYBABEL), "-q", "extract", "-F", "babel.cfg", "--no-location", "-k", "N_", "-k", "_",
                    "-o", str(pot), "."], cwd=ROOT, check=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    with open(pot, "rb") as fh:
        return {m.id for m in read_po(fh) if m.id}


def catalog(lang: str) -> dict[str, str]:
    with open(ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return {m.id: m.string for m in read_po(fh, locale=lang) if m.id}


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_message_has_a_translation(extracted, lang):
    cat = catalog(lang)
    def complete(text) -> bool:  # a plural entry needs every form
        return all(text) if isinstance(text, tuple) else bool(text)

    missing = sorted(str(m) for m in extracted if not complete(cat.get(m) or ""))
    assert not missing, f"{len(missing)} messages lack {lang} text (run scripts/i18n.sh update): {missing[:10]}"


def test_extraction_finds_code_templates_and_taxonomy(extracted):
    assert "Fältet måste fyllas i." in extracted          # code
    assert "Bemötande" in extracted                        # taxonomy.json
    assert "Väntar på svar från dig" in extracted          # taxonomy.json statuses


def test_app_translates_by_locale():
    from backend import i18n

    i18n.translations.cache_clear()
    tok = i18n.set_locale("en")
    try:
        assert i18n.gettext("Fältet måste fyllas i.") != "Fältet måste fyllas i."
        assert i18n.translate_data("Bemötande") == catalog("en")["Bemötande"]
    finally:
        i18n._current.reset(tok)
    tok = i18n.set_locale("sv")
    try:
        assert i18n.gettext("Fältet måste fyllas i.") == catalog("sv")["Fältet måste fyllas i."]
    finally:
        i18n._current.reset(tok)


@pytest.mark.parametrize("header,expected", [
    (None, "sv"), ("en-GB,en;q=0.9", "en"), ("sv-SE", "sv"), ("de-DE,en;q=0.5", "en"), ("fr", "sv"),
    ("en;q=0.2,sv;q=0.8", "sv"), ("garbage;;q=x", "sv"),
])
def test_accept_language_negotiation(header, expected):
    from backend.i18n import negotiate

    assert negotiate(header) == expected


def test_swedish_number_and_date_formats():
    from datetime import date

    from backend import i18n

    tok = i18n.set_locale("sv")
    try:
        assert i18n.fmt_date(date(2026, 3, 3)) == "3 mars 2026"
        assert i18n.fmt_number(1234.5).replace("\xa0", " ") == "1 234,5"
    finally:
        i18n._current.reset(tok)
