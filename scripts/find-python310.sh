#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter: PATH first, then pyenv. Rasa 3.6 runs on 3.8–3.10 only.
set -u
is310() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; }
for c in python3.10 python3 python; do
  p=$(command -v "$c" 2>/dev/null) || continue
  if is310 "$p"; then echo "$p"; exit 0; fi
done
root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
for p in "$root"/versions/3.10.*/bin/python; do
  if [ -x "$p" ] && is310 "$p"; then echo "$p"; exit 0; fi
done
echo "error: Python 3.10 was not found (looked on PATH and in $root/versions/3.10.*)." >&2
echo "       Rasa 3.6 needs Python 3.8–3.10. Install it, e.g. 'pyenv install 3.10' or 'apt-get install python3.10'." >&2
exit 1
