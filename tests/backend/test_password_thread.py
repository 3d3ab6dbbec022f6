"""argon2 is slow on purpose (tens of milliseconds of CPU): it runs in a worker thread, so one log-in does not
stall every other request on the event loop."""
from __future__ import annotations

import asyncio
import threading
import time

from kg_testkit import DEMO_PASSWORD, JH_HANDLER

from backend.services import auth


class RecordingHasher:
    """The real argon2 hasher; notes the thread each call runs in."""

    def __init__(self, real):
        self.real, self.threads = real, []

    def verify(self, *args):
        self.threads.append(threading.get_ident())
        return self.real.verify(*args)

    def hash(self, *args):
        self.threads.append(threading.get_ident())
        return self.real.hash(*args)

    def check_needs_rehash(self, *args):
        return self.real.check_needs_rehash(*args)


async def test_argon2_runs_outside_the_event_loop_thread(kg, monkeypatch):
    hasher = RecordingHasher(auth._hasher)
    monkeypatch.setattr(auth, "_hasher", hasher)
    r = await kg.client.post("/api/v1/officer/login", json={"email": JH_HANDLER, "password": DEMO_PASSWORD})
    assert r.status == 200
    r = await kg.client.post("/api/v1/officer/login", json={"email": "ingen@regionjh.example", "password": "fel"})
    assert r.status == 401
    async with kg.app["sessionmaker"]() as session:
        await auth.create_officer(session, email="ny@regionjh.example", name="Ny Handläggare",
                                  password="ett-langt-losen", role="handler", organisation_id="SE2321000207")
    assert len(hasher.threads) == 3
    assert threading.get_ident() not in hasher.threads


async def test_the_loop_keeps_running_during_log_ins(kg):
    gaps: list[float] = []
    stop = asyncio.Event()

    async def ticker():
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.002)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    started = time.perf_counter()
    auth._hasher.verify(auth._DUMMY_HASH, "not-a-real-password")  # how long one verification takes here
    one_verify = time.perf_counter() - started
    tick = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    results = await asyncio.gather(*[kg.client.post("/api/v1/officer/login",
                                                    json={"email": JH_HANDLER, "password": DEMO_PASSWORD})
                                     for _ in range(3)])
    stop.set()
    await tick
    assert [r.status for r in results] == [200, 200, 200]
    assert max(gaps) < one_verify * 0.6, (max(gaps), one_verify)
