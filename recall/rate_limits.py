"""Budgets of requests per client counted in one Redis round trip per request (signing's limits).

Flask-Limiter hits every limit with a Redis call of its own ("20 per minute;200 per day" is two,
the per-domain and per-petition budgets two more) and resolves its limits anew on each request:
in a profile about a quarter of a signature's CPU. A :func:`budget_limit` decorator counts all
of a request's budgets with one Lua script instead, with the same arithmetic as Flask-Limiter's
fixed windows (its strategy and keys, so the counters are the same ones): the limits in order of
their window, each counter incremented until the first that is over its limit, which answers 429
with ``Retry-After`` (the length of its window).

It uses the storage Flask-Limiter was configured with (``RATELIMIT_STORAGE_URI``, so
``limiter.reset()`` clears it too); a storage that is not a plain Redis (``memory://``, a
cluster) is counted with one call per limit. When Redis cannot be reached the counts go on in this
process's memory (logged once, as Flask-Limiter does: "falling back to in-memory storage"), and
Redis is tried again every ``RETRY_STORAGE_SECONDS``, so that signing never fails for a Redis
outage; it logs when Redis is back.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import current_app, request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, RedisClusterStorage, RedisStorage
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from recall import redis_direct
from recall.extensions import COUNTED_IN_BUDGETS, limiter

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable)

RETRY_STORAGE_SECONDS = 5

# KEYS: the counters in the order they are checked; ARGV: the cost, then each counter's limit and
# window in seconds. Flask-Limiter's fixed window (limits' incr_expire.lua) for each, stopping at
# the first counter over its limit; returns its 1-based position, 0 when none is over.
_HIT_ALL = """
local cost = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local current = redis.call("incrby", key, cost)
  if current == cost then
    redis.call("expire", key, ARGV[2 * i + 1])
  end
  if current > tonumber(ARGV[2 * i]) then
    return i
  end
end
return 0
"""
_HIT_ALL_SHA = hashlib.sha1(_HIT_ALL.encode()).hexdigest()


@dataclass(frozen=True)
class Budget:
    """One shared budget: a ``scope`` name, its limits as text ("20 per minute;200 per day"; ""
    or None when the budget is off) and whom a request is counted against (``key``)."""

    scope: str
    limits: Callable[[], str | None]
    key: Callable[[], str]


class RateLimited(TooManyRequests):
    """A request over one of its budgets; ``retry_after`` is the breached limit's window."""

    def __init__(self, limit: RateLimitItem):
        super().__init__(description=str(limit), retry_after=limit.get_expiry())
        self.limit_item = limit


@functools.lru_cache(maxsize=256)
def _parsed(text: str) -> tuple[RateLimitItem, ...]:
    # Flask-Limiter evaluates a budget's limits in order of their window, the shortest first.
    return tuple(sorted(parse_many(text)))


class _Counter:
    """Where an app's budgets are counted: its limiter storage, in one call per request when that
    is a plain Redis, and this process's memory while that Redis does not answer."""

    def __init__(self):
        self.fallback: FixedWindowRateLimiter | None = None  # made when first needed (a thread)
        self.dead_since: float | None = None

    def _storage_answers(self, storage) -> bool:
        if time.monotonic() - self.dead_since < RETRY_STORAGE_SECONDS:
            return False
        if storage.check():
            log.warning("Rate limit storage recovered: counting in it again")
            self.dead_since = None
            return True
        self.dead_since = time.monotonic()
        return False

    def breached(self, hits: list[tuple[RateLimitItem, tuple[str, ...]]]) -> RateLimitItem | None:
        """Count one request against every ``(limit, identifiers)`` in order, stopping at the
        first over its limit; returns that limit, or None."""
        storage = limiter.storage
        if self.dead_since is None or self._storage_answers(storage):
            try:
                return self._hit(storage, hits)
            except Exception as exc:  # whatever the storage failed with: signing goes on
                log.warning(
                    "Rate limit storage unreachable - falling back to in-memory storage: %s", exc
                )
                self.dead_since = time.monotonic()
        if self.fallback is None:
            self.fallback = FixedWindowRateLimiter(MemoryStorage())
        return next((item for item, ids in hits if not self.fallback.hit(item, *ids)), None)

    def _hit(self, storage, hits) -> RateLimitItem | None:
        if not isinstance(storage, RedisStorage) or isinstance(storage, RedisClusterStorage):
            strategy = FixedWindowRateLimiter(storage)
            return next((item for item, ids in hits if not strategy.hit(item, *ids)), None)
        args = [1]
        for item, _ids in hits:
            args += [item.amount, item.get_expiry()]
        keys = [storage.prefixed_key(item.key_for(*ids)) for item, ids in hits]
        direct = redis_direct.for_client(storage.get_connection())
        over = int(direct.evalsha(_HIT_ALL, _HIT_ALL_SHA, keys, args))
        return hits[over - 1][0] if over else None


def _counter() -> _Counter:
    counter = current_app.extensions.get("recall_rate_limits")
    if counter is None:
        counter = current_app.extensions["recall_rate_limits"] = _Counter()
    return counter


def _hits(budgets: tuple[Budget, ...]) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    hits = []
    for budget in budgets:
        text = budget.limits()
        if not text:
            continue
        # Flask-Limiter's identifiers for a shared limit: [key prefix,] key, scope.
        ids = (*((prefix,) if prefix else ()), budget.key(), budget.scope)
        hits += [(item, ids) for item in _parsed(text)]
    return hits


def budget_limit(*budgets: Budget, methods: tuple[str, ...] | None = None) -> Callable[[F], F]:
    """Count each request of the view (only ``methods``, when given) against ``budgets`` before
    it runs; raise :class:`RateLimited` (429) when one is spent. Off with ``RATELIMIT_ENABLED``
    false, as Flask-Limiter is."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def limited(*args, **kwargs):
            if current_app.config.get("RATELIMIT_ENABLED", True) and (
                methods is None or request.method in methods
            ):
                hits = _hits(budgets)
                over = _counter().breached(hits) if hits else None
                if over is not None:
                    log.info("rate limit %s exceeded at %s", over, request.endpoint)
                    raise RateLimited(over)
            return view(*args, **kwargs)

        # Flask-Limiter's middleware skips the view (recall.extensions.BudgetAwareLimiter).
        setattr(limited, COUNTED_IN_BUDGETS, True)
        return limited  # type: ignore[return-value]

    return decorator
