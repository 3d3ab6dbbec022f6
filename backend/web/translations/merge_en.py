"""Fills the English catalog with the web pages' translations kept in backend/web/translations/en.po.

    .venv/bin/python -m backend.web.translations.merge_en && scripts/i18n.sh compile

Only empty English entries are filled (a translation already in locales/ wins); messages that
`scripts/i18n.sh update` has not extracted yet are added.
"""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[3]
FRAGMENT = Path(__file__).with_name("en.po")
CATALOG = ROOT / "locales" / "en" / "LC_MESSAGES" / "messages.po"


def _empty(string) -> bool:
    return not string or (isinstance(string, (tuple, list)) and not all(string))


def merge(catalog_path: Path = CATALOG, fragment_path: Path = FRAGMENT) -> int:
    with open(catalog_path, "rb") as fh:
        catalog = read_po(fh, locale="en")
    with open(fragment_path, "rb") as fh:
        fragment = read_po(fh, locale="en")
    filled = 0
    for msg in fragment:
        if not msg.id:
            continue
        current = catalog.get(msg.id)
        if current is None:
            catalog[msg.id] = msg          # a new entry keeps its own string
            filled += 1
        elif _empty(current.string):
            current.string = msg.string    # Catalog.__setitem__ would keep the old (empty) string
            filled += 1
    with open(catalog_path, "wb") as fh:
        write_po(fh, catalog, width=76)
    return filled


if __name__ == "__main__":
    n = merge()
    print(f"merge_en: filled {n} English messages in {CATALOG.relative_to(ROOT)}", file=sys.stderr)
