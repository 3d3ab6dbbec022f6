"""The production shape in docker-compose.yml and deploy/: what the guide and the issues require of it, read
from the files themselves (no Docker here to run it)."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_the_services():
    assert {"backend", "rasa", "actions", "postgres", "redis", "web"} <= set(SERVICES)


def test_only_nginx_publishes_a_port():
    assert [name for name, s in SERVICES.items() if s.get("ports")] == ["web"]


def test_telemetry_is_off_in_every_python_service():
    for name in ("backend", "rasa", "actions"):
        assert SERVICES[name]["environment"]["RASA_TELEMETRY_ENABLED"] == "false", name
    for dockerfile in ("deploy/Dockerfile.rasa", "deploy/Dockerfile.actions"):
        assert "RASA_TELEMETRY_ENABLED=false" in (ROOT / dockerfile).read_text(), dockerfile


def test_rasa_api_is_protected_and_runs_through_the_projects_entrypoint():
    command = " ".join(SERVICES["rasa"]["command"].split())
    assert command.startswith("run ") and "--enable-api" in command and "--auth-token" in command
    dockerfile = (ROOT / "deploy/Dockerfile.rasa").read_text()
    assert 'ENTRYPOINT ["python", "-m", "bot.rasa_server"]' in dockerfile
    assert "COPY bot/ /app/bot/" in dockerfile  # bot/rasa_server.py is in the image


def test_rasa_uses_postgres_trackers_and_a_redis_lock_store():
    endpoints = yaml.safe_load((ROOT / "deploy/rasa-endpoints.yml").read_text())
    assert endpoints["tracker_store"]["type"] == "SQL" and endpoints["tracker_store"]["dialect"] == "postgresql"
    assert endpoints["lock_store"]["type"] == "redis"


def test_the_backend_believes_only_its_proxy_for_client_addresses():
    env = SERVICES["backend"]["environment"]
    default = re.search(r"\$\{KG_TRUSTED_PROXIES:-([^}]*)\}", env["KG_TRUSTED_PROXIES"]).group(1)
    from backend.services.ratelimit import parse_trusted_proxies
    assert parse_trusted_proxies(default)          # a valid list
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in (ROOT / "deploy/nginx.conf").read_text()
    assert env["DATABASE_URL"].startswith("postgresql://")
    assert "healthcheck" in SERVICES["backend"]


def test_every_secret_is_required_and_no_development_value_is_used():
    text = (ROOT / "docker-compose.yml").read_text()
    for var in ("POSTGRES_PASSWORD", "KG_SECRET_KEY", "KG_SERVICE_TOKEN", "RASA_AUTH_TOKEN"):
        uses = re.findall(r"\$\{" + var + r"(?=[:}])([^}]*)\}", text)
        assert uses and all(u.startswith(":?") for u in uses), (var, uses)
    assert "dev-secret-change-me" not in text and "dev-service-token" not in text
    for name in ("backend", "actions", "rasa"):
        assert "KG_ENV" not in SERVICES[name]["environment"], name
