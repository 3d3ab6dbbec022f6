#!/usr/bin/env bash
# gettext catalogs with Babel. Source strings are Swedish; sv is the default catalog, en the second.
#   scripts/i18n.sh update   — extract messages and merge them into locales/{sv,en}
#   scripts/i18n.sh compile  — compile .po to .mo (part of every build)
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL=".venv/bin/pybabel"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
case "${1:-compile}" in
  extract)
    $PYBABEL -q extract -F babel.cfg --no-location --sort-output -k N_ -k _ -o locales/messages.pot . ;;
  update)
    "$0" extract
    for l in sv en; do
      if [ -f "locales/$l/LC_MESSAGES/messages.po" ]; then
        $PYBABEL -q update --no-fuzzy-matching --ignore-obsolete -i locales/messages.pot -d locales -l "$l"
      else
        $PYBABEL -q init -i locales/messages.pot -d locales -l "$l"
      fi
    done
    .venv/bin/python scripts/i18n_fill_sv.py locales/sv/LC_MESSAGES/messages.po ;;
  compile)
    $PYBABEL -q compile -d locales -D messages ;;
  *) echo "usage: $0 extract|update|compile" >&2; exit 2 ;;
esac
