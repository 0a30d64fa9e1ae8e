"""Background jobs of the API process: a function run in a worker thread at start-up and then at an interval.

With several API replicas on PostgreSQL, each job runs in one replica only: the replica that holds the
job's PostgreSQL advisory lock (taken on a connection of its own, so it is released when that process
dies or its connection breaks). The others try again every few seconds and take over from a replica that
is gone. Jobs whose work is on this host's disk (the escalation spool) lock per host instead. On SQLite
(development, one API process) every job simply runs.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

TAKEOVER_SECONDS = 5.0  # how often a replica without the lock checks whether it can take over


class RunLock:
    """The right to run one job, held by one process at a time across every replica (PostgreSQL)."""

    def __init__(self, name: str, engine: Engine | None = None) -> None:
        self.name = name
        self.key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        self._engine = engine
        self._connection: Connection | None = None

    def held(self) -> bool:
        """Returns True when this process holds the lock now (taking it if it is free)."""
        engine = self._engine
        if engine is None:
            from assistant.db import get_engine

            engine = self._engine = get_engine()
        if engine.dialect.name != "postgresql":
            return True
        try:
            if self._connection is None:
                self._connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            return bool(self._connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar())
        except Exception as error:  # noqa: BLE001 - no database now: not the runner; try again later
            log.warning("background job lock unavailable", extra={"job": self.name, "error": type(error).__name__})
            self.release()
            return False

    def release(self) -> None:
        """Lets another replica take the lock (closing the connection ends every advisory lock on it)."""
        if self._connection is not None:
            with suppress(Exception):
                self._connection.invalidate()
                self._connection.close()
            self._connection = None


def every(seconds: Callable[[], float], job: Callable[[], object], name: str, *, per_host: bool = False,
          engine: Engine | None = None,
          takeover_seconds: float = TAKEOVER_SECONDS) -> Callable[[object], AbstractAsyncContextManager[None]]:
    """Returns a FastAPI lifespan that runs ``job`` now and then every ``seconds()`` while the app is up.

    ``seconds`` is read when the app starts (settings may change between test apps). A failing run is
    logged and tried again on the next tick; it never stops the app. Across replicas only the holder of
    the job's lock runs it (``per_host``: one per host)."""

    async def loop(interval: float) -> None:
        lock = RunLock(f"{name}@{socket.gethostname()}" if per_host else name, engine)
        try:
            while True:
                if not await asyncio.to_thread(lock.held):
                    await asyncio.sleep(min(interval, takeover_seconds))
                    continue
                try:
                    await asyncio.to_thread(job)
                except Exception:  # noqa: BLE001 - try again on the next tick
                    log.exception("background job %s failed", name)
                await asyncio.sleep(interval)
        finally:
            lock.release()

    @asynccontextmanager
    async def lifespan(_app) -> AsyncIterator[None]:
        task = asyncio.create_task(loop(seconds()))
        try:
            yield
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

    return lifespan
