#!/usr/bin/env bash
# Trains the Rasa model only when config, domain, training data or the NLU components changed.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
inputs=(bot/config.yml bot/domain.yml bot/data nlu backend/data/taxonomy.json)
for p in "${inputs[@]}"; do [ -e "$p" ] || { echo "train: $p is missing — nothing to train yet"; exit 0; }; done
# the evaluation sets (dev*, held-out) are never trained on, so they do not make the model stale
hash=$(find "${inputs[@]}" -type f \( -name '*.yml' -o -name '*.yaml' -o -name '*.py' -o -name '*.json' \) \
        -not -path '*/__pycache__/*' -not -path 'nlu/data/categories/heldout*' \
        -not -path 'nlu/data/triage/dev*' -not -path 'nlu/data/triage/heldout*' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
mkdir -p bot/models var
if [ -f bot/models/current.tar.gz ] && [ "$(cat bot/models/.hash 2>/dev/null)" = "$hash" ]; then
  echo "train: model is up to date ($hash)"; exit 0
fi
echo "train: training the Rasa model ($hash) …"
start=$(date +%s)
.venv-bot/bin/rasa train --force --config bot/config.yml --domain bot/domain.yml \
  --data bot/data nlu/data/nlu --out bot/models --fixed-model-name current >var/train.log 2>&1 \
  || { mkdir -p var; tail -n 60 var/train.log >&2; echo "train: failed (full log in var/train.log)" >&2; exit 1; }
echo "$hash" > bot/models/.hash
echo "train: done in $(( $(date +%s) - start )) s"
