#!/usr/bin/env bash
# The backend's Python with the clock at 23:30 UTC today (libfaketime): Sweden's date is already tomorrow.
# Used by `scripts/test.sh night`; the clock runs on from there.
set -euo pipefail
cd "$(dirname "$0")/.."
export FAKETIME_DONT_RESET=1 KG_NIGHT_RUN=1
exec faketime -f "@$(date -u +%Y-%m-%d) 23:30:00" .venv/bin/python "$@"
