"""Reusable process fixtures: the real backend, the Rasa action server and the Rasa server,
each on a free loopback port with its own temporary files. Used by tests/bot, tests/e2e and
(optionally) the browser tests:

    pytest_plugins = ["tests.conftest_servers"]

Fixtures: ``backend_server`` (session), ``action_server`` (session), ``rasa_server`` (session).
Environment overrides: ``KG_BACKEND_PYTHON`` (default .venv/bin/python), ``KG_TEST_MODEL``
(default bot/models/current.tar.gz).
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVICE_TOKEN = "test-service-token"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, seconds: float, proc: Optional[subprocess.Popen] = None,
              log: Optional[Path] = None, ok=lambda r: r.status_code == 200) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise RuntimeError(f"process for {url} exited with {proc.returncode}\n{tail}")
        try:
            r = httpx.get(url, timeout=2)
            if ok(r):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise RuntimeError(f"{url} did not come up in {seconds}s\n{tail}")


def _stop(proc: Optional[subprocess.Popen]) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def _base_env() -> Dict[str, str]:
    env = dict(os.environ)
    env.update({"RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(ROOT),
                "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"})
    return env


class BackendServer:
    """``python -m backend serve`` on a temp SQLite DB; can be stopped and started again on the
    same port and database (to test "backend down, then försök igen")."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = workdir / "backend.db"
        self.log = workdir / "backend.log"
        self.python = os.environ.get("KG_BACKEND_PYTHON") or str(ROOT / ".venv" / "bin" / "python")
        self.proc: Optional[subprocess.Popen] = None
        self.env = _base_env()
        self.env.update({"DATABASE_URL": f"sqlite+aiosqlite:///{self.db}", "KG_SERVICE_TOKEN": SERVICE_TOKEN,
                         "KG_SECRET_KEY": secrets.token_hex(16),  # never the development secret
                         "KG_PORT": str(self.port), "KG_PUBLIC_URL": self.url,
                         # the demo officers log in with a password only (no second factor) as in `make run`
                         "KG_ENV": "dev"})

    def prepare(self) -> None:
        for cmd in (["migrate"], ["seed-demo"]):
            subprocess.run([self.python, "-m", "backend", *cmd], cwd=ROOT, env=self.env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=180)

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([self.python, "-m", "backend", "serve", "--port", str(self.port)],
                                         cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        wait_http(self.url + "/health", 60, self.proc, self.log)

    def stop(self) -> None:
        _stop(self.proc)
        self.proc = None

    # helpers for tests
    def officer_token(self, email: str = "handlaggare@regionjh.example", password: str = "demo-losen-1") -> str:
        r = httpx.post(self.url + "/api/v1/officer/login", json={"email": email, "password": password}, timeout=10)
        r.raise_for_status()
        return r.json()["token"]

    def officer_case(self, reference: str, token: str) -> dict:
        r = httpx.get(f"{self.url}/api/v1/officer/cases/{reference}",
                      headers={"Authorization": f"Bearer {token}"}, timeout=10)
        r.raise_for_status()
        return r.json()

    def officer_action(self, reference: str, action: str, body: dict, token: str) -> dict:
        r = httpx.post(f"{self.url}/api/v1/officer/cases/{reference}/{action}", json=body,
                       headers={"Authorization": f"Bearer {token}"}, timeout=10)
        r.raise_for_status()
        return r.json()


class ActionServer:
    def __init__(self, workdir: Path, backend_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "actions.log"
        self.env = _base_env()
        self.env.update({"KG_BACKEND_URL": backend_url, "KG_SERVICE_TOKEN": SERVICE_TOKEN,
                         "KG_PUBLIC_URL": backend_url, "KG_BACKEND_RETRIES": "1",
                         "SANIC_HOST": "127.0.0.1"})  # loopback only, like make run
        self.proc: Optional[subprocess.Popen] = None

    def start(self) -> None:
        rasa = str(Path(sys.executable).parent / "rasa")
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([rasa, "run", "actions", "--actions", "bot.actions", "--port", str(self.port)],
                                         cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        wait_http(self.url + "/health", 120, self.proc, self.log)

    def stop(self) -> None:
        _stop(self.proc)


class RasaServer:
    def __init__(self, workdir: Path, action_url: str, model: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "rasa.log"
        self.endpoints = workdir / "endpoints.yml"
        text = (ROOT / "bot" / "endpoints.yml").read_text()
        text = text.replace("${ACTION_ENDPOINT_URL}", action_url + "/webhook")
        text = text.replace("db: var/tracker.db", f"db: {workdir / 'tracker.db'}")
        self.endpoints.write_text(text)
        self.model = model
        self.env = _base_env()
        self.proc: Optional[subprocess.Popen] = None

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot.rasa_server", "run", "--model", str(self.model), "--endpoints", str(self.endpoints),
                 "--credentials", str(ROOT / "bot" / "credentials.yml"), "--enable-api",
                 "-i", "127.0.0.1", "--port", str(self.port)],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_http(self.url + "/status", 300, self.proc, self.log,
                  ok=lambda r: r.status_code == 200 and bool(r.json().get("model_id")))

    def stop(self) -> None:
        _stop(self.proc)

    def say(self, sender: str, message: str, timeout: float = 60) -> List[dict]:
        r = httpx.post(self.url + "/webhooks/rest/webhook", json={"sender": sender, "message": message},
                       timeout=timeout)
        r.raise_for_status()
        return r.json()

    def tracker(self, sender: str) -> dict:
        r = httpx.get(f"{self.url}/conversations/{sender}/tracker", timeout=30)
        r.raise_for_status()
        return r.json()


@pytest.fixture(scope="session")
def servers_workdir():
    d = Path(tempfile.mkdtemp(prefix="kg-servers-"))
    yield d
    if os.environ.get("KG_KEEP_TEST_FILES") != "1":
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def backend_server(servers_workdir):
    python = os.environ.get("KG_BACKEND_PYTHON") or str(ROOT / ".venv" / "bin" / "python")
    if not Path(python).exists():
        pytest.skip(f"backend interpreter {python} missing (run `make venvs`)")
    srv = BackendServer(servers_workdir)
    srv.prepare()
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def action_server(servers_workdir, backend_server):
    srv = ActionServer(servers_workdir, backend_server.url)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def rasa_server(servers_workdir, action_server):
    model = Path(os.environ.get("KG_TEST_MODEL") or ROOT / "bot" / "models" / "current.tar.gz")
    if not model.exists():
        pytest.skip(f"no trained model at {model} (run scripts/train.sh)")
    srv = RasaServer(servers_workdir, action_server.url, model)
    srv.start()
    yield srv
    srv.stop()
