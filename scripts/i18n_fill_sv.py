"""The source strings are Swedish: a new message gets its Swedish text as msgstr (then reviewed in the .po)."""
import sys

from babel.messages.pofile import read_po, write_po

path = sys.argv[1]
with open(path, "rb") as fh:
    cat = read_po(fh, locale="sv")
filled = 0
for m in cat:
    if not m.id:
        continue
    if isinstance(m.id, tuple):  # plural: Swedish has the same two forms (singular, plural) as the msgids
        if not all(m.string or ()):
            m.string = tuple(m.id)
            filled += 1
    elif not m.string:
        m.string = m.id
        filled += 1
with open(path, "wb") as fh:
    write_po(fh, cat, width=100, omit_header=False, sort_output=True)
print(f"i18n: {filled} new Swedish messages filled in {path}")
