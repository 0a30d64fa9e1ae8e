"""A small in-process sliding-window rate limiter for public write APIs (per API process)."""

from __future__ import annotations

import threading
import time
from collections import deque


class RateLimiter:
    """Allows at most ``limit`` hits per key within ``window`` seconds."""

    def __init__(self, *, limit: int, window: float = 60.0, max_keys: int = 50_000):
        self.limit, self.window, self.max_keys = limit, window, max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, cost: int = 1, now: float | None = None) -> bool:
        """Returns whether cost more hits fit for key now (and counts them if so)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                if len(self._hits) >= self.max_keys:
                    self._forget_idle(now)
                hits = self._hits[key] = deque()
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) + cost > self.limit:
                return False
            hits.extend([now] * cost)
            return True

    def retry_after(self, key: str, now: float | None = None) -> int:
        """Returns the seconds until key has room again (at least 1)."""
        now = time.monotonic() if now is None else now
        hits = self._hits.get(key)
        return max(1, int(hits[0] + self.window - now) + 1) if hits else 1

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]:
            del self._hits[key]
