"""Failed-attempt limits (access codes, officer log-ins) and the client address they are keyed on.

A sliding window per key. Each key has a prefix ("ref:", "ip:", "login:", …); the cap can differ per prefix
so that a whole hospital behind one NAT address is not locked out by a few mistyped passwords, while a single
account or case reference stays tightly limited.

The attempts are kept in the shared database (DatabaseFailures), so every backend process behind the proxy
sees the same counts: a limit reached through one process holds on all of them. MemoryFailures keeps them in
one process only (a tool or a test that has no database).
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time
from collections import defaultdict, deque
from datetime import timedelta
from typing import Iterable, Mapping, Protocol

from sqlalchemy import delete, func, insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import FailedAttempt
from ..swedish_time import utcnow

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class FailureStore(Protocol):
    async def counts(self, keys: tuple[str, ...], window_s: int) -> list[int]: ...
    async def add(self, keys: tuple[str, ...], window_s: int) -> None: ...
    async def clear(self) -> None: ...


class MemoryFailures:
    """In one process's memory: for a single process only."""

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    def _prune(self, key: str, now: float, window_s: int) -> deque[float]:
        q = self._hits[key]
        while q and now - q[0] > window_s:
            q.popleft()
        return q

    async def counts(self, keys: tuple[str, ...], window_s: int) -> list[int]:
        now = time.monotonic()
        return [len(self._prune(k, now, window_s)) for k in keys]

    async def add(self, keys: tuple[str, ...], window_s: int) -> None:
        now = time.monotonic()
        for k in keys:
            self._prune(k, now, window_s).append(now)
        if len(self._hits) > 100_000:  # keep memory bounded under a flood of distinct keys
            for k in [k for k, q in self._hits.items() if not q][:50_000]:
                del self._hits[k]

    async def clear(self) -> None:
        self._hits.clear()


class DatabaseFailures:
    """In the shared database, one row per failed attempt. `scope` keeps two limiters that use the same key
    shape (both count per client address) apart; keys are stored as keyed hashes, never as e-mail or IP."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], scope: str, secret: str):
        self.sessionmaker = sessionmaker
        self.scope = scope
        self._secret = secret.encode()

    def _hash(self, key: str) -> str:
        return hmac.new(self._secret, f"{self.scope}|{key}".encode(), hashlib.sha256).hexdigest()

    async def counts(self, keys: tuple[str, ...], window_s: int) -> list[int]:
        hashes = [self._hash(k) for k in keys]
        since = utcnow() - timedelta(seconds=window_s)
        async with self.sessionmaker() as session:
            rows = (await session.exec(
                select(FailedAttempt.key_hash, func.count())
                .where(col(FailedAttempt.key_hash).in_(hashes), col(FailedAttempt.at) >= since)
                .group_by(FailedAttempt.key_hash))).all()
        found = dict(rows)
        return [found.get(h, 0) for h in hashes]

    async def add(self, keys: tuple[str, ...], window_s: int) -> None:
        now = utcnow()
        hashes = [self._hash(k) for k in keys]
        async with self.sessionmaker() as session:
            await session.exec(insert(FailedAttempt).values(
                [{"scope": self.scope, "key_hash": h, "at": now} for h in hashes]))
            # this key's attempts that have left the window (purge_failures clears the rest periodically)
            await session.exec(delete(FailedAttempt).where(
                col(FailedAttempt.key_hash).in_(hashes), col(FailedAttempt.at) < now - timedelta(seconds=window_s)))
            await session.commit()

    async def clear(self) -> None:
        async with self.sessionmaker() as session:
            await session.exec(delete(FailedAttempt).where(FailedAttempt.scope == self.scope))
            await session.commit()


async def purge_failures(session: AsyncSession, window_s: int) -> int:
    """Deletes attempts older than the window (they no longer count; this keeps the table small)."""
    result = await session.exec(delete(FailedAttempt).where(
        col(FailedAttempt.at) < utcnow() - timedelta(seconds=window_s)))
    await session.commit()
    return result.rowcount or 0


class FailureLimiter:
    """At most `max_failures` failed attempts per key within `window_s` seconds (or the cap of the key's
    prefix). blocked() before trying, fail() after a failed try."""

    def __init__(self, max_failures: int, window_s: int, caps: Mapping[str, int] | None = None,
                 store: FailureStore | None = None):
        self.max = max_failures
        self.window = window_s
        self.caps = dict(caps or {})
        self.store: FailureStore = store if store is not None else MemoryFailures()

    def _cap(self, key: str) -> int:
        prefix = key.split(":", 1)[0] + ":"
        return self.caps.get(prefix, self.max)

    async def blocked(self, *keys: str) -> bool:
        counts = await self.store.counts(keys, self.window)
        return any(n >= self._cap(k) for k, n in zip(keys, counts))

    async def fail(self, *keys: str) -> None:
        await self.store.add(keys, self.window)

    async def reset(self) -> None:
        await self.store.clear()


def parse_trusted_proxies(value: str) -> tuple[Network, ...]:
    """'10.0.0.0/8, 127.0.0.1' → networks. Raises ValueError naming the bad entry."""
    nets: list[Network] = []
    for part in value.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            nets.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"KG_TRUSTED_PROXIES: not an IP address or network: {part!r}") from None
    return tuple(nets)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:          # "[2001:db8::1]:443"
        text = text[1:text.index("]")]
    elif text.count(":") == 1:                         # "203.0.113.7:51234"
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_address(remote: str | None, forwarded_for: Iterable[str], trusted: tuple[Network, ...]) -> str:
    """The address of the client as far as it can be trusted.

    Only when the direct peer is one of our own proxies is X-Forwarded-For read, from the right (the
    entry our proxy added) leftwards, skipping further trusted proxies; the first address that is not
    ours is the client. Anything a client wrote itself further left is ignored, so a forged header
    cannot move it into a fresh rate-limit bucket.
    """
    peer = _ip(remote or "")
    if peer is None or not trusted or not any(peer in n for n in trusted):
        return str(peer) if peer is not None else (remote or "?")
    hops = [h for header in forwarded_for for h in header.split(",")]
    client = peer
    for hop in reversed(hops):
        ip = _ip(hop)
        if ip is None:
            break                                      # garbage from here on: stop at the last good hop
        client = ip
        if not any(ip in n for n in trusted):
            break
    return str(client)
