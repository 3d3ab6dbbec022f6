#!/usr/bin/env bash
# Runs the test suites (all, or the ones named) and prints one total line at the end.
#   scripts/test.sh [backend|postgres|nlu|bot|e2e|browser ...]
set -uo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false PYTHONPATH="$PWD" PYTHONDONTWRITEBYTECODE=1 SQLALCHEMY_SILENCE_UBER_WARNING=1
# make test never skips: a missing Chromium or bot model is a failure (set 0 to allow skips locally)
export KG_BROWSER_STRICT=${KG_BROWSER_STRICT:-1}
RESULTS=var/test-results
rm -rf "$RESULTS"; mkdir -p "$RESULTS"
failed_suites=()
suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(backend night postgres nlu bot e2e browser)

pytest_suite() {  # name python paths...
  local name=$1 py=$2; shift 2
  local existing=()
  for p in "$@"; do [ -e "$p" ] && existing+=("$p"); done
  if [ ${#existing[@]} -eq 0 ]; then echo "== $name: no tests yet"; return 0; fi
  echo "== $name: $py -m pytest ${existing[*]}"
  local start=$(date +%s)
  "$py" -m pytest -q -p no:cacheprovider --junitxml="$RESULTS/$name.xml" "${existing[@]}"
  local rc=$?
  echo "== $name: exit $rc in $(( $(date +%s) - start )) s"
  if [ $rc -ne 0 ]; then failed_suites+=("$name"); fi
}

cli_step() {  # name command... — a non-pytest check counted as one test case
  local name=$1; shift
  echo "== $name: $*"
  local start=$(date +%s) rc
  "$@" > "$RESULTS/$name.log" 2>&1; rc=$?
  tail -n 15 "$RESULTS/$name.log"
  echo "== $name: exit $rc in $(( $(date +%s) - start )) s"
  local status=passed; [ $rc -ne 0 ] && { status=failed; failed_suites+=("$name"); }
  echo "$status" > "$RESULTS/$name.step"
}

for s in "${suites[@]}"; do
  case "$s" in
    backend) pytest_suite backend .venv/bin/python tests/backend tests/contract tests/i18n tests/deploy ;;
    night)  # the date-sensitive suites at 23:30 UTC, when Sweden's date is already tomorrow (libfaketime)
      if command -v faketime >/dev/null; then
        pytest_suite night scripts/night-python.sh \
          tests/backend/test_swedish_today.py tests/backend/test_officer_cases.py tests/backend/test_intake.py \
          tests/backend/test_reporter.py tests/backend/test_statistics.py
      else
        echo "== night: faketime is missing (apt-get install faketime; .ci/run does)"; failed_suites+=(night)
      fi ;;
    postgres)
      if [ "${KG_TEST_POSTGRES:-0}" = "1" ] || [ -n "${KG_TEST_DATABASE_URL:-}" ]; then
        if [ -z "${KG_TEST_DATABASE_URL:-}" ]; then
          url=$(scripts/pg.sh start) || { echo "== postgres: could not start PostgreSQL"; failed_suites+=(postgres); continue; }
          KG_TEST_DATABASE_URL="$url" pytest_suite postgres .venv/bin/python tests/backend tests/contract
          scripts/pg.sh stop >/dev/null 2>&1 || true
        else
          pytest_suite postgres .venv/bin/python tests/backend
        fi
      else
        echo "== postgres: skipped (set KG_TEST_POSTGRES=1; .ci/run does)"
      fi ;;
    nlu) pytest_suite nlu .venv-bot/bin/python tests/nlu ;;
    bot)
      if [ -f bot/domain.yml ]; then
        cli_step rasa-validate .venv-bot/bin/rasa data validate --config bot/config.yml --domain bot/domain.yml \
          --data bot/data nlu/data/nlu --fail-on-warnings
        cli_step rasa-test-stories .venv-bot/bin/rasa test core --model bot/models/current.tar.gz \
          --stories bot/tests --fail-on-prediction-errors --out var/rasa-test-results
      fi
      pytest_suite bot .venv-bot/bin/python tests/bot ;;
    e2e) pytest_suite e2e .venv-bot/bin/python tests/e2e ;;
    browser) pytest_suite browser .venv/bin/python tests/browser ;;
    *) echo "unknown suite $s" >&2; exit 2 ;;
  esac
done

.venv/bin/python scripts/sum_results.py "$RESULTS"
if [ ${#failed_suites[@]} -gt 0 ]; then
  echo "failed suites: ${failed_suites[*]}"
  exit 1
fi
