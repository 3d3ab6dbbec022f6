"""Periodic work that runs once per period across every backend process (a lease row per job).

Every replica asks now and then; the one whose UPDATE moves the job's `due_at` from the past to one period
ahead has claimed this run, the others see a `due_at` in the future and skip. The UPDATE's WHERE is checked
again under the row's write lock (PostgreSQL) or the database's write lock (SQLite), so two replicas asking
at the same moment cannot both claim it. A replica that dies holds nothing: the next one to ask after
`due_at` takes over.
"""
from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import PeriodicLease
from ..swedish_time import utcnow


def holder_name() -> str:
    """This process, as written in the lease row (host and pid: enough to tell replicas apart in a log)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}"


async def claim(session: AsyncSession, name: str, every_s: int, holder: str | None = None,
                now: datetime | None = None) -> bool:
    """True when this process is to run job `name` now (and the next run is due in `every_s` seconds)."""
    now = now or utcnow()
    holder = holder or holder_name()
    due = now + timedelta(seconds=every_s)
    result = await session.exec(update(PeriodicLease)
                                .where(col(PeriodicLease.name) == name, col(PeriodicLease.due_at) <= now)
                                .values(holder=holder, due_at=due, ran_at=now))
    if result.rowcount == 1:
        await session.commit()
        return True
    await session.rollback()
    if await session.get(PeriodicLease, name) is not None:
        return False  # another replica has run it this period
    session.add(PeriodicLease(name=name, holder=holder, due_at=due, ran_at=now))
    try:
        await session.commit()
    except IntegrityError:  # the first run ever, and another replica inserted the row first
        await session.rollback()
        return False
    return True
