"""Fixtures for the backend suite.

Every test gets its own database: a template is built once per session with the project's Alembic
migrations (backend.migrate.upgrade) and the project's `seed-demo` command (demo catalogue + demo
officers), plus one API session token per demo officer; each test then gets a copy of it
(SQLite: a file copy; PostgreSQL: CREATE DATABASE … TEMPLATE …).

PostgreSQL: set KG_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:PORT/postgres (an admin
connection; the suite creates and drops its own databases there).
"""
from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sys
import threading
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("KG_WEB", "1")

from kg_testkit import KG, SECRET_KEY, SERVICE_TOKEN  # noqa: E402

PG_ADMIN_URL = os.environ.get("KG_TEST_DATABASE_URL", "").strip()


def pytest_configure(config):
    # the app uses plain string keys on web.Application; that is style, not a test failure
    config.addinivalue_line("filterwarnings", "ignore::aiohttp.web_exceptions.NotAppKeyWarning")


def in_thread(fn: Callable[[], Any]) -> Any:
    """Runs fn in a fresh thread (no running event loop there, so asyncio.run works)."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 — re-raised in the caller
            box["error"] = exc

    t = threading.Thread(target=run)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_settings(db_url: str, attachments_dir: str):
    from backend.settings import Settings
    return Settings(database_url=db_url, secret_key=SECRET_KEY, service_token=SERVICE_TOKEN,
                    attachments_dir=attachments_dir, public_url="http://kg.test", deadline_check_interval_s=0,
                    smtp_host="", cookie_secure=False, webhook_poll_s=0,  # the webhook tests start the worker
                    # as `make run`: the demo officers log in without a second factor (test_totp covers production)
                    env="dev")


# --- gettext catalogs ------------------------------------------------------------------------------------

@pytest.fixture(scope="session", autouse=True)
def compiled_locales(tmp_path_factory):
    """Compiles locales/*/messages.po into a temporary directory and points backend.i18n at it, so the
    English tests do not depend on a stale or missing .mo in the work tree (and nothing is written there)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from backend import i18n

    out = tmp_path_factory.mktemp("locales")
    for po in (ROOT / "locales").glob("*/LC_MESSAGES/messages.po"):
        lang = po.parent.parent.name
        target = out / lang / "LC_MESSAGES"
        target.mkdir(parents=True)
        with open(po, "rb") as fh:
            cat = read_po(fh, locale=lang)
        with open(target / "messages.mo", "wb") as fh:
            write_mo(fh, cat)
    old = i18n.LOCALES_DIR
    i18n.LOCALES_DIR = out
    i18n.translations.cache_clear()
    yield out
    i18n.LOCALES_DIR = old
    i18n.translations.cache_clear()


# --- the template database -----------------------------------------------------------------------------

def _seed(db_url: str) -> dict[str, str]:
    """Migrations + seed-demo (the project's own code), then one API token and one web session token per
    demo officer (keys "email" and "web:email"), so tests need not pay for argon2 on every log-in."""
    from backend import __main__ as cli
    from backend.migrate import upgrade

    upgrade(db_url)
    settings = base_settings(db_url, "/nonexistent")
    import contextlib
    import io
    with contextlib.redirect_stdout(io.StringIO()):
        cli.cmd_seed_demo(None, settings)

    async def tokens() -> dict[str, str]:
        from sqlmodel import select

        from backend.db import make_engine, make_sessionmaker
        from backend.models import Officer
        from backend.services import auth
        engine = make_engine(db_url)
        out = {}
        try:
            async with make_sessionmaker(engine)() as s:
                for o in (await s.exec(select(Officer))).all():
                    token, _sess = await auth.start_session(s, o, hours=24 * 30)
                    out[o.email] = token
                    token, _sess = await auth.start_session(s, o, hours=24 * 30, kind="web")
                    out["web:" + o.email] = token
        finally:
            await engine.dispose()
        return out

    return asyncio.run(tokens())


def _pg_url(database: str) -> str:
    from sqlalchemy.engine import make_url
    return make_url(PG_ADMIN_URL).set(database=database).render_as_string(hide_password=False)


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


class PgSnapshot:
    """PostgreSQL: one database for the session, migrated and seeded once; before every test all tables
    are emptied (TRUNCATE … RESTART IDENTITY) and the seeded rows put back, so each test starts from the
    same state with the same id sequences. (CREATE DATABASE … TEMPLATE per test costs ~0.3 s each.)"""

    def __init__(self, name: str):
        self.name = name
        self.url = _pg_url(name)
        self.tables: list[str] = []
        self.rows: dict[str, tuple[list[str], list[tuple]]] = {}
        self.serials: list[tuple[str, str]] = []

    async def take(self) -> None:
        import asyncpg
        from sqlmodel import SQLModel

        import backend.models  # noqa: F401 — registers the tables
        self.tables = [t.name for t in SQLModel.metadata.sorted_tables]
        conn = await asyncpg.connect(_asyncpg_dsn(self.url))
        try:
            for t in self.tables:
                recs = await conn.fetch(f'SELECT * FROM "{t}"')
                cols = list(recs[0].keys()) if recs else []
                self.rows[t] = (cols, [tuple(r.values()) for r in recs])
                for (col,) in [(r["column_name"],) for r in await conn.fetch(
                        "SELECT column_name FROM information_schema.columns WHERE table_name = $1 "
                        "AND column_default LIKE 'nextval%'", t)]:
                    self.serials.append((t, col))
        finally:
            await conn.close()

    async def reset(self) -> None:
        import asyncpg
        conn = await asyncpg.connect(_asyncpg_dsn(self.url))
        try:
            await conn.execute("SET lock_timeout = '20s'")
            async with conn.transaction():
                await conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in self.tables) +
                                   " RESTART IDENTITY CASCADE")
                for t in self.tables:
                    cols, recs = self.rows[t]
                    if recs:
                        await conn.copy_records_to_table(t, records=recs, columns=cols)
                for t, col in self.serials:
                    await conn.execute(f"SELECT setval(pg_get_serial_sequence('\"{t}\"', '{col}'), "
                                       f'COALESCE((SELECT MAX("{col}") FROM "{t}"), 0) + 1, false)')
        finally:
            await conn.close()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    """(kind, where, tokens). kind 'sqlite': path of the template file; 'postgresql': a PgSnapshot."""
    if PG_ADMIN_URL:
        import asyncpg
        name = f"kg_suite_{os.getpid()}_{uuid.uuid4().hex[:6]}"

        async def admin(sql: str) -> None:
            conn = await asyncpg.connect(_asyncpg_dsn(PG_ADMIN_URL))
            try:
                await conn.execute(sql)
            finally:
                await conn.close()

        in_thread(lambda: asyncio.run(admin(f'CREATE DATABASE "{name}"')))
        try:
            from backend.settings import normalise_database_url
            tokens = in_thread(lambda: _seed(normalise_database_url(_pg_url(name))))
            snap = PgSnapshot(name)
            in_thread(lambda: asyncio.run(snap.take()))
            yield "postgresql", snap, tokens
        finally:
            in_thread(lambda: asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')))
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        tokens = in_thread(lambda: _seed(f"sqlite+aiosqlite:///{path}"))
        yield "sqlite", str(path), tokens


@pytest.fixture
async def db_url(template_db, tmp_path):
    kind, where, _tokens = template_db
    if kind == "sqlite":
        target = tmp_path / "kg.db"
        shutil.copyfile(where, target)
        for suffix in ("-wal", "-shm"):
            if os.path.exists(where + suffix):
                shutil.copyfile(where + suffix, str(target) + suffix)
        yield f"sqlite+aiosqlite:///{target}"
        return
    from backend.settings import normalise_database_url
    await where.reset()
    yield normalise_database_url(where.url)


@pytest.fixture
def is_postgres() -> bool:
    return bool(PG_ADMIN_URL)


# --- the app -----------------------------------------------------------------------------------------------

@pytest.fixture
async def make_kg(aiohttp_client, db_url, template_db, tmp_path):
    """Factory: `await make_kg(**settings_overrides)` → KG (app + client on this test's database).
    Call it at most once per test (one database per test)."""
    from backend.app import create_app
    from backend.services.units import UnitIndex

    async def make(**overrides: Any) -> KG:
        att_dir = tmp_path / "attachments"
        settings = replace(base_settings(db_url, str(att_dir)), **overrides)
        UnitIndex.invalidate()  # a class-level cache: built from this test's database
        app = create_app(settings)
        client = await aiohttp_client(app)
        made.append(KG(client=client, app=app, tokens=dict(template_db[2]), db_url=db_url,
                       attachments_dir=str(att_dir)))
        return made[-1]

    made: list[KG] = []
    yield make
    for k in made:
        await k.close_browsers()
    UnitIndex.invalidate()


@pytest.fixture
async def kg(make_kg) -> KG:
    return await make_kg()


# --- a real SMTP server ----------------------------------------------------------------------------------

class MailSink:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.event = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                              "data": envelope.content if isinstance(envelope.content, bytes)
                              else envelope.content.encode()})
        self.event.set()
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    """aiosmtpd on a free loopback port; yields (host, port, sink)."""
    from aiosmtpd.controller import Controller

    sink = MailSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield "127.0.0.1", port, sink
    finally:
        controller.stop()
