"""Load against Rasa's REST channel: a closed loop (N candidates writing without pause) and an open loop (a
steady rate of turns, whatever the replies' speed). Every turn has a deadline, so a run always ends."""

from __future__ import annotations

import asyncio
import math
import statistics
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import httpx

TURN_TIMEOUT_S = 30.0


@dataclass
class LoadResult:
    """What one load level measured: latencies of the turns that succeeded, failures, wall time."""

    label: str
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    started_at: float = 0.0
    failures: list[tuple[float, str]] = field(default_factory=list)  # (seconds since start, what went wrong)
    answered: list[tuple[str, str]] = field(default_factory=list)  # (sender, message) of every answered turn

    @property
    def turns(self) -> int:
        return len(self.latencies_ms) + self.errors

    def percentile(self, q: float) -> float:
        values = sorted(self.latencies_ms)
        if not values:
            return math.nan
        return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]

    def figures(self) -> dict[str, float]:
        """Returns p50, p95, max (ms), errors and throughput (successful turns a second)."""
        return {"turns": self.turns, "errors": self.errors,
                "p50_ms": round(self.percentile(0.5), 1), "p95_ms": round(self.percentile(0.95), 1),
                "max_ms": round(max(self.latencies_ms, default=math.nan), 1),
                "mean_ms": round(statistics.fmean(self.latencies_ms), 1) if self.latencies_ms else math.nan,
                "turns_per_s": round(len(self.latencies_ms) / self.seconds, 2) if self.seconds else 0.0,
                "error_kinds": dict(Counter(what for _, what in self.failures))}


# How rasa_channel.guard's notices for a turn that could not be served begin (that package runs only in Rasa's
# environment): such a turn failed, and the candidate was asked to try again.
NOTICE_PREFIX = "Sorry, I can't answer that right now because of a technical problem"


async def _turn(client: httpx.AsyncClient, url: str, sender: str, message: str, result: LoadResult) -> None:
    started = time.perf_counter()
    try:
        response = await client.post(url, json={"sender": sender, "message": message}, timeout=TURN_TIMEOUT_S)
        response.raise_for_status()
        replies = response.json()
        if not replies:
            raise ValueError("empty reply")
        if any(str(reply.get("text", "")).startswith(NOTICE_PREFIX) for reply in replies):
            raise ValueError("unavailable notice")
    except (httpx.HTTPError, ValueError) as error:
        result.errors += 1
        what = (f"HTTP {error.response.status_code}" if isinstance(error, httpx.HTTPStatusError)
                else str(error) if type(error) is ValueError else type(error).__name__)
        result.failures.append((time.monotonic() - result.started_at, what))
        return
    result.latencies_ms.append((time.perf_counter() - started) * 1000)
    result.answered.append((sender, message))


async def closed_loop(url: str, conversation: list[str], *, candidates: int, seconds: float, label: str = "") -> LoadResult:
    """Returns the figures of `candidates` writing the conversation over and over, each without pause."""
    result = LoadResult(label or f"{candidates} candidates without pause")
    result.started_at = time.monotonic()
    stop_at = result.started_at + seconds
    limits = httpx.Limits(max_connections=candidates + 5, max_keepalive_connections=candidates + 5)
    async with httpx.AsyncClient(limits=limits) as client:

        async def candidate() -> None:
            while time.monotonic() < stop_at:
                sender = f"load-{uuid.uuid4().hex}"
                for message in conversation:
                    if time.monotonic() >= stop_at:
                        return
                    await _turn(client, url, sender, message, result)

        await asyncio.gather(*(candidate() for _ in range(candidates)))
    result.seconds = time.monotonic() - result.started_at
    return result


async def open_loop(url: str, conversation: list[str], *, rate: float, seconds: float, label: str = "",
                    result: LoadResult | None = None) -> LoadResult:
    """Returns the figures of `rate` turns a second for `seconds`, sent on schedule whatever the replies' speed.

    The turns go round a pool of conversations large enough that one conversation gets a turn every 2 s,
    each conversation following the script in order. Pass ``result`` to add this run's turns to it."""
    result = result or LoadResult(label or f"{rate:g} turns/s")
    started = time.monotonic()
    result.started_at = result.started_at or started
    pool = max(1, math.ceil(rate * 2))
    run = uuid.uuid4().hex[:8]
    total = int(rate * seconds)
    tasks = []
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=200, max_keepalive_connections=50)) as client:
        for i in range(total):
            delay = started + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            slot, step = i % pool, i // pool
            sender = f"load-{run}-{slot}-{step // len(conversation)}"  # after the last turn: a new candidate
            tasks.append(asyncio.create_task(_turn(client, url, sender, conversation[step % len(conversation)], result)))
        await asyncio.gather(*tasks)
    result.seconds += time.monotonic() - started  # a result passed in adds this run to what it holds
    return result
