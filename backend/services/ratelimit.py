"""Failed-attempt limits (access codes, officer log-ins) and the client address they are keyed on.

A sliding window per key, in memory, one process. Each key has a prefix ("ref:", "ip:", "login:", …); the
cap can differ per prefix so that a whole hospital behind one NAT address is not locked out by a few
mistyped passwords, while a single account or case reference stays tightly limited.
"""
from __future__ import annotations

import ipaddress
import time
from collections import defaultdict, deque
from typing import Iterable, Mapping

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class FailureLimiter:
    def __init__(self, max_failures: int, window_s: int, caps: Mapping[str, int] | None = None):
        self.max = max_failures
        self.window = window_s
        self.caps = dict(caps or {})
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    def _cap(self, key: str) -> int:
        prefix = key.split(":", 1)[0] + ":"
        return self.caps.get(prefix, self.max)

    def _prune(self, key: str, now: float) -> deque[float]:
        q = self._hits[key]
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        return any(len(self._prune(k, now)) >= self._cap(k) for k in keys)

    def fail(self, *keys: str) -> None:
        now = time.monotonic()
        for k in keys:
            self._prune(k, now).append(now)
        if len(self._hits) > 100_000:  # keep memory bounded under a flood of distinct keys
            for k in [k for k, q in self._hits.items() if not q][:50_000]:
                del self._hits[k]

    def reset(self) -> None:
        self._hits.clear()


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
