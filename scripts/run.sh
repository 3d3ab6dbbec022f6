#!/usr/bin/env bash
# Starts backend, action server and Rasa on embedded defaults (SQLite, in-memory lock store), prints the URLs.
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
rasa_auth=(); status_query=""
if [ -n "${RASA_AUTH_TOKEN:-}" ]; then
  rasa_auth=(--auth-token "$RASA_AUTH_TOKEN"); status_query="?token=$RASA_AUTH_TOKEN"
elif [ "$KG_ENV" != "dev" ]; then
  echo "run: RASA_AUTH_TOKEN is not set; the Rasa HTTP API needs a token outside development (KG_ENV=dev)" >&2
  exit 1
fi

mkdir -p var/log
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

wait_http() {  # url name seconds
  for _ in $(seq 1 "$3"); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 1; done
  echo "run: $2 did not start; see var/log/$2.log" >&2; tail -n 30 "var/log/$2.log" >&2; exit 1
}

.venv/bin/python -m backend migrate >/dev/null
.venv/bin/python -m backend seed-demo | tail -n 1
.venv/bin/python -m backend serve --port "$BACKEND_PORT" > var/log/backend.log 2>&1 & pids+=($!)
wait_http "http://127.0.0.1:$BACKEND_PORT/health" backend 60

if [ -f bot/models/current.tar.gz ]; then
  # rasa run actions has no --interface; the Rasa SDK reads its address from SANIC_HOST (default 0.0.0.0)
  SANIC_HOST=127.0.0.1 .venv-bot/bin/rasa run actions --actions bot.actions --port "$ACTION_PORT" \
    > var/log/actions.log 2>&1 & pids+=($!)
  wait_http "http://127.0.0.1:$ACTION_PORT/health" actions 120
  .venv-bot/bin/python -m bot.rasa_server run --model bot/models/current.tar.gz --endpoints bot/endpoints.yml \
    --credentials bot/credentials.yml --enable-api "${rasa_auth[@]}" -i 127.0.0.1 --port "$RASA_PORT" --cors "*" \
    > var/log/rasa.log 2>&1 & pids+=($!)
  wait_http "http://127.0.0.1:$RASA_PORT/status$status_query" rasa 300
fi

cat <<MSG

Klagomålsguiden is running (Ctrl-C stops everything; logs in var/log/):
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
wait -n "${pids[@]}"
echo "run: a service stopped; see var/log/" >&2
