"""A real webhook receiver for the tests: an aiohttp server that checks every signature itself (its own few
lines of HMAC, not the backend's) and answers as a script tells it: fail, time out, hold, or accept."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from aiohttp import web


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(sig.startswith("v1,") and hmac.compare_digest(sig[3:], expected)
               for sig in headers["webhook-signature"].split())


@dataclass
class Arrival:
    id: str
    type: str
    reference: str
    payload: dict[str, Any]
    body: str
    outcome: str          # accepted | duplicate | failed | timed_out | held
    at: float


@dataclass
class Receiver:
    """`script(n, payload)` says what to do with the n-th request (0-based): "ok", "fail", "timeout", "hold"."""

    secret: str = ""
    script: Callable[[int, dict[str, Any]], str] = lambda n, p: "ok"
    sleep_s: float = 2.0
    arrivals: list[Arrival] = field(default_factory=list)
    accepted: list[Arrival] = field(default_factory=list)
    bad_signatures: int = 0
    held: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        if not verify(self.secret, headers, body) or abs(time.time() - int(headers["webhook-timestamp"])) > 300:
            self.bad_signatures += 1
            return web.Response(status=401)
        payload = json.loads(body)
        what = self.script(len(self.arrivals), payload)
        a = Arrival(headers["webhook-id"], payload["type"], payload["data"]["reference"], payload, body.decode(),
                    "", time.monotonic())
        self.arrivals.append(a)
        self.changed.set()
        if what == "fail":
            a.outcome = "failed"
            return web.Response(status=503, text="försök igen")
        if what == "timeout":  # longer than the backend waits: it gives up, so this one does not count
            a.outcome = "timed_out"
            await asyncio.sleep(self.sleep_s)
            return web.Response(status=200)
        if what == "hold":  # held until the test releases it (the backend is killed meanwhile)
            a.outcome = "held"
            self.held.set()
            await self.release.wait()
            return web.Response(status=503)
        if any(x.id == a.id for x in self.accepted):
            a.outcome = "duplicate"  # acknowledged again, processed once: what receivers do with webhook-id
            return web.Response(status=204)
        a.outcome = "accepted"
        self.accepted.append(a)
        return web.Response(status=204)
