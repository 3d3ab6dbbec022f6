"""services.lease: a periodic job is claimed by one process per period; the next period is anyone's."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from backend.models import PeriodicLease
from backend.services import lease
from backend.swedish_time import utcnow


async def test_one_claim_per_period(kg):
    t0 = utcnow()
    async with kg.session() as s:
        assert await lease.claim(s, "job", 60, holder="a", now=t0)           # the first run ever: the row is made
        assert not await lease.claim(s, "job", 60, holder="b", now=t0 + timedelta(seconds=59))
        assert not await lease.claim(s, "job", 60, holder="a", now=t0 + timedelta(seconds=59))
        assert await lease.claim(s, "job", 60, holder="b", now=t0 + timedelta(seconds=60))  # a died: b goes on
        assert await lease.claim(s, "other", 60, holder="a", now=t0)         # each job has its own row
    [row] = await kg.rows(PeriodicLease, PeriodicLease.name == "job")
    assert (row.holder, row.due_at) == ("b", t0 + timedelta(seconds=120))


async def test_simultaneous_claims_have_one_winner(kg):
    async def claim(holder: str, now) -> bool:
        async with kg.session() as s:
            return await lease.claim(s, "job", 60, holder=holder, now=now)

    t0 = utcnow()
    assert sum(await asyncio.gather(*(claim(f"p{i}", t0) for i in range(6)))) == 1  # the first row, raced
    later = t0 + timedelta(seconds=61)
    assert sum(await asyncio.gather(*(claim(f"p{i}", later) for i in range(6)))) == 1
