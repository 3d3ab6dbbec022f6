"""Async engine and session factory."""
from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from sqlalchemy import String, event
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from .swedish_time import in_sweden

# aiosqlite logs every statement with its parameters (names, personnummer, free text) at DEBUG: even a
# debugging session must not write those to a log, so its logger never goes below INFO.
logging.getLogger("aiosqlite").setLevel(logging.INFO)


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


class local_month(FunctionElement):
    """'YYYY-MM' of a stored UTC timestamp in Swedish time (statistics per month follow the Swedish
    calendar: a complaint sent at 23:30 on 31 January counts in January, not February)."""
    type = String()
    inherit_cache = True
    name = "local_month"


@compiles(local_month, "postgresql")
def _local_month_pg(element, compiler, **kw):
    return "to_char(timezone('Europe/Stockholm', %s), 'YYYY-MM')" % compiler.process(element.clauses, **kw)


@compiles(local_month, "sqlite")
def _local_month_sqlite(element, compiler, **kw):
    return "kg_local_month(%s)" % compiler.process(element.clauses, **kw)


def _sqlite_local_month(value: object) -> str | None:
    return in_sweden(datetime.fromisoformat(value)).strftime("%Y-%m") if isinstance(value, str) else None


def make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # hide_parameters: a database error (logged with its traceback) must not carry names or personnummer
        engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # WAL: readers don't block the writer
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
            # SQLite's own lower() folds only A–Z: "ÖSTERSUND" would not find "Östersund" in a search
            dbapi_conn.create_function("lower", 1, _unicode_lower, deterministic=True)
            dbapi_conn.create_function("kg_local_month", 1, _sqlite_local_month, deterministic=True)

        return engine
    return create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, hide_parameters=True)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
