"""Per-key rate limiting: an in-memory token bucket per API key id."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimiter:
    """Admit at most ``burst`` requests at once and ``rate`` per second on average per key.

    State lives in this process only: limits protect the server, they are not a quota.
    """

    rate: float
    burst: int
    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def acquire(self, key_id: str, *, now: float | None = None) -> float:
        """Take a token for ``key_id``: return 0 if admitted, else seconds until one frees up."""
        moment = time.monotonic() if now is None else now
        with self._lock:
            bucket = self._buckets.get(key_id)
            if bucket is None:
                bucket = self._buckets[key_id] = _Bucket(tokens=float(self.burst), updated=moment)
            elapsed = max(0.0, moment - bucket.updated)
            bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.rate)
            bucket.updated = moment
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate
