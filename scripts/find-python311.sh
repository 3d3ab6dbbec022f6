#!/usr/bin/env bash
# Prints a Python >= 3.11 interpreter for the backend: PATH first, then pyenv.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else 1)' >/dev/null 2>&1; }
for c in python3.11 python3.12 python3.13 python3; do
  p=$(command -v "$c" 2>/dev/null) || continue
  if ok "$p"; then echo "$p"; exit 0; fi
done
root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
for p in "$root"/versions/3.1[1-9].*/bin/python; do
  if [ -x "$p" ] && ok "$p"; then echo "$p"; exit 0; fi
done
echo "error: Python >= 3.11 was not found (PATH or pyenv); the backend needs it." >&2
exit 1
