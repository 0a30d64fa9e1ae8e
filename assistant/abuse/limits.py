"""Abuse limits that hold across processes and replicas: ``hit`` counts one request under a sliding window.

Redis (one sorted set per key) when ``settings.redis_url`` is set, otherwise the ``rate_hit`` table. Either
way a hit is stored *before* the window is counted, so parallel requests in other processes see each other,
and a hit over the limit is taken back (a refused request does not use up the window):

- Redis: trim, add, count in one MULTI/EXEC, so the count is exact and ordered.
- SQLite (one writer at a time): insert, count and take back in one write transaction, so exact.
- PostgreSQL: the row is committed, then the window counted. Two parallel requests at the edge may both be
  refused (each sees the other's row); never can more than ``limit`` get through.

If Redis cannot be reached, requests are allowed uncounted (logged at error): an escalation, distress among them,
must never fail because the counter is down. Keys are ``"<limit name>:<subject>"``; a subject that is personal data (an e-mail or client address) goes in as
``subject(value)``, a keyed hash, so the table and Redis hold no addresses.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from ipaddress import ip_address

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from assistant.db import as_utc, utcnow
from assistant.identity.models import RateHit
from assistant.settings import get_settings

log = logging.getLogger(__name__)
KEEP = timedelta(days=1)  # the longest window; older rows are deleted as new hits arrive
REDIS_PREFIX = "assistant:rate:"


@dataclass(frozen=True)
class Hit:
    allowed: bool
    count: int  # hits in the window, this one included when allowed
    retry_after: int = 0  # seconds until one more would fit (0 when allowed)


def subject(value: str) -> str:
    """Returns a keyed hash of a personal value (an e-mail or client address) for use in a key."""
    key = get_settings().secret("candidate_token_secret").encode()
    return hmac.new(key, b"rate:" + value.strip().lower().encode(), hashlib.sha256).hexdigest()[:32]


def counted_client(address: str | None) -> str | None:
    """Returns the client address to count limits under, or None: unknown, or this machine (a local tool, the
    demo, the tests; a proxy on this machine passes the real client in X-Forwarded-For, see rasa_channel.client)."""
    try:
        return None if not address or ip_address(address).is_loopback else address
    except ValueError:
        return None


def hit(*, db_session: Session, key: str, limit: int, window: float, now: datetime | None = None) -> Hit:
    """Returns whether one more request under key fits ``limit`` per ``window`` seconds, counting it if so.

    Commits db_session (the database backend must make the hit visible to other processes at once)."""
    now = now or utcnow()
    key = key[:160]
    if limit <= 0:
        return Hit(allowed=False, count=0, retry_after=math.ceil(window))
    url = get_settings().redis_url
    if url:
        import redis

        try:
            return _redis_hit(_redis(url), key=key, limit=limit, window=window, now=now)
        except redis.RedisError as error:  # an escalation (distress) must not fail because the counter is down
            log.error("abuse limit store unreachable: request allowed uncounted",
                      extra={"limit": key.partition(":")[0], "error": type(error).__name__})
            return Hit(allowed=True, count=0)
    return _db_hit(db_session, key=key, limit=limit, window=window, now=now)


def count(*, db_session: Session, key: str, window: float, now: datetime | None = None) -> int:
    """Returns how many hits key has in the window ending now (without counting one)."""
    now = now or utcnow()
    key = key[:160]
    url = get_settings().redis_url
    if url:
        return int(_redis(url).zcount(REDIS_PREFIX + key, f"({now.timestamp() - window}", "+inf"))
    return int(db_session.scalar(select(func.count(RateHit.id)).where(
        RateHit.key == key, RateHit.created_at > now - timedelta(seconds=window))) or 0)


def _db_hit(db_session: Session, *, key: str, limit: int, window: float, now: datetime) -> Hit:
    # SQLite has one writer at a time: insert, count and take back in one write transaction is exact. Elsewhere the
    # row is committed first, so parallel transactions see each other's rows before they count.
    serial = db_session.get_bind().dialect.name == "sqlite"
    db_session.execute(delete(RateHit).where(RateHit.created_at < now - KEEP))
    row = RateHit(key=key, created_at=now)
    db_session.add(row)
    db_session.flush() if serial else db_session.commit()
    rows = db_session.execute(select(RateHit.id, RateHit.created_at).where(
        RateHit.key == key, RateHit.created_at > now - timedelta(seconds=window)).order_by(RateHit.created_at)).all()
    allowed = len(rows) <= limit
    if not allowed:
        db_session.execute(delete(RateHit).where(RateHit.id == row.id))
    db_session.commit()
    if allowed:
        return Hit(allowed=True, count=len(rows))
    # One more fits once enough of the others have left the window: the (n - limit + 1)-th oldest of them.
    others = [as_utc(created) for hit_id, created in rows if hit_id != row.id]
    leaves = others[len(others) - limit] + timedelta(seconds=window)
    return Hit(allowed=False, count=len(others), retry_after=max(1, math.ceil((leaves - now).total_seconds())))


@lru_cache
def _redis(url: str):  # type: ignore[no-untyped-def]
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def _redis_hit(client, *, key: str, limit: int, window: float, now: datetime) -> Hit:  # type: ignore[no-untyped-def]
    name, stamp = REDIS_PREFIX + key, now.timestamp()
    member = f"{stamp:.6f}:{uuid.uuid4().hex}"
    pipe = client.pipeline(transaction=True)
    pipe.zremrangebyscore(name, "-inf", stamp - KEEP.total_seconds())
    pipe.zadd(name, {member: stamp})
    pipe.zcount(name, f"({stamp - window}", "+inf")
    pipe.expire(name, math.ceil(KEEP.total_seconds()))
    _, _, in_window, _ = pipe.execute()
    if in_window <= limit:
        return Hit(allowed=True, count=int(in_window))
    client.zrem(name, member)
    scores = [score for _, score in client.zrangebyscore(name, f"({stamp - window}", "+inf", withscores=True)]
    leaves = scores[len(scores) - limit] + window
    return Hit(allowed=False, count=len(scores), retry_after=max(1, math.ceil(leaves - stamp)))
