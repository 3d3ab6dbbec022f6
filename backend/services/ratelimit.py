"""Failed access-code attempts: a sliding window per reference and per client (in memory, one process)."""
from __future__ import annotations

import time
from collections import defaultdict, deque


class FailureLimiter:
    def __init__(self, max_failures: int, window_s: int):
        self.max = max_failures
        self.window = window_s
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    def _prune(self, key: str, now: float) -> deque[float]:
        q = self._hits[key]
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        return any(len(self._prune(k, now)) >= self.max for k in keys)

    def fail(self, *keys: str) -> None:
        now = time.monotonic()
        for k in keys:
            self._prune(k, now).append(now)
        if len(self._hits) > 100_000:  # keep memory bounded under a flood of distinct keys
            for k in [k for k, q in self._hits.items() if not q][:50_000]:
                del self._hits[k]

    def reset(self) -> None:
        self._hits.clear()
