"""The e2e tests import bot.actions as a library (for the Swedish date); the servers they start get the
test secrets from tests/conftest_servers.py, so the in-process import may use development settings."""
from __future__ import annotations

import os

os.environ.setdefault("KG_ENV", "dev")
