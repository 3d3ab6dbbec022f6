"""Contract suite: the OpenAPI document against the real routes, schemathesis against the served
document, and a few hypothesis properties over HTTP.

One real server (``python -m backend serve``) per test session, on a free loopback port:

* SQLite in a temporary file by default;
* PostgreSQL when ``KG_TEST_DATABASE_URL`` is set — the suite then creates its own database on that
  server (``kg_contract_<random>``) and drops it afterwards, so it never disturbs other suites that
  share the URL. Without the right to create databases it falls back to the given database itself.

The schema comes from the project's Alembic migrations (``backend.migrate.upgrade``) and is seeded with
the demo catalogue and the demo officers, exactly as ``python -m backend seed-demo`` does.
"""
from __future__ import annotations

import asyncio
import itertools
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from .contract_helpers import (ADMIN_EMAIL, CONNECTED_UNIT, OFFICER_EMAIL, PNG_1X1, free_port, personnummer,
                              valid_case)

ROOT = Path(__file__).resolve().parents[2]


# --- helpers -----------------------------------------------------------------------------------------

def _sync_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def _with_database(url: str, name: str) -> str:
    head, _sep, tail = url.rpartition("/")
    query = ""
    if "?" in tail:
        tail, query = tail.split("?", 1)
        query = "?" + query
    return f"{head}/{name}{query}"


async def _pg_admin(url: str, sql: str) -> None:
    import asyncpg
    conn = await asyncpg.connect(_sync_url(url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _seed(url: str) -> None:
    from backend.__main__ import DEMO_OFFICERS, DEMO_PASSWORD
    from backend.catalogue import DEMO_UNITS_PATH, load_units_file
    from backend.db import make_engine, make_sessionmaker
    from backend.services.auth import create_officer
    from backend.services.units import import_catalogue

    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            await import_catalogue(session, load_units_file(DEMO_UNITS_PATH))
            for email, name, role, org in DEMO_OFFICERS:
                await create_officer(session, email=email, name=name, password=DEMO_PASSWORD, role=role,
                                     organisation_id=org)
    finally:
        await engine.dispose()


async def _scalar(url: str, sql: str) -> Any:
    from sqlalchemy import text

    from backend.db import make_engine
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(text(sql))).scalar_one()
    finally:
        await engine.dispose()


async def _mint_token(url: str, email: str) -> str:
    """An officer session straight from the service layer: no login round trip, so the login rate
    limiter (which schemathesis' random log-ins fill up) never stands in the way."""
    from sqlmodel import select

    from backend.db import make_engine, make_sessionmaker
    from backend.models import Officer
    from backend.services.auth import start_session
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            officer = (await session.exec(select(Officer).where(Officer.email == email))).one()
            token, _s = await start_session(session, officer, 8)
            return token
    finally:
        await engine.dispose()


async def _mint_integration_token(url: str, organisation_id: str) -> str:
    """The organisation's diary-system token, as `python -m backend create-integration-token` makes it."""
    from backend.db import make_engine, make_sessionmaker
    from backend.services.integration import create_token
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            return await create_token(session, organisation_id, "contract")
    finally:
        await engine.dispose()


# --- the database --------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def contract_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An async SQLAlchemy URL of a migrated, seeded database used only by this suite."""
    from backend.migrate import upgrade
    from backend.settings import normalise_database_url

    given = os.environ.get("KG_TEST_DATABASE_URL", "").strip()
    created: str | None = None
    if given:
        admin = normalise_database_url(given)
        if not admin.startswith("postgresql+asyncpg://"):
            pytest.fail(f"KG_TEST_DATABASE_URL must be a PostgreSQL URL, got {given.split('@')[-1]}")
        name = f"kg_contract_{os.getpid()}_{secrets.token_hex(3)}"
        try:
            asyncio.run(_pg_admin(admin, f'CREATE DATABASE "{name}"'))
            url, created = _with_database(admin, name), name
        except Exception as exc:  # noqa: BLE001 — no CREATEDB right: share the given database
            print(f"contract: could not create a database of our own ({exc!r}); using the given one",
                  file=sys.stderr)
            url = admin
    else:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('contract-db') / 'contract.db'}"
    upgrade(url)
    asyncio.run(_seed(url))
    yield url
    if created:
        try:
            asyncio.run(_pg_admin(admin, f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)'))
        except Exception as exc:  # noqa: BLE001
            print(f"contract: could not drop {created}: {exc!r}", file=sys.stderr)


# --- the server ---------------------------------------------------------------------------------------

@dataclass
class Server:
    url: str
    db_url: str
    service_token: str
    log: Path
    proc: subprocess.Popen

    def log_tail(self, n: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-n:] if self.log.exists() else ""

    def unhandled_errors(self) -> list[str]:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return re.findall(r"unhandled error on .*", text)


def _wait_health(url: str, proc: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"backend exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if requests.get(url + "/health", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"backend did not answer /health in {seconds}s:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="session")
def server(contract_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    work = tmp_path_factory.mktemp("contract-server")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    token = "contract-" + secrets.token_urlsafe(16)
    env = dict(os.environ)
    env.update({
        "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "DATABASE_URL": contract_db, "KG_SERVICE_TOKEN": token, "KG_SECRET_KEY": secrets.token_hex(16),
        "KG_PORT": str(port), "KG_PUBLIC_URL": url, "KG_ATTACHMENTS_DIR": str(work / "attachments"),
        "SMTP_HOST": "",  # notifications go to the log
        "KG_ENV": "dev",  # the demo officers log in with a password only, as in `make run`
    })
    log = work / "backend.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "backend", "serve", "--port", str(port)], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    srv = Server(url, contract_db, token, log, proc)
    try:
        _wait_health(url, proc, log)
        yield srv
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
    # a safety net: whatever answered 500 during the session is in the log, even if no test looked at it
    assert srv.unhandled_errors() == [], f"the server logged unhandled errors:\n{srv.log_tail()}"


# --- credentials and a few real cases ---------------------------------------------------------------------

@dataclass
class Api:
    """What the suite needs to talk to the server as each of its audiences."""

    server: Server
    officer_token: str
    admin_token: str
    reporter_reference: str
    reporter_code: str
    reporter_attachment_id: int
    officer_references: list[str]
    integration_token: str = ""
    _cycle: Iterator[str] = field(init=False, repr=False)
    _serial: Iterator[int] = field(init=False, repr=False)
    _units: Iterator[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._cycle = itertools.cycle(self.officer_references)
        self._serial = itertools.count(1)
        self._units = itertools.cycle([CONNECTED_UNIT, "SE2321000024-E4102", "SE5565301000-E0001", "SE2321000207-X9999"])

    @property
    def url(self) -> str:
        return self.server.url

    def integration_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.integration_token}"}

    def service_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.server.service_token}"}

    def officer_headers(self, admin: bool = False) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token if admin else self.officer_token}"}

    def reporter_headers(self) -> dict[str, str]:
        # the service token plus a fresh client id: the failure limiter then counts per client, so
        # schemathesis' deliberately wrong codes from one IP never lock out the valid requests
        return {**self.service_headers(), "X-Client-Id": uuid.uuid4().hex, "X-Access-Code": self.reporter_code}

    def next_officer_reference(self) -> str:
        return next(self._cycle)

    def next_personnummer(self) -> str:
        n = next(self._serial)
        return personnummer(date(1930, 1, 1) + timedelta(days=(n * 397) % 30000), n)

    def next_unit(self) -> str:
        return next(self._units)

    def fresh_officer_token(self, email: str = OFFICER_EMAIL) -> str:
        return asyncio.run(_mint_token(self.server.db_url, email))

    def count(self, table: str) -> int:
        return int(asyncio.run(_scalar(self.server.db_url, f'SELECT count(*) FROM "{table}"')))

    def create_case(self, body: dict[str, Any] | None = None, key: str | None = None) -> dict[str, Any]:
        r = requests.post(self.url + "/api/v1/cases", json=body or valid_case(),
                       headers={**self.service_headers(), "Idempotency-Key": key or uuid.uuid4().hex}, timeout=30)
        assert r.status_code == 201, r.text
        return r.json()


def _login(url: str, email: str) -> str:
    from backend.__main__ import DEMO_PASSWORD
    r = requests.post(url + "/api/v1/officer/login", json={"email": email, "password": DEMO_PASSWORD}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["token"]


@pytest.fixture(scope="session")
def api(server: Server) -> Api:
    probe = Api(server, "", "", "", "", 0, ["-"])
    reporter_case = probe.create_case()
    ref, code = reporter_case["reference"], reporter_case["access_code"]
    # a reporter message with a PNG, so the attachment routes have something real to serve
    r = requests.post(f"{server.url}/api/v1/reporter/cases/{ref}/messages",
                   headers={"X-Access-Code": code},
                   files=[("body", (None, "Här är en bild från väntrummet.")), ("file", ("bild.png", PNG_1X1, "image/png"))],
                   timeout=30)
    assert r.status_code == 201, r.text
    attachment_id = r.json()["attachments"][0]["id"]
    others = [probe.create_case(valid_case(reporter_category=c))["reference"]
              for c in ("bemotande", "diagnos", "lakemedel")]
    return Api(server, officer_token=_login(server.url, OFFICER_EMAIL), admin_token=_login(server.url, ADMIN_EMAIL),
               reporter_reference=ref, reporter_code=code, reporter_attachment_id=attachment_id,
               officer_references=[ref, *others],
               integration_token=asyncio.run(_mint_integration_token(server.db_url, "SE2321000207")))
