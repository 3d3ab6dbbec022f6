#!/usr/bin/env bash
# Starts backend, action server and Rasa on embedded defaults (SQLite, in-memory lock store) under supervisord
# (scripts/supervisord.conf: a crashed service is restarted), prints the URLs; Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false PYTHONPATH="$PWD" SQLALCHEMY_SILENCE_UBER_WARNING=1
# development: the backend and the action server accept their development secrets only with KG_ENV=dev
export KG_ENV=${KG_ENV:-dev}
BACKEND_PORT=${BACKEND_PORT:-8080}; RASA_PORT=${RASA_PORT:-5005}; ACTION_PORT=${ACTION_PORT:-5055}
export KG_PORT=$BACKEND_PORT KG_BACKEND_URL=${KG_BACKEND_URL:-http://127.0.0.1:$BACKEND_PORT}
export KG_PUBLIC_URL=${KG_PUBLIC_URL:-http://127.0.0.1:$BACKEND_PORT}
export KG_RASA_SOCKET_URL=${KG_RASA_SOCKET_URL:-http://127.0.0.1:$RASA_PORT}
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://127.0.0.1:$ACTION_PORT/webhook}
# the Rasa HTTP API needs a token outside development (RASA_AUTH_TOKEN); in development it is optional
KG_RASA_AUTH_ARGS=""; status_query=""
if [ -n "${RASA_AUTH_TOKEN:-}" ]; then
  KG_RASA_AUTH_ARGS="--auth-token $RASA_AUTH_TOKEN"; status_query="?token=$RASA_AUTH_TOKEN"
elif [ "$KG_ENV" != "dev" ]; then
  echo "run: RASA_AUTH_TOKEN is not set; the Rasa HTTP API needs a token outside development (KG_ENV=dev)" >&2
  exit 1
fi

export KG_RASA_AUTH_ARGS

export BACKEND_PORT RASA_PORT ACTION_PORT KG_ROOT="$PWD"
export KG_LOG_DIR=${KG_LOG_DIR:-$PWD/var/log}
# the assistant (action server + Rasa) runs when there is a trained model; KG_RUN_BOT=0 runs the backend alone
if [ -z "${KG_RUN_BOT:-}" ]; then KG_RUN_BOT=false; [ -f bot/models/current.tar.gz ] && KG_RUN_BOT=true; fi
case "$KG_RUN_BOT" in 1|true|yes) KG_RUN_BOT=true ;; *) KG_RUN_BOT=false ;; esac
export KG_RUN_BOT
SUPERVISORD=${KG_SUPERVISORD:-.venv/bin/supervisord}
if [ ! -x "$SUPERVISORD" ]; then
  echo "run: $SUPERVISORD is missing (it is in requirements/backend.lock: make venvs installs it)" >&2; exit 1
fi
mkdir -p "$KG_LOG_DIR"

# the services run under supervisord (scripts/supervisord.conf): one that dies is started again and logged;
# Ctrl-C (or SIGTERM) stops them all
sup=
stop_all() {
  trap - EXIT INT TERM
  if [ -n "$sup" ] && kill -0 "$sup" 2>/dev/null; then kill -TERM "$sup" 2>/dev/null || true; wait "$sup" 2>/dev/null || true; fi
}
trap stop_all EXIT
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM

wait_http() {  # url name seconds
  for _ in $(seq 1 "$3"); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 1; done
  echo "run: $2 did not start; see $KG_LOG_DIR/$2.log" >&2; tail -n 30 "$KG_LOG_DIR/$2.log" >&2; exit 1
}

.venv/bin/python -m backend migrate >/dev/null
.venv/bin/python -m backend seed-demo | tail -n 1
"$SUPERVISORD" -c scripts/supervisord.conf & sup=$!
wait_http "http://127.0.0.1:$BACKEND_PORT/health" backend 60
if [ "$KG_RUN_BOT" = true ]; then
  wait_http "http://127.0.0.1:$ACTION_PORT/health" actions 120
  wait_http "http://127.0.0.1:$RASA_PORT/status$status_query" rasa 300
fi

cat <<MSG

Klagomålsguiden is running (a service that stops is started again; Ctrl-C stops everything; logs in $KG_LOG_DIR/):
  Chat page (patients and relatives):  http://127.0.0.1:$BACKEND_PORT/
  Follow a case (reporter page):        http://127.0.0.1:$BACKEND_PORT/arende
  Officer workspace:                    http://127.0.0.1:$BACKEND_PORT/officer
      demo login: handlaggare@pn.jamtland.example / demo-losen-1  (patient board, handler)
                  handlaggare@regionjh.example / demo-losen-1     (Region Jämtland Härjedalen, handler)
  Statistics:                           http://127.0.0.1:$BACKEND_PORT/officer/statistik
  API + OpenAPI:                        http://127.0.0.1:$BACKEND_PORT/api/v1/openapi.json
  Rasa REST channel:                    http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook
  Rasa HTTP API (loopback only):        http://127.0.0.1:$RASA_PORT/model/parse
  Action server:                        http://127.0.0.1:$ACTION_PORT/health
MSG
wait "$sup"
