"""Outside development (KG_ENV=dev) the backend refuses the development secret, the development service
token and empty keys, with a message that names the variable."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend.app import create_app
from backend.settings import DEV_SECRET_KEY, DEV_SERVICE_TOKEN, InsecureSettings, Settings

ROOT = Path(__file__).resolve().parents[2]
GOOD = {"secret_key": "a-long-random-secret-for-this-test", "service_token": "a-long-random-token"}


@pytest.mark.parametrize("override, variable", [
    ({"secret_key": DEV_SECRET_KEY}, "KG_SECRET_KEY"),
    ({"secret_key": ""}, "KG_SECRET_KEY"),
    ({"service_token": DEV_SERVICE_TOKEN}, "KG_SERVICE_TOKEN"),
    ({"service_token": "  "}, "KG_SERVICE_TOKEN"),
])
def test_create_app_refuses_development_or_empty_secrets(override, variable):
    with pytest.raises(InsecureSettings, match=variable):
        create_app(Settings(**{**GOOD, **override}))


def test_development_allows_the_development_secrets_and_production_allows_real_ones():
    create_app(Settings(env="dev"))
    create_app(Settings(**GOOD))


def test_kg_env_is_read_from_the_environment(monkeypatch):
    monkeypatch.delenv("KG_ENV", raising=False)
    assert Settings.from_env().env == "production"
    monkeypatch.setenv("KG_ENV", "dev")
    assert Settings.from_env().env == "dev"


def test_serve_exits_with_a_clear_message(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("KG_ENV", "KG_SECRET_KEY", "KG_SERVICE_TOKEN")}
    env.update(PYTHONPATH=str(ROOT), DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'kg.db'}",
               KG_SERVICE_TOKEN="a-real-token")
    r = subprocess.run([sys.executable, "-m", "backend", "serve", "--port", "1"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "KG_SECRET_KEY is the development value" in r.stderr and "KG_SERVICE_TOKEN" not in r.stderr
