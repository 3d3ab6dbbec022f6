"""The action server refuses an empty or development KG_SERVICE_TOKEN unless KG_ENV=dev."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.actions.backend_client import InsecureServiceToken, require_service_token
from tests.conftest_servers import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("env, problem", [
    ({}, "is not set"),
    ({"KG_SERVICE_TOKEN": ""}, "is not set"),
    ({"KG_SERVICE_TOKEN": "dev-service-token"}, "is the development value"),
    ({"KG_SERVICE_TOKEN": "dev-service-token", "KG_ENV": "production"}, "is the development value"),
])
def test_the_development_or_a_missing_token_is_refused(env, problem):
    with pytest.raises(InsecureServiceToken, match=f"KG_SERVICE_TOKEN {problem}"):
        require_service_token(env)


def test_development_and_real_tokens_pass():
    require_service_token({"KG_ENV": "dev"})
    require_service_token({"KG_ENV": "dev", "KG_SERVICE_TOKEN": "dev-service-token"})
    require_service_token({"KG_SERVICE_TOKEN": "a-long-random-token"})


@pytest.mark.parametrize("command", [
    [sys.executable, "-m", "rasa_sdk"],                                # the Docker image's `start`
    [str(Path(sys.executable).parent / "rasa"), "run", "actions"],     # make run
])
def test_the_action_server_does_not_start_with_the_development_token(command):
    env = {k: v for k, v in os.environ.items() if k not in ("KG_ENV", "KG_SERVICE_TOKEN")}
    env.update(PYTHONPATH=str(ROOT), RASA_TELEMETRY_ENABLED="false", SANIC_HOST="127.0.0.1",
               KG_SERVICE_TOKEN="dev-service-token")
    r = subprocess.run([*command, "--actions", "bot.actions", "--port", str(free_port())], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    assert "KG_SERVICE_TOKEN is the development value" in r.stdout + r.stderr
